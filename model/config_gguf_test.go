package model

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/quant"
)

// ggufWith builds an in-memory GGUF with llama metadata and a q bias tensor
// (so biases are inferred), then applies extra keys.
func ggufWith(t testing.TB, arch string, extra map[string]any) (*gguf.File, error) {
	w := gguf.NewWriter()
	w.Set("general.architecture", arch)
	for k, v := range map[string]any{
		"block_count": uint32(2), "embedding_length": uint32(64), "feed_forward_length": uint32(128),
		"attention.head_count": uint32(4), "attention.head_count_kv": uint32(2), "context_length": uint32(512),
		"attention.layer_norm_rms_epsilon": float32(1e-5), "rope.freq_base": float32(10000), "vocab_size": uint32(100),
	} {
		w.Set(arch+"."+k, v)
	}
	for k, v := range extra {
		w.Set(k, v)
	}
	w.AddTensor("blk.0.attn_q.bias", quant.F32, []int64{64}, make([]byte, 256))
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return gguf.Parse("test.gguf", buf.Bytes())
}

func TestConfigFromGGUF(t *testing.T) {
	f, err := ggufWith(t, "qwen2", map[string]any{"qwen2.rope.scaling.type": "yarn", "qwen2.rope.scaling.factor": float32(4),
		"qwen2.rope.scaling.original_context_length": uint32(128)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ConfigFromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	if c.Architecture != "Qwen2ForCausalLM" || !c.RopeNeoX || !c.AttentionBias || c.OutputBias || !c.TieWordEmbeddings ||
		c.HeadDim != 16 || c.RotaryDim != 16 || c.RopeScaling.Type != "yarn" || c.RopeScaling.OriginalMaxPositionEmbeddings != 128 {
		t.Errorf("config %+v", c)
	}
	f, _ = ggufWith(t, "llama", nil)
	if c, err := ConfigFromGGUF(f); err != nil || c.RopeNeoX {
		t.Errorf("llama GGUF: RopeNeoX %v, %v (adjacent pairs expected)", c.RopeNeoX, err)
	}
	f, _ = ggufWith(t, "llama", map[string]any{"llama.attention.head_count_kv": uint32(3), "llama.block_count": "two"})
	_, err = ConfigFromGGUF(f)
	if err == nil || !strings.Contains(err.Error(), `"llama.block_count" is string`) {
		t.Errorf("wrong-typed key: %v", err)
	}
	f, _ = ggufWith(t, "llama", map[string]any{"llama.attention.head_count_kv": uint32(3)})
	_, err = ConfigFromGGUF(f)
	if err == nil || !strings.Contains(err.Error(), "num_attention_heads (4) is not a multiple of num_key_value_heads (3)") {
		t.Errorf("inconsistent heads: %v", err)
	}
}

func FuzzConfigFromGGUF(f *testing.F) {
	f.Add("llama", uint32(2), uint32(4), uint32(2), uint32(0), uint32(0), "")
	f.Add("qwen3", uint32(1<<31), uint32(0), uint32(7), uint32(16), uint32(8), "yarn")
	f.Add("qwen2", uint32(3), uint32(4), uint32(4), uint32(64), uint32(4), "linear")
	f.Fuzz(func(t *testing.T, arch string, layers, heads, kvHeads, keyLen, window uint32, scaling string) {
		f, err := ggufWith(t, arch, map[string]any{
			arch + ".block_count": layers, arch + ".attention.head_count": heads, arch + ".attention.head_count_kv": kvHeads,
			arch + ".attention.key_length": keyLen, arch + ".attention.sliding_window": window,
			arch + ".rope.scaling.type": scaling, arch + ".rope.scaling.factor": float32(2),
		})
		if err != nil {
			return
		}
		c, err := ConfigFromGGUF(f)
		if err != nil {
			return
		}
		if c.KVWidth() <= 0 || c.NumLayers > maxLayers {
			t.Fatalf("validated config: %+v", c)
		}
	})
}
