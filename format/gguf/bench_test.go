package gguf

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkParseVocab parses the metadata of a Qwen-sized vocabulary
// (152k tokens, 151k merges, 152k token types), which dominates opening a
// real GGUF file.
func BenchmarkParseVocab(b *testing.B) {
	const n = 152000
	tokens := make([]string, n)
	merges := make([]string, n)
	types := make([]int32, n)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("tok%d", i)
		merges[i] = fmt.Sprintf("t%d o%d", i, i)
		types[i] = 1
	}
	w := NewWriter()
	w.Set("tokenizer.ggml.tokens", tokens)
	w.Set("tokenizer.ggml.merges", merges)
	w.Set("tokenizer.ggml.token_type", types)
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for range b.N {
		if _, err := Parse("vocab", buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}
