package tokenizer

import "strings"

// TokenBytes returns the bytes a token stands for in the text, as a
// sampler, a stop-sequence matcher or the OpenAI API's logprobs "bytes"
// need them: for byte-level BPE the bytes behind its printable stand-ins,
// for byte-fallback tokens ("<0xE4>") the single byte (possibly part of a
// UTF-8 character), for SentencePiece pieces the text with "▁" as a space
// (a word-initial token keeps its space, which Decode drops at the very
// start), and for added tokens their content. Other tokens give their
// string. Unknown ids give nil.
func (t *Tokenizer) TokenBytes(id int) []byte {
	tok, ok := t.IDToToken(id)
	if !ok {
		return nil
	}
	if _, added := t.added.byID[id]; added {
		return []byte(tok)
	}
	kind := t.bytesKind
	if kind.byteLevel {
		return byteLevelDecodeToken(nil, tok)
	}
	if kind.byteFallback && len(tok) == 6 && strings.HasPrefix(tok, "<0x") && tok[5] == '>' {
		if b, ok := parseHexByte(tok[3:5]); ok {
			return []byte{b}
		}
	}
	if kind.meta != "" {
		tok = strings.ReplaceAll(tok, kind.meta, " ")
	}
	return []byte(tok)
}

type bytesKind struct {
	byteLevel, byteFallback bool
	meta                    string // the rune decoders turn into a space
}

// tokenBytesKind reads what the decoder chain does to single tokens.
func (t *Tokenizer) tokenBytesKind() bytesKind {
	var k bytesKind
	var walk func(d decoder)
	walk = func(d decoder) {
		switch v := d.(type) {
		case seqDecoder:
			for _, x := range v {
				walk(x)
			}
		case byteLevelDecoder:
			k.byteLevel = true
		case byteFallbackDecoder:
			k.byteFallback = true
		case metaspaceDecoder:
			k.meta = string(v.replacement)
		case replaceDecoder:
			if sp, ok := v.pat.(stringPattern); ok && v.content == " " {
				k.meta = sp.lit
			}
		}
	}
	if t.dec != nil {
		walk(t.dec)
	}
	return k
}

func parseHexByte(s string) (byte, bool) {
	var b byte
	for i := 0; i < 2; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b = b<<4 | (c - '0')
		case c >= 'A' && c <= 'F':
			b = b<<4 | (c - 'A' + 10)
		case c >= 'a' && c <= 'f':
			b = b<<4 | (c - 'a' + 10)
		default:
			return 0, false
		}
	}
	return b, true
}
