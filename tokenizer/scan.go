package tokenizer

import (
	"unicode/utf8"
)

// Hand-written scanners for the split patterns that nearly every byte-level
// BPE on the hub uses. Each returns exactly the matches Oniguruma finds for
// its pattern (pinned by TestScannersMatchRegex); they exist because the
// patterns need lookahead and because a direct scan is several times faster
// than any regex engine.

const (
	patGPT2 = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	// Llama 3 and its descendants (digits in groups of up to three).
	patLlama3 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	// Qwen2/Qwen3 (single digits).
	patQwen2 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// scanner finds all matches of one known pattern.
type scanner func(s string, dst [][2]int) [][2]int

// knownScanner returns the scanner for a pattern, or nil.
func knownScanner(pattern string) scanner {
	switch pattern {
	case patGPT2:
		return scanGPT2
	case patLlama3:
		return func(s string, dst [][2]int) [][2]int { return scanLlama3(s, dst, 3) }
	case patQwen2:
		return func(s string, dst [][2]int) [][2]int { return scanLlama3(s, dst, 1) }
	}
	return nil
}

type rclass uint8

const (
	clsOther rclass = iota
	clsLetter
	clsNumber
	clsSpace
	clsNewline // \r or \n: also a space
)

func classify(r rune) rclass {
	if r < 0x80 {
		f := asciiClass[r]
		switch {
		case f&aLetter != 0:
			return clsLetter
		case f&aDigit != 0:
			return clsNumber
		case r == '\r' || r == '\n':
			return clsNewline
		case f&aSpace != 0:
			return clsSpace
		}
		return clsOther
	}
	return onigClass(r)
}

// at decodes the rune at i and its class; at the end it returns width 0.
func at(s string, i int) (rclass, int) {
	if i >= len(s) {
		return clsOther, 0
	}
	c := s[i]
	if c < utf8.RuneSelf {
		return classify(rune(c)), 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	return classify(r), w
}

// runOf returns the end of the run of runes of class c (or any space class
// when c is clsSpace) starting at i.
func runOf(s string, i int, want func(rclass) bool) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if !want(classify(rune(c))) {
				return i
			}
			i++
			continue
		}
		cl, w := at(s, i)
		if !want(cl) {
			return i
		}
		i += w
	}
	return i
}

func isL(c rclass) bool      { return c == clsLetter }
func isN(c rclass) bool      { return c == clsNumber }
func isO(c rclass) bool      { return c == clsOther }
func isS(c rclass) bool      { return c == clsSpace || c == clsNewline }
func isCRLF(c rclass) bool   { return c == clsNewline }
func lowerASCII(b byte) byte { return b | 0x20 }

// contraction returns the length of a contraction match at i (s[i] == '\”).
func contraction(s string, i int, fold bool) int {
	if i+1 >= len(s) {
		return 0
	}
	c := s[i+1]
	if fold {
		if c == 0xC5 && i+2 < len(s) && s[i+2] == 0xBF { // ſ folds to s
			return 3
		}
		if c < utf8.RuneSelf {
			c = lowerASCII(c)
		}
	}
	switch c {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v', 'l':
		if i+2 >= len(s) {
			return 0
		}
		d := s[i+2]
		if fold && d < utf8.RuneSelf {
			d = lowerASCII(d)
		}
		if (c == 'r' || c == 'v') && d == 'e' || c == 'l' && d == 'l' {
			return 3
		}
	}
	return 0
}

// spaceRun handles the three whitespace alternatives shared by both
// families, \s+(?!\S) and \s+ (after \s*[\r\n]+ for Llama 3).
func spaceRun(s string, i int, newlineAlt bool) int {
	j := runOf(s, i, isS)
	if newlineAlt {
		for p := j - 1; p >= i; p-- {
			if s[p] == '\r' || s[p] == '\n' {
				return p + 1
			}
		}
	}
	if j == len(s) {
		return j
	}
	// Leave the last space to prefix the next word; it is one rune, but
	// possibly multi-byte (NBSP, ideographic space ...).
	_, w := utf8.DecodeLastRuneInString(s[:j])
	if j-w > i {
		return j - w
	}
	return j
}

func scanGPT2(s string, dst [][2]int) [][2]int {
	for i := 0; i < len(s); {
		var end int
		c, w := at(s, i)
		switch {
		case s[i] == '\'' && contraction(s, i, false) > 0:
			end = i + contraction(s, i, false)
		case c == clsLetter:
			end = runOf(s, i+w, isL)
		case c == clsNumber:
			end = runOf(s, i+w, isN)
		case c == clsOther:
			end = runOf(s, i+w, isO)
		case s[i] == ' ':
			c2, w2 := at(s, i+1)
			switch {
			case w2 > 0 && c2 == clsLetter:
				end = runOf(s, i+1+w2, isL)
			case w2 > 0 && c2 == clsNumber:
				end = runOf(s, i+1+w2, isN)
			case w2 > 0 && c2 == clsOther:
				end = runOf(s, i+1+w2, isO)
			default:
				end = spaceRun(s, i, false)
			}
		default:
			end = spaceRun(s, i, false)
		}
		dst = append(dst, [2]int{i, end})
		i = end
	}
	return dst
}

func scanLlama3(s string, dst [][2]int, maxDigits int) [][2]int {
	for i := 0; i < len(s); {
		var end int
		c, w := at(s, i)
		switch {
		case s[i] == '\'' && contraction(s, i, true) > 0:
			end = i + contraction(s, i, true)
		case c == clsLetter:
			end = runOf(s, i+w, isL)
		case c == clsNumber:
			end = i + w
			for n := 1; n < maxDigits; n++ {
				c2, w2 := at(s, end)
				if w2 == 0 || c2 != clsNumber {
					break
				}
				end += w2
			}
		default:
			c2, w2 := at(s, i+w)
			switch {
			case c != clsNewline && w2 > 0 && c2 == clsLetter:
				// [^\r\n\p{L}\p{N}]?\p{L}+
				end = runOf(s, i+w+w2, isL)
			case c == clsOther:
				end = runOf(s, runOf(s, i+w, isO), isCRLF)
			case s[i] == ' ' && w2 > 0 && c2 == clsOther:
				end = runOf(s, runOf(s, i+1+w2, isO), isCRLF)
			default:
				end = spaceRun(s, i, true)
			}
		}
		dst = append(dst, [2]int{i, end})
		i = end
	}
	return dst
}
