package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEncode: no input makes any tokenizer panic; byte-level Llama 3 (no
// normalizer) decodes back to exactly its input; streaming gives the same
// text as a whole decode.
func FuzzEncode(f *testing.F) {
	for _, s := range loadCorpus(f)[:80] {
		f.Add(s)
	}
	f.Add("\xff\xfe invalid \xe4\xb8 utf8 \xf0\x9f\x98")
	f.Add("<|im_start|><|im_end|>\x00")
	toks := map[string]*Tokenizer{}
	for _, name := range goldenTokenizers {
		toks[name] = loadTestTokenizer(f, name)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, tk := range toks {
			ids := tk.Encode(s, true)
			for _, id := range ids {
				if _, ok := tk.IDToToken(id); !ok {
					t.Fatalf("%s: id %d has no token", name, id)
				}
			}
			text := tk.Decode(ids, false)
			d := tk.NewStreamDecoder(false)
			var b strings.Builder
			for _, id := range ids {
				b.WriteString(d.Add(id))
			}
			if got := b.String(); !strings.HasSuffix(text, "\uFFFD") && got != text {
				t.Fatalf("%s: stream %q != decode %q", name, got, text)
			}
			if name == "llama3" {
				if plain := tk.Decode(tk.Encode(s, false), false); plain != validUTF8(s) {
					t.Fatalf("llama3 round trip: %q -> %q", s, plain)
				}
			}
		}
	})
}

// FuzzLoad: no tokenizer.json, however broken, makes loading or using the
// result panic.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		miniBPE, miniWordPiece, miniUnigram,
		`{"model":{"type":"BPE","vocab":{"a":0},"merges":["a a"]}}`,
		`{"model":{"type":"Nope"}}`,
		`{"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAAA"},"model":{"type":"WordPiece","vocab":{"[UNK]":0}}}`,
		`{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"(a|b)+"},"behavior":"Contiguous","invert":true},"model":{"type":"Unigram","vocab":[["a",-1]],"unk_id":0}}`,
		`{"added_tokens":[{"id":5,"content":"<x>","special":true}],"model":{"type":"BPE","vocab":{},"merges":[]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := FromJSON(data)
		if err != nil {
			return
		}
		for _, s := range []string{"", "hello world", "a<x>b  \n中文 123 ▁", "\xff"} {
			ids := tk.Encode(s, true)
			out := tk.Decode(ids, false)
			if !utf8.ValidString(out) {
				t.Fatalf("decode gave invalid UTF-8 %q", out)
			}
			d := tk.NewStreamDecoder(true)
			for _, id := range ids {
				d.Add(id)
			}
		}
		tk.Decode([]int{-1, 0, 1 << 30}, true)
	})
}

// FuzzRegex: any pattern either fails to compile or runs to completion
// without panicking, and matches lie inside the input in order.
func FuzzRegex(f *testing.F) {
	for _, p := range []string{patGPT2, patLlama3, `(a|b)*c`, `(?i:x+)(?!y)`, `(?<=a)b+?`, `[^\s\p{L}]{2,}`, `((a*)*)*b`} {
		f.Add(p, "aab xYz 12 é中")
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 40 || len(s) > 40 {
			return
		}
		re, err := compileRegex(pat)
		if err != nil {
			return
		}
		s = validUTF8(s)
		prev := 0
		for _, m := range re.findAll(s, nil) {
			if m[0] < prev || m[1] < m[0] || m[1] > len(s) {
				t.Fatalf("%q on %q: bad match %v", pat, s, m)
			}
			prev = m[1]
		}
	})
}
