package llama

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
)

// writeSynthetic writes an HF folder holding a random-weight model for the
// config fields given (merged over a small Qwen3-like base), so invariance
// and loading tests run without fixtures.
func writeSynthetic(t testing.TB, overrides map[string]any) string {
	t.Helper()
	cfg := map[string]any{
		"architectures": []string{"Qwen3ForCausalLM"}, "model_type": "qwen3",
		"vocab_size": 97, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
		"max_position_embeddings": 256, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
		"hidden_act": "silu", "tie_word_embeddings": false,
	}
	// "_weight_scale" scales the matrices (not part of the config): wide
	// models need smaller weights to stay out of chaos.
	// "_drop" leaves a tensor out and "_transpose" stores one with its
	// shape reversed, for load-error tests.
	wscale := float32(1)
	var drop, transpose string
	for k, v := range overrides {
		switch k {
		case "_weight_scale":
			wscale = float32(v.(float64))
		case "_drop":
			drop = v.(string)
		case "_transpose":
			transpose = v.(string)
		default:
			cfg[k] = v
		}
	}
	raw, _ := json.Marshal(cfg)
	c, err := model.ParseHFConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, uint64(len(raw))))
	var ts []safetensors.Tensor
	add := func(name string, scale float32, shape ...int64) {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = (rng.Float32()*2 - 1) * scale
		}
		if len(shape) == 1 && scale == 0.1 { // norm weights around 1
			for i := range v {
				v[i] += 1
			}
		} else if len(shape) == 2 && name != "lm_head.weight" && name != "model.embed_tokens.weight" {
			for i := range v {
				v[i] *= wscale
			}
		}
		if name == drop {
			return
		}
		if name == transpose {
			shape = []int64{shape[1], shape[0]}
		}
		ts = append(ts, safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: shape,
			Data: unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))})
	}
	h, inter := int64(c.HiddenSize), int64(c.IntermediateSize)
	q, kv := int64(c.NumHeads*c.HeadDim), int64(c.NumKVHeads*c.HeadDim)
	add("model.embed_tokens.weight", 1, int64(c.VocabSize), h)
	for l := 0; l < c.NumLayers; l++ {
		p := func(s string) string { return model.LayerName(l, s) }
		add(p("input_layernorm.weight"), 0.1, h)
		add(p("post_attention_layernorm.weight"), 0.1, h)
		add(p("self_attn.q_proj.weight"), 0.3, q, h)
		add(p("self_attn.k_proj.weight"), 0.3, kv, h)
		add(p("self_attn.v_proj.weight"), 0.3, kv, h)
		add(p("self_attn.o_proj.weight"), 0.3, h, q)
		if c.AttentionBias {
			add(p("self_attn.q_proj.bias"), 0.2, q)
			add(p("self_attn.k_proj.bias"), 0.2, kv)
			add(p("self_attn.v_proj.bias"), 0.2, kv)
		}
		if c.OutputBias {
			add(p("self_attn.o_proj.bias"), 0.2, h)
		}
		if c.QKNorm {
			add(p("self_attn.q_norm.weight"), 0.1, int64(c.HeadDim))
			add(p("self_attn.k_norm.weight"), 0.1, int64(c.HeadDim))
		}
		add(p("mlp.gate_proj.weight"), 0.3, inter, h)
		add(p("mlp.up_proj.weight"), 0.3, inter, h)
		add(p("mlp.down_proj.weight"), 0.3, h, inter)
	}
	add("model.norm.weight", 0.1, h)
	if !c.TieWordEmbeddings {
		add("lm_head.weight", 0.5, int64(c.VocabSize), h)
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}
