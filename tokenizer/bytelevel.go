package tokenizer

// The GPT-2 byte-to-unicode table: printable Latin-1 bytes stand for
// themselves, the other 68 bytes are shifted to U+0100.. in byte order, so
// every byte string becomes a printable string.
var (
	byteToRune [256]rune
	byteToStr  [256]string
	runeToByte map[rune]byte
)

func init() {
	runeToByte = make(map[rune]byte, 256)
	n := 0
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		r := rune(b)
		if !printable {
			r = rune(256 + n)
			n++
		}
		byteToRune[b] = r
		byteToStr[b] = string(r)
		runeToByte[r] = byte(b)
	}
}

// byteLevelEncode maps every byte of s to its stand-in rune.
func byteLevelEncode(s string) string {
	buf := make([]byte, 0, len(s)*2)
	for i := 0; i < len(s); i++ {
		buf = append(buf, byteToStr[s[i]]...)
	}
	return string(buf)
}

// byteLevelDecodeToken appends the bytes a byte-level token stands for; a
// token holding a rune outside the table (an added token such as "<|x|>" with
// non-table characters) is taken as its own UTF-8, as Hugging Face does.
func byteLevelDecodeToken(dst []byte, tok string) []byte {
	start := len(dst)
	for _, r := range tok {
		b, ok := runeToByte[r]
		if !ok {
			return append(dst[:start], tok...)
		}
		dst = append(dst, b)
	}
	return dst
}
