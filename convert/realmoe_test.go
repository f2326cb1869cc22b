package convert

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteRealShapeMoE writes a random-weight Qwen3-MoE in a real shape
// (hidden 1024, 12 layers, 64 experts of which 8 active, expert FFN 512,
// Qwen3's 151936-token vocabulary) as an HF folder and converts it to Q8_0
// and Q4_K_M in $FERRUM_REAL_MOE_OUT, for speed work against llama.cpp.
// It takes minutes and gigabytes, so it runs only when that is set.
func TestWriteRealShapeMoE(t *testing.T) {
	out := os.Getenv("FERRUM_REAL_MOE_OUT")
	if out == "" {
		t.Skip("set FERRUM_REAL_MOE_OUT to a folder to write the real-shape Qwen3-MoE GGUFs")
	}
	over := moeOverrides(1024, 16, 64, 8, 512, 12)
	over["num_key_value_heads"], over["head_dim"] = 8, 128
	over["vocab_size"], over["intermediate_size"] = 151936, 3072
	over["max_position_embeddings"] = 40960
	dir := writeHF(t, over, "../testdata/moe/qwen3moe", 0.03)
	for _, ft := range []FileType{Q8_0, Q4_K_M} {
		dst := filepath.Join(out, "qwen3moe-1024x12-64e8a-"+ft.String()+".gguf")
		rep, err := Convert(dir, dst, Options{Type: ft, Name: "qwen3moe-random-1024x12-64e8a"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d tensors, %d -> %d bytes, %d fallbacks", dst, len(rep.Tensors), rep.InBytes, rep.OutBytes, rep.Fallbacks)
	}
}
