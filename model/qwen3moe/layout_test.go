package qwen3moe

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
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

func f32Bytes(v []float32) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)) }

// TestFusedLayout: the qwen3moe fixture rewritten in transformers 5's
// in-memory layout (mlp.experts.gate_up_proj [E, 2I, H], gate rows first;
// mlp.experts.down_proj [E, H, I]) gives the same logits as the per-expert
// hub layout transformers writes to disk.
func TestFusedLayout(t *testing.T) {
	src := filepath.Join(fixturesDir, "qwen3moe")
	ref := loadReference(t, src)
	ck, err := safetensors.OpenCheckpoint(src)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	cfg, err := model.LoadHFConfig(src)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(src, "config.json"))
	moe, _ := ParseHFMoEConfig(raw)
	var ts []safetensors.Tensor
	for _, n := range ck.Names() {
		if expertName.MatchString(n) {
			continue
		}
		info, _ := ck.Info(n)
		v, err := ck.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, safetensors.Tensor{Name: n, DType: safetensors.F32, Shape: info.Shape, Data: f32Bytes(v)})
	}
	E, I, H := moe.NumExperts, moe.MoEIntermediateSize, cfg.HiddenSize
	for l := 0; l < cfg.NumLayers; l++ {
		var gateUp, down []float32
		for e := 0; e < E; e++ {
			for _, p := range []string{"gate", "up"} {
				v, err := ck.Float32(model.LayerName(l, fmt.Sprintf("mlp.experts.%d.%s_proj.weight", e, p)))
				if err != nil {
					t.Fatal(err)
				}
				gateUp = append(gateUp, v...)
			}
			v, err := ck.Float32(model.LayerName(l, fmt.Sprintf("mlp.experts.%d.down_proj.weight", e)))
			if err != nil {
				t.Fatal(err)
			}
			down = append(down, v...)
		}
		ts = append(ts,
			safetensors.Tensor{Name: model.LayerName(l, "mlp.experts.gate_up_proj"), DType: safetensors.F32,
				Shape: []int64{int64(E), int64(2 * I), int64(H)}, Data: f32Bytes(gateUp)},
			safetensors.Tensor{Name: model.LayerName(l, "mlp.experts.down_proj"), DType: safetensors.F32,
				Shape: []int64{int64(E), int64(H), int64(I)}, Data: f32Bytes(down)})
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Cases {
		got := modeltest.PromptLogits(t, dir, [][]int32{c.InputIDs})[0]
		if e := modeltest.RelErr(got, c.Logits); e > 1e-4 {
			t.Errorf("case %s: fused layout differs from transformers by %.3g of the logit scale", c.Name, e)
		}
	}
}

// TestBF16: the bf16 fixture's weights run through the BF16 kernels give
// what their values give as F32 (GGUF F32 and GGUF BF16 conversions of the
// same folder). transformers' own bf16 run rounds every activation and
// flips expert choices, so it is logged, not asserted.
func TestBF16(t *testing.T) {
	dir := filepath.Join(fixturesDir, "qwen3moe_bf16")
	ref := loadReference(t, dir)
	var prompts [][]int32
	for _, c := range ref.Cases {
		prompts = append(prompts, c.InputIDs)
	}
	st := modeltest.PromptLogits(t, dir, prompts)
	asF32 := modeltest.PromptLogits(t, toGGUF(t, dir, quant.F32), prompts)
	asBF16 := modeltest.PromptLogits(t, toGGUF(t, dir, quant.BF16), prompts)
	agree, total := 0, 0
	for i, c := range ref.Cases {
		if e := modeltest.RelErr(st[i], asF32[i]); e > 1e-5 {
			t.Errorf("case %s: BF16 safetensors vs the same values in F32 differ by %.3g", c.Name, e)
		}
		if e := modeltest.RelErr(asBF16[i], st[i]); e > 1e-6 {
			t.Errorf("case %s: GGUF BF16 vs safetensors BF16 differ by %.3g", c.Name, e)
		}
		for r := range c.Logits {
			total++
			if model.Argmax(st[i][r]) == model.Argmax(c.Logits[r]) {
				agree++
			}
		}
	}
	t.Logf("top-1 agreement with transformers computing in bf16: %d/%d", agree, total)
}

// writeSyntheticMoE writes a random Qwen3-MoE checkpoint (per-expert
// layout) with the given expert counts.
func writeSyntheticMoE(t testing.TB, experts, active, layers int) string {
	t.Helper()
	cfg := map[string]any{
		"architectures": []string{"Qwen3MoeForCausalLM"}, "model_type": "qwen3_moe",
		"vocab_size": 64, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": layers,
		"num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 256,
		"rms_norm_eps": 1e-6, "rope_theta": 1e6, "hidden_act": "silu", "tie_word_embeddings": true,
		"num_experts": experts, "num_experts_per_tok": active, "moe_intermediate_size": 32,
		"norm_topk_prob": true, "decoder_sparse_step": 1, "mlp_only_layers": []int{},
	}
	raw, _ := json.Marshal(cfg)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, uint64(experts)))
	var ts []safetensors.Tensor
	add := func(name string, scale, offset float32, shape ...int64) {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = offset + (rng.Float32()*2-1)*scale
		}
		ts = append(ts, safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: shape, Data: f32Bytes(v)})
	}
	add("model.embed_tokens.weight", 1, 0, 64, 64)
	add("model.norm.weight", 0.1, 1, 64)
	for l := 0; l < layers; l++ {
		p := func(s string) string { return model.LayerName(l, s) }
		add(p("input_layernorm.weight"), 0.1, 1, 64)
		add(p("post_attention_layernorm.weight"), 0.1, 1, 64)
		add(p("self_attn.q_proj.weight"), 0.2, 0, 64, 64)
		add(p("self_attn.k_proj.weight"), 0.2, 0, 32, 64)
		add(p("self_attn.v_proj.weight"), 0.2, 0, 32, 64)
		add(p("self_attn.o_proj.weight"), 0.2, 0, 64, 64)
		add(p("self_attn.q_norm.weight"), 0.1, 1, 16)
		add(p("self_attn.k_norm.weight"), 0.1, 1, 16)
		add(p("mlp.gate.weight"), 0.3, 0, int64(experts), 64)
		for e := 0; e < experts; e++ {
			add(p(fmt.Sprintf("mlp.experts.%d.gate_proj.weight", e)), 0.2, 0, 32, 64)
			add(p(fmt.Sprintf("mlp.experts.%d.up_proj.weight", e)), 0.2, 0, 32, 64)
			add(p(fmt.Sprintf("mlp.experts.%d.down_proj.weight", e)), 0.2, 0, 64, 32)
		}
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}
