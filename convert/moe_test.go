package convert

import (
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/ferrum-go/ferrum/model/qwen3moe"
	"github.com/ferrum-go/ferrum/quant"
)

// TestQwen3MoeToGGUF: the Qwen3-MoE fixture converted at F32 gives the
// safetensors logits; at Q8_0 the same distributions within quantization
// noise; the header carries llama.cpp's expert keys and the experts are
// 3-D stacks.
func TestQwen3MoeToGGUF(t *testing.T) {
	dir := filepath.Join("../testdata/moe", "qwen3moe")
	_, f32, rep := convertF32Exact(t, dir, referencePrompts(t, dir))
	stacks := 0
	for _, tr := range rep.Tensors {
		if strings.Contains(tr.Name, "_exps.") {
			stacks++
			if len(tr.Dims) != 3 || tr.Dims[2] != 8 {
				t.Errorf("%s has dims %v, want [cols rows 8]", tr.Name, tr.Dims)
			}
		}
	}
	if stacks != 3*3 {
		t.Errorf("%d expert stacks, want 9", stacks)
	}

	// The fixture's experts are 48 wide, which Q8_0 blocks of 32 do not
	// divide; llama-quantize refuses it too (no fallback for Q8_0).
	if _, err := Plan(dir, Options{Type: Q8_0}); err == nil || !strings.Contains(err.Error(), "ffn_down_exps") {
		t.Errorf("Q8_0 of 48-wide experts: err = %v, want one naming ffn_down_exps", err)
	}
	// The fixture is too sharp for quantized logits to say much (even F16
	// moves its mean KL to 0.1), so Q4_K_M is checked for being exactly
	// what requantizing the F32 GGUF gives, the path checked against
	// llama-quantize.
	q4, _ := convertTo(t, dir, Q4_K_M)
	q4g, _ := convertTo(t, f32, Q4_K_M)
	sameGGUF(t, q4, q4g)
	checkMoEHeader(t, q4, 8, 2, 48)
}

// TestQwen3MoeSyntheticQ8 converts a random Qwen3-MoE with 64-wide experts
// to Q8_0: every matrix but the router is Q8_0 and the logits stay close.
func TestQwen3MoeSyntheticQ8(t *testing.T) {
	dir := writeHF(t, moeOverrides(128, 4, 8, 2, 64, 2), "../testdata/moe/qwen3moe", 0.08)
	prompts := [][]int32{{1, 2, 3, 4, 5}, {100, 7, 300, 9}, {384, 11, 12}}
	want := lastLogits(t, dir, prompts)
	_, q8, rep := convertWithinKL(t, dir, Q8_0, prompts, want, 0.01)
	for _, tr := range rep.Tensors {
		want := quant.Q8_0
		if nDims(tr.Dims) == 1 || strings.HasSuffix(tr.Name, "ffn_gate_inp.weight") {
			want = quant.F32
		}
		if tr.To != want {
			t.Errorf("Q8_0: %s is %s, want %s", tr.Name, tr.To, want)
		}
	}
	checkMoEHeader(t, q8, 8, 2, 64)
	convertWithinKL(t, dir, Q4_K_M, prompts, want, 0.05)
}

// moeOverrides turns writeHF's Qwen3 base into a Qwen3-MoE.
func moeOverrides(hidden, heads, experts, used, expertFF, layers int) map[string]any {
	return map[string]any{
		"architectures": []string{"Qwen3MoeForCausalLM"}, "model_type": "qwen3_moe",
		"hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": 2, "head_dim": 32,
		"num_experts": experts, "num_experts_per_tok": used, "moe_intermediate_size": expertFF,
		"norm_topk_prob": true, "decoder_sparse_step": 1, "num_hidden_layers": layers, "tie_word_embeddings": false,
	}
}

func checkMoEHeader(t *testing.T, path string, experts, used, ff uint64) {
	t.Helper()
	md := readGGUF(t, path).Metadata
	if a, _ := md.String("general.architecture"); a != "qwen3moe" {
		t.Errorf("general.architecture = %q", a)
	}
	for key, v := range map[string]uint64{"expert_count": experts, "expert_used_count": used, "expert_feed_forward_length": ff} {
		if got, err := md.Uint("qwen3moe." + key); err != nil || got != v {
			t.Errorf("qwen3moe.%s = %d (%v), want %d", key, got, err, v)
		}
	}
	for _, e := range md.KVs() {
		if strings.HasPrefix(e.Key, "qwen3.") {
			t.Errorf("key %s under the dense prefix", e.Key)
		}
	}
}

// TestQwen3MoeRecipeMatchesGGUF: planning from the HF folder and from the
// F32 GGUF made of it picks the same type for every tensor at every file
// type, so the HF path sees the expert count the recipe's MoE rules need.
func TestQwen3MoeRecipeMatchesGGUF(t *testing.T) {
	dir := filepath.Join("../testdata/moe", "qwen3moe")
	f32, _ := convertTo(t, dir, AllF32)
	for _, ft := range []FileType{Q4_K_M, Q2_K, Q3_K_M, Q5_K_S, Q6_K, IQ4_XS} {
		a, err := Plan(dir, Options{Type: ft})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Plan(f32, Options{Type: ft})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Tensors) != len(b.Tensors) {
			t.Fatalf("%s: %d tensors from HF, %d from GGUF", ft, len(a.Tensors), len(b.Tensors))
		}
		for i := range a.Tensors {
			x, y := a.Tensors[i], b.Tensors[i]
			if x.Name != y.Name || x.To != y.To {
				t.Errorf("%s: HF %s -> %s, GGUF %s -> %s", ft, x.Name, x.To, y.Name, y.To)
			}
		}
	}
}

// TestQwen3MoeRouterF32: a BF16 checkpoint's routers are written as F32 at
// F16, as convert_hf_to_gguf.py writes ffn_gate_inp.
func TestQwen3MoeRouterF32(t *testing.T) {
	rep, err := Plan("../testdata/moe/qwen3moe_bf16", Options{Type: F16})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range rep.Tensors {
		if strings.HasSuffix(tr.Name, "ffn_gate_inp.weight") && tr.To != quant.F32 {
			t.Errorf("%s is %s, want F32", tr.Name, tr.To)
		}
		if strings.HasSuffix(tr.Name, "_exps.weight") && tr.To != quant.F16 {
			t.Errorf("%s is %s, want F16", tr.Name, tr.To)
		}
	}
}

// TestQwen3MoeVariantsF32: the other MoE fixtures (BF16 weights, no top-k
// renormalisation, sparse every second layer, a dense first layer) give
// the safetensors logits from their F32 GGUFs.
func TestQwen3MoeVariantsF32(t *testing.T) {
	for _, name := range []string{"qwen3moe_bf16", "qwen3moe_nonorm", "qwen3moe_step2", "qwen3moe_dense"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("../testdata/moe", name)
			convertF32Exact(t, dir, referencePrompts(t, dir))
		})
	}
}
