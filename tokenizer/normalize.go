package tokenizer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalizer rewrites a piece of text before pre-tokenization.
type normalizer interface {
	normalize(s string) string
}

type seqNormalizer []normalizer

func (s seqNormalizer) normalize(x string) string {
	for _, n := range s {
		x = n.normalize(x)
	}
	return x
}

type unicodeNormalizer struct{ form norm.Form }

func (u unicodeNormalizer) normalize(s string) string {
	var frozen [][2]rune
	switch u.form {
	case norm.NFC:
		frozen = nfcFrozen
	case norm.NFD:
		frozen = nfdFrozen
	case norm.NFKC:
		frozen = nfkcFrozen
	case norm.NFKD:
		frozen = nfkdFrozen
	}
	return normalizeForm(u.form, frozen, s)
}

type lowercaseNormalizer struct{}

func (lowercaseNormalizer) normalize(s string) string { return lowercase(s) }

type stripNormalizer struct{ left, right bool }

func (st stripNormalizer) normalize(s string) string {
	if st.left {
		s = strings.TrimLeftFunc(s, isSpace)
	}
	if st.right {
		s = strings.TrimRightFunc(s, isSpace)
	}
	return s
}

// stripAccentsNormalizer drops combining marks (it is meant to follow NFD).
type stripAccentsNormalizer struct{}

func (stripAccentsNormalizer) normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x300 {
			return r
		}
		if probed(r) {
			if inRanges(combiningMarks, r) {
				return -1
			}
		} else if unicode.IsMark(r) {
			return -1
		}
		return r
	}, s)
}

type replaceNormalizer struct {
	pat     pattern
	content string
}

func (r replaceNormalizer) normalize(s string) string { return replaceAll(s, r.pat, r.content) }

func replaceAll(s string, p pattern, content string) string {
	if sp, ok := p.(stringPattern); ok {
		if sp.lit == "" {
			return s
		}
		return strings.ReplaceAll(s, sp.lit, content)
	}
	ms := p.find(s, nil)
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, m := range ms {
		b.WriteString(s[prev:m[0]])
		b.WriteString(content)
		prev = m[1]
	}
	b.WriteString(s[prev:])
	return b.String()
}

type prependNormalizer struct{ prefix string }

func (p prependNormalizer) normalize(s string) string {
	if s == "" {
		return s
	}
	return p.prefix + s
}

// bertNormalizer is BERT's text cleanup, in Hugging Face's order: drop
// controls and map whitespace to ' ', pad CJK ideographs with spaces, strip
// accents, lowercase.
type bertNormalizer struct {
	cleanText, chineseChars, stripAccents, lowercase bool
}

func (b bertNormalizer) normalize(s string) string {
	if b.cleanText {
		s = strings.Map(func(r rune) rune {
			if r == 0 || r == 0xFFFD {
				return -1
			}
			if probed(r) {
				switch {
				case inRanges(bertRemoved, r):
					return -1
				case inRanges(bertSpaces, r):
					return ' '
				}
				return r
			}
			if bertIsControl(r) {
				return -1
			}
			if isSpace(r) {
				return ' '
			}
			return r
		}, s)
	}
	if b.chineseChars {
		var sb strings.Builder
		changed := false
		for _, r := range s {
			if isCJK(r) {
				changed = true
				sb.WriteByte(' ')
				sb.WriteRune(r)
				sb.WriteByte(' ')
			} else {
				sb.WriteRune(r)
			}
		}
		if changed {
			s = sb.String()
		}
	}
	if b.stripAccents {
		s = normalizeForm(norm.NFD, nfdFrozen, s)
		s = strings.Map(func(r rune) rune {
			if r < 0x80 {
				return r
			}
			if probed(r) {
				if inRanges(bertNonspacing, r) {
					return -1
				}
			} else if unicode.Is(unicode.Mn, r) {
				return -1
			}
			return r
		}, s)
	}
	if b.lowercase {
		s = lowercase(s)
	}
	return s
}

func bertIsControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return isOther(r)
}

func isCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x20000 && r <= 0x2A6DF || r >= 0x2A700 && r <= 0x2B73F ||
		r >= 0x2B740 && r <= 0x2B81F || r >= 0x2B920 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F
}

// nmtNormalizer is SentencePiece's NMT cleanup: drop some controls and map
// unusual spaces to ' '.
type nmtNormalizer struct{}

func (nmtNormalizer) normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x0001 && r <= 0x0008, r == 0x000B, r >= 0x000E && r <= 0x001F, r == 0x007F, r == 0x008F, r == 0x009F:
			return -1
		case r == 0x0009, r == 0x000A, r == 0x000C, r == 0x000D, r == 0x1680,
			r >= 0x200B && r <= 0x200F, r == 0x2028, r == 0x2029, r == 0x2581,
			r == 0xFEFF, r == 0xFFFD:
			return ' '
		}
		return r
	}, s)
}
