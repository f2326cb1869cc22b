package tokenizer

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Hugging Face's character classes come from several crates, each with its
// own Unicode version: Oniguruma (the split regexes) and Rust's std are on
// Unicode 16, unicode_categories (BERT's punctuation and control sets) and
// the normalization crate are older, and Go's unicode package is on 15.0.
// unicode_tables.go holds the classes as tokenizers 0.23.2 actually has
// them, probed code point by code point over planes 0-3 and the tag plane
// (tools/refgen/tokenizers_node.js); outside those, Go's tables answer.

type classEntry struct {
	lo, hi rune
	cls    uint8
}

func probed(r rune) bool {
	for _, p := range probedRanges {
		if r >= p[0] && r < p[1] {
			return true
		}
	}
	return false
}

func inRanges(t [][2]rune, r rune) bool {
	i := sort.Search(len(t), func(i int) bool { return t[i][1] >= r })
	return i < len(t) && t[i][0] <= r
}

// bmpClass is onigClasses spread over the Basic Multilingual Plane, so
// the scanners classify most runes with one load.
var bmpClass [0x10000]rclass

func init() {
	for _, e := range onigClasses {
		for r := e.lo; r <= e.hi && r < 0x10000; r++ {
			bmpClass[r] = rclass(e.cls)
		}
	}
}

// onigClass classifies a non-ASCII rune as the scanners' \p{L}, \p{N}, \s.
func onigClass(r rune) rclass {
	if r < 0x10000 {
		return bmpClass[r]
	}
	if !probed(r) {
		switch {
		case unicode.IsLetter(r):
			return clsLetter
		case unicode.IsNumber(r):
			return clsNumber
		case unicode.IsSpace(r):
			return clsSpace
		}
		return clsOther
	}
	t := onigClasses
	lo, hi := 0, len(t)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t[m].hi < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(t) && t[lo].lo <= r {
		return rclass(t[lo].cls)
	}
	return clsOther
}

func isRustNumeric(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aDigit != 0
	}
	if probed(r) {
		return inRanges(rustNumeric, r)
	}
	return unicode.IsNumber(r)
}

// lowercase is Rust's char::to_lowercase applied rune by rune: the full
// mapping (İ becomes i + U+0307), no final-sigma context, Unicode 16.
func lowercase(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if d, ok := lowerDelta[r]; ok {
			b.WriteString(d)
			continue
		}
		if r == 'İ' {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// goLowercase is lowercase without the delta table (the generator's
// baseline).
func goLowercase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == 'İ' {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// normalizeForm runs a Unicode normalization form, except that runes HF's
// older tables leave alone (frozen) are kept as they are: the text is
// normalized in the stretches between them.
func normalizeForm(f norm.Form, frozen [][2]rune, s string) string {
	if hasLongMarkRun(s) || hasUnknownMark(s) {
		return exactNormalize(f, frozen, s)
	}
	if f.IsNormalString(s) {
		return s
	}
	cut := -1
	for i, r := range s {
		if r >= 0x80 && inRanges(frozen, r) {
			cut = i
			break
		}
	}
	if cut < 0 {
		return f.String(s)
	}
	var b strings.Builder
	start := 0
	for i, r := range s {
		if r >= 0x80 && inRanges(frozen, r) {
			b.WriteString(f.String(s[start:i]))
			b.WriteRune(r)
			start = i + utf8.RuneLen(r)
		}
	}
	b.WriteString(f.String(s[start:]))
	return b.String()
}

// hasLongMarkRun reports a run of many combining marks. Go's norm package
// follows the Stream-Safe Text Format and cuts such a run after 30
// non-starters before reordering it; Hugging Face reorders the whole run.
func hasLongMarkRun(s string) bool {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n = 0
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if r >= 0x300 && unicode.IsMark(r) {
			if n++; n >= 24 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

func ccc(r rune) uint8 { return norm.NFD.PropertiesString(string(r)).CCC() }

// hfCCC is the combining class as HF's normalization tables have it.
func hfCCC(r rune) uint8 {
	if r >= 0x80 && inRanges(cccUnknown, r) {
		return 0
	}
	return ccc(r)
}

func hasUnknownMark(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xDF { // every unknown mark is U+07FD (DF BD) or above
			for _, r := range s[i:] {
				if r >= 0x7FD && inRanges(cccUnknown, r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// exactNormalize is the textbook algorithm (full decomposition, canonical
// ordering of every run of non-starters, canonical composition) for the rare
// strings hasLongMarkRun flags; it borrows x/text for single-rune
// decompositions and pairwise compositions.
func exactNormalize(f norm.Form, frozen [][2]rune, s string) string {
	dec := norm.NFD
	if f == norm.NFKC || f == norm.NFKD {
		dec = norm.NFKD
	}
	var rs []rune
	var cls []uint8
	for _, r := range s {
		if r >= 0x80 && inRanges(frozen, r) {
			rs, cls = append(rs, r), append(cls, 0)
			continue
		}
		for _, d := range dec.String(string(r)) {
			rs, cls = append(rs, d), append(cls, hfCCC(d))
		}
	}
	for i := 0; i < len(rs); {
		if cls[i] == 0 {
			i++
			continue
		}
		j := i
		for j < len(rs) && cls[j] != 0 {
			j++
		}
		// Stable insertion sort by class (runs are short but can be long).
		for a := i + 1; a < j; a++ {
			for b := a; b > i && cls[b-1] > cls[b]; b-- {
				rs[b-1], rs[b] = rs[b], rs[b-1]
				cls[b-1], cls[b] = cls[b], cls[b-1]
			}
		}
		i = j
	}
	if f == norm.NFD || f == norm.NFKD {
		return string(rs)
	}
	out := make([]rune, 0, len(rs))
	starter := -1
	last := -1 // class of the last rune kept after the starter; -1: none yet
	for i, r := range rs {
		c := int(cls[i])
		if starter >= 0 && (last == -1 || (last != 0 && last < c) || (last == 0 && c == 0 && len(out)-1 == starter)) {
			if p, ok := composePair(out[starter], r); ok {
				out[starter] = p
				continue
			}
		}
		if c == 0 {
			starter = len(out)
			last = -1
		} else {
			last = c
		}
		out = append(out, r)
	}
	return string(out)
}

// composePair returns the primary composite of a starter and the next rune.
func composePair(a, b rune) (rune, bool) {
	var buf [8]byte
	n := utf8.EncodeRune(buf[:], a)
	n += utf8.EncodeRune(buf[n:], b)
	out := norm.NFC.String(string(buf[:n]))
	r, w := utf8.DecodeRuneInString(out)
	if w == len(out) && r != a {
		return r, true
	}
	return 0, false
}
