package tokenizer

import "unicode/utf8"

// validUTF8 returns s with every ill-formed sequence replaced by U+FFFD
// exactly as Python's bytes.decode("utf-8", "replace") and Rust's
// String::from_utf8_lossy do it: one replacement per maximal subpart of an
// ill-formed sequence (Unicode §3.9, "substitution of maximal subparts").
// Go's own strings.ToValidUTF8 collapses whole runs instead, which would make
// byte-level decodes disagree with Hugging Face.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(lossyAppend(nil, s))
}

// lossyBytes is validUTF8 for a byte slice.
func lossyBytes(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(lossyAppend(nil, string(b)))
}

func lossyAppend(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			dst = append(dst, s[i:i+n]...)
			i += n
			continue
		}
		dst = append(dst, "\uFFFD"...)
		i += maximalSubpart(s[i:])
	}
	return dst
}

// maximalSubpart is the length of the longest prefix of s (which starts with
// an ill-formed sequence) that is a prefix of some well-formed sequence; at
// least 1.
func maximalSubpart(s string) int {
	c := s[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(s); k++ {
		b := s[n]
		if k > 0 {
			lo, hi = 0x80, 0xBF
		}
		if b < lo || b > hi {
			break
		}
		n++
	}
	return n
}

func isValidUTF8(s string) bool { return utf8.ValidString(s) }
