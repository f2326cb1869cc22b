package chat

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// pyFloat is Python's repr(float): the shortest round-tripping digits, in fixed notation when
// the decimal point falls within (-4, 16] digits, else as 1.5e-07 / 1e+16.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	epos := strings.IndexByte(s, 'e')
	digits := strings.Replace(s[:epos], ".", "", 1)
	exp, _ := strconv.Atoi(s[epos+1:])
	decpt := exp + 1
	var out string
	switch {
	case decpt > -4 && decpt <= 16:
		switch {
		case decpt <= 0:
			out = "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			out = digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			out = digits[:decpt] + "." + digits[decpt:]
		}
	default:
		mant := digits[:1]
		if len(digits) > 1 {
			mant += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		es := strconv.Itoa(exp)
		if len(es) < 2 {
			es = "0" + es
		}
		out = mant + "e" + sign + es
	}
	if neg {
		out = "-" + out
	}
	return out
}

// pyPrintable approximates str.isprintable for one non-ASCII rune: Python escapes separators,
// format and control characters, and non-space whitespace in repr().
func pyPrintable(r rune) bool {
	return unicode.IsPrint(r)
}

// pyIsSpace is str.isspace / str.strip()'s notion of whitespace for one rune.
func pyIsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x1f, 0x85:
		return true
	}
	return r > 0x7f && unicode.IsSpace(r)
}
