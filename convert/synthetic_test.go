package convert

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
)

// writeHF writes an HF folder with a random-weight model for cfg (merged
// over a small Qwen3 base) and the tokenizer files of the fixture folder
// tokDir, so recipes can be tried on shapes wider than the fixtures.
func writeHF(t testing.TB, overrides map[string]any, tokDir string, scale float32) string {
	t.Helper()
	cfg := map[string]any{
		"architectures": []string{"Qwen3ForCausalLM"}, "model_type": "qwen3",
		"vocab_size": 448, "hidden_size": 256, "intermediate_size": 256, "num_hidden_layers": 4,
		"num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 32,
		"max_position_embeddings": 512, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
		"hidden_act": "silu", "tie_word_embeddings": true, "bos_token_id": 384, "eos_token_id": 386,
	}
	for k, v := range overrides {
		cfg[k] = v
	}
	raw, _ := json.Marshal(cfg)
	c, err := model.ParseHFConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "synthetic")
	if d, ok := cfg["_dir"].(string); ok {
		dir = d
		delete(cfg, "_dir")
		raw, _ = json.Marshal(cfg)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("config.json", raw)
	for _, f := range []string{"tokenizer.json", "tokenizer_config.json", "chat_template.jinja"} {
		if data, err := os.ReadFile(filepath.Join(tokDir, f)); err == nil {
			write(f, data)
		}
	}
	rng := rand.New(rand.NewPCG(7, uint64(len(raw))))
	var ts []safetensors.Tensor
	add := func(name string, s float32, norm bool, shape ...int64) {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64()) * s
			if norm {
				v[i] += 1
			}
		}
		ts = append(ts, safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: shape,
			Data: unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))})
	}
	// One shard per layer bounds the memory a real-shape model takes.
	flush := func(name string) {
		if len(ts) == 0 {
			return
		}
		if err := safetensors.WriteFile(filepath.Join(dir, name), ts, map[string]string{"format": "pt"}); err != nil {
			t.Fatal(err)
		}
		ts = nil
	}
	h, v := int64(c.HiddenSize), int64(c.VocabSize)
	q, kv, ff := int64(c.NumHeads*c.HeadDim), int64(c.NumKVHeads*c.HeadDim), int64(c.IntermediateSize)
	add("model.embed_tokens.weight", 0.15, false, v, h)
	add("model.norm.weight", 0.1, true, h)
	if !c.TieWordEmbeddings {
		add("lm_head.weight", scale, false, v, h)
	}
	for l := 0; l < c.NumLayers; l++ {
		p := func(s string) string { return model.LayerName(l, s) }
		add(p("input_layernorm.weight"), 0.1, true, h)
		add(p("post_attention_layernorm.weight"), 0.1, true, h)
		add(p("self_attn.q_proj.weight"), scale, false, q, h)
		add(p("self_attn.k_proj.weight"), scale, false, kv, h)
		add(p("self_attn.v_proj.weight"), scale, false, kv, h)
		add(p("self_attn.o_proj.weight"), scale, false, h, q)
		if c.QKNorm || cfg["model_type"] == "qwen3_moe" {
			add(p("self_attn.q_norm.weight"), 0.1, true, int64(c.HeadDim))
			add(p("self_attn.k_norm.weight"), 0.1, true, int64(c.HeadDim))
		}
		if c.AttentionBias {
			add(p("self_attn.q_proj.bias"), 0.1, false, q)
			add(p("self_attn.k_proj.bias"), 0.1, false, kv)
			add(p("self_attn.v_proj.bias"), 0.1, false, kv)
		}
		if experts, _ := cfg["num_experts"].(int); experts > 0 {
			mi := int64(cfg["moe_intermediate_size"].(int))
			add(p("mlp.gate.weight"), scale, false, int64(experts), h)
			for e := 0; e < experts; e++ {
				x := func(s string) string { return p(fmt.Sprintf("mlp.experts.%d.%s", e, s)) }
				add(x("gate_proj.weight"), scale, false, mi, h)
				add(x("up_proj.weight"), scale, false, mi, h)
				add(x("down_proj.weight"), scale, false, h, mi)
			}
		} else {
			add(p("mlp.gate_proj.weight"), scale, false, ff, h)
			add(p("mlp.up_proj.weight"), scale, false, ff, h)
			add(p("mlp.down_proj.weight"), scale, false, h, ff)
		}
		flush(fmt.Sprintf("model-layer%03d.safetensors", l))
	}
	flush("model.safetensors")
	return dir
}
