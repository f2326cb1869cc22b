package tokenizer

import (
	"strconv"
	"strings"
)

// decoder turns tokens back into text pieces; the final text is the
// concatenation of the last decoder's output.
type decoder interface {
	decodeChain(tokens []string) []string
}

type seqDecoder []decoder

func (s seqDecoder) decodeChain(t []string) []string {
	for _, d := range s {
		t = d.decodeChain(t)
	}
	return t
}

type byteLevelDecoder struct{}

func (byteLevelDecoder) decodeChain(t []string) []string {
	var buf []byte
	for _, tok := range t {
		buf = byteLevelDecodeToken(buf, tok)
	}
	return []string{lossyBytes(buf)}
}

type metaspaceDecoder struct {
	replacement rune
	scheme      prependScheme
}

func (m metaspaceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, tok := range t {
		var b strings.Builder
		for _, r := range tok {
			if r == m.replacement {
				if i == 0 && m.scheme != prependNever {
					continue
				}
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(r)
		}
		out[i] = b.String()
	}
	return out
}

type wordPieceDecoder struct {
	prefix  string
	cleanup bool
}

func (w wordPieceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, tok := range t {
		if i != 0 {
			if strings.HasPrefix(tok, w.prefix) {
				tok = strings.Replace(tok, w.prefix, "", 1)
			} else {
				tok = " " + tok
			}
		}
		if w.cleanup {
			tok = cleanupSpaces(tok)
		}
		out[i] = tok
	}
	return out
}

var cleanupReplacer = []struct{ from, to string }{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
	{" n't", "n't"}, {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"},
	{" 've", "'ve"}, {" 're", "'re"},
}

// cleanupSpaces is the "clean up tokenization spaces" rewrite, applied in
// sequence as Hugging Face does (order matters).
func cleanupSpaces(s string) string {
	for _, r := range cleanupReplacer {
		s = strings.ReplaceAll(s, r.from, r.to)
	}
	return s
}

type byteFallbackDecoder struct{}

func (byteFallbackDecoder) decodeChain(t []string) []string {
	out := make([]string, 0, len(t))
	var pending []byte
	flush := func() {
		if len(pending) == 0 {
			return
		}
		if s := string(pending); isValidUTF8(s) {
			out = append(out, s)
		} else {
			for range pending {
				out = append(out, "\uFFFD")
			}
		}
		pending = pending[:0]
	}
	for _, tok := range t {
		if len(tok) == 6 && strings.HasPrefix(tok, "<0x") && tok[5] == '>' {
			if b, err := strconv.ParseUint(tok[3:5], 16, 8); err == nil {
				pending = append(pending, byte(b))
				continue
			}
		}
		flush()
		out = append(out, tok)
	}
	flush()
	return out
}

type fuseDecoder struct{}

func (fuseDecoder) decodeChain(t []string) []string { return []string{strings.Join(t, "")} }

type stripDecoder struct {
	content     rune
	start, stop int
}

func (s stripDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, tok := range t {
		rs := []rune(tok)
		lo := 0
		for j := 0; j < s.start && j < len(rs); j++ {
			if rs[j] != s.content {
				break
			}
			lo = j + 1
		}
		hi := len(rs)
		for j := 0; j < s.stop; j++ {
			k := len(rs) - j - 1
			if k < 0 || rs[k] != s.content {
				break
			}
			hi = k
		}
		if hi < lo {
			hi = lo
		}
		out[i] = string(rs[lo:hi])
	}
	return out
}

type replaceDecoder struct {
	pat     pattern
	content string
}

func (r replaceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, tok := range t {
		out[i] = replaceAll(tok, r.pat, r.content)
	}
	return out
}

type bpeDecoder struct{ suffix string }

func (b bpeDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, tok := range t {
		rep := " "
		if i == len(t)-1 {
			rep = ""
		}
		out[i] = strings.ReplaceAll(tok, b.suffix, rep)
	}
	return out
}

// ctcDecoder collapses repeats, drops the pad token and cleans up.
type ctcDecoder struct {
	pad, delim string
	cleanup    bool
}

func (c ctcDecoder) decodeChain(t []string) []string {
	var out []string
	for i, tok := range t {
		if i > 0 && tok == t[i-1] {
			continue
		}
		tok = strings.ReplaceAll(tok, c.pad, "")
		if c.cleanup {
			tok = strings.ReplaceAll(cleanupSpaces(tok), c.delim, " ")
		}
		if tok != "" {
			out = append(out, tok)
		}
	}
	return out
}

// CleanUpTokenizationSpaces is transformers' clean_up_tokenization: it
// removes the space before punctuation and English contractions. Decode
// does not apply it (HF tokenizers does not); transformers does when
// tokenizer_config.json says clean_up_tokenization_spaces (see
// Tokenizer.CleansUpSpaces).
func CleanUpTokenizationSpaces(s string) string {
	for _, r := range transformersCleanup {
		s = strings.ReplaceAll(s, r.from, r.to)
	}
	return s
}

var transformersCleanup = []struct{ from, to string }{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
	{" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
}
