package chat

import (
	"strings"
	"unicode"
)

// Python's case conversions use Unicode's full mappings ('ß'.upper() is "SS") and lower() knows
// the final sigma; Go's strings.ToUpper/ToLower map one rune to one rune.

func pyUpper(s string) string {
	var b strings.Builder
	for _, r := range s {
		if m, ok := upperFull[r]; ok {
			b.WriteString(m)
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

func isCased(r rune) bool { return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) }

func pyLower(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if r == 'Σ' && finalSigma(rs, i) {
			b.WriteRune('ς')
			continue
		}
		if m, ok := lowerFull[r]; ok {
			b.WriteString(m)
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma: a capital sigma after a cased letter and not before one lowers to ς.
func finalSigma(rs []rune, i int) bool {
	before := false
	for j := i - 1; j >= 0; j-- {
		if isCased(rs[j]) {
			before = true
			break
		}
		if !unicode.Is(unicode.Mn, rs[j]) && rs[j] != '\'' && rs[j] != '.' {
			break
		}
	}
	if !before {
		return false
	}
	for j := i + 1; j < len(rs); j++ {
		if isCased(rs[j]) {
			return false
		}
		if !unicode.Is(unicode.Mn, rs[j]) && rs[j] != '\'' && rs[j] != '.' {
			break
		}
	}
	return true
}

func pyTitleRune(r rune) string {
	if m, ok := titleFull[r]; ok {
		return m
	}
	return string(unicode.ToTitle(r))
}
