package tokenizer

import "unicode"

// Character classes as Oniguruma and Rust's char methods define them. Each
// has an ASCII fast path because nearly every byte of real text is ASCII.

const (
	aLetter uint8 = 1 << iota
	aDigit
	aSpace
	aPunct
	aWord
)

var asciiClass [128]uint8

func init() {
	for c := 0; c < 128; c++ {
		var f uint8
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			f = aLetter | aWord
		case c >= '0' && c <= '9':
			f = aDigit | aWord
		case c == ' ', c >= '\t' && c <= '\r':
			f = aSpace
		case c == '_':
			f = aPunct | aWord
		case c > ' ' && c < 0x7f:
			f = aPunct
		}
		asciiClass[c] = f
	}
}

// isSpace is Unicode White_Space, which is what Oniguruma's \s and Rust's
// char::is_whitespace both use.
func isSpace(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aSpace != 0
	}
	return unicode.IsSpace(r)
}

// isLetter is \p{L}.
func isLetter(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aLetter != 0
	}
	return onigClass(r) == clsLetter
}

// isNumber is \p{N} (Nd, Nl, No), also Rust's char::is_numeric.
func isNumber(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aDigit != 0
	}
	return onigClass(r) == clsNumber
}

func isDecimal(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aDigit != 0
	}
	return unicode.IsDigit(r)
}

func isHexDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
}

// isWordChar is Oniguruma's Unicode \w (regex patterns).
func isWordChar(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aWord != 0
	}
	if probed(r) {
		return inRanges(onigWord, r)
	}
	return rustWordChar(r)
}

// rustWordChar is the \w of Rust's regex crate, which the Whitespace
// pre-tokenizer uses: alphabetic, marks, decimal digits, connector
// punctuation and the joiners (not ² or ½, which Oniguruma's \w takes).
func rustWordChar(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aWord != 0
	}
	if probed(r) {
		return inRanges(rustWord, r)
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) ||
		unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Nl, r) ||
		unicode.Is(unicode.Other_Alphabetic, r) || r == 0x200C || r == 0x200D
}

// isBertPunct is Hugging Face's is_punc: ASCII punctuation or any Unicode P*.
func isBertPunct(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&aPunct != 0
	}
	if probed(r) {
		return inRanges(bertPunct, r)
	}
	return unicode.IsPunct(r)
}

// isAssigned reports whether r has a general category other than Cn.
func isAssigned(r rune) bool {
	for _, t := range unicode.Categories {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// isOther is the C* categories (Cc, Cf, Cs, Co, Cn).
func isOther(r rune) bool {
	if r < 0x80 {
		return r < 0x20 || r == 0x7f
	}
	if unicode.Is(unicode.C, r) {
		return true
	}
	if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Z, r) {
		return false
	}
	return !isAssigned(r)
}
