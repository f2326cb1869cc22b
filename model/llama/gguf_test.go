package llama

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

// TestGGUFF32EqualsSafetensors: the same fixture through GGUF F32 gives the
// logits of the safetensors original (llama's permuted q/k with adjacent-
// pair RoPE included), and F16 stays close.
func TestGGUFF32EqualsSafetensors(t *testing.T) {
	dirs := map[string]string{}
	if entries, err := filepath.Glob(filepath.Join(fixturesDir, "*", "config.json")); err == nil {
		for _, e := range entries {
			d := filepath.Dir(e)
			dirs[filepath.Base(d)] = d
		}
	}
	dirs["synthetic-llama"] = writeSynthetic(t, map[string]any{"architectures": []string{"LlamaForCausalLM"}, "model_type": "llama",
		"attention_bias": true, "rope_scaling": map[string]any{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
			"high_freq_factor": 4.0, "original_max_position_embeddings": 16}})
	dirs["synthetic-qwen3"] = writeSynthetic(t, nil)
	keys := make([]string, 0, len(dirs))
	for k := range dirs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		dir := dirs[name]
		t.Run(name, func(t *testing.T) {
			cfg, err := model.LoadHFConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := model.GGUFMetadata(cfg); err != nil {
				t.Skipf("no GGUF encoding: %v", err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			prompts := [][]int32{modeltest.RandomPrompt(rng, 11, cfg.VocabSize), modeltest.RandomPrompt(rng, 5, cfg.VocabSize)}
			want := modeltest.PromptLogits(t, dir, prompts)
			for _, c := range []struct {
				typ quant.Type
				tol float64
			}{{quant.F32, 1e-5}, {quant.F16, 3e-2}} {
				got := modeltest.PromptLogits(t, modeltest.ToGGUF(t, dir, c.typ), prompts)
				var worst float64
				for i := range prompts {
					worst = math.Max(worst, modeltest.RelErr(got[i], want[i]))
				}
				t.Logf("GGUF %v vs safetensors: max error %.3g of the logit scale", c.typ, worst)
				if worst > c.tol {
					t.Errorf("GGUF %v differs from safetensors by %.3g of the logit scale (bound %g)", c.typ, worst, c.tol)
				}
			}
		})
	}
}

// TestGGUFQuantizedClose: a model wide enough for k-quants (rows of 256)
// through GGUF Q8_0, Q4_0, Q4_K, Q5_K, Q6_K; reports top-1 agreement with F32
// and the mean KL divergence of the next-token distributions.
func TestGGUFQuantizedClose(t *testing.T) {
	dir := writeSynthetic(t, map[string]any{"hidden_size": 256, "intermediate_size": 512, "head_dim": 64,
		"num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 211, "_weight_scale": 0.3})
	cfg, _ := model.LoadHFConfig(dir)
	rng := rand.New(rand.NewPCG(5, 6))
	prompts := [][]int32{modeltest.RandomPrompt(rng, 24, cfg.VocabSize), modeltest.RandomPrompt(rng, 9, cfg.VocabSize), modeltest.RandomPrompt(rng, 40, cfg.VocabSize)}
	want := modeltest.PromptLogits(t, modeltest.ToGGUF(t, dir, quant.F32), prompts)
	// Bounds are the measured values with room: random uniform weights are
	// harder on 4-bit types than trained ones. More bits must mean less KL.
	prevKL := -1.0
	for _, c := range []struct {
		typ       quant.Type
		minTop1   float64
		maxMeanKL float64
	}{
		{quant.Q8_0, 0.9, 0.003}, {quant.Q6_K, 0.9, 0.02}, {quant.Q5_K, 0.8, 0.06},
		{quant.Q4_K, 0.75, 0.15}, {quant.Q4_0, 0.6, 0.4},
	} {
		got := modeltest.PromptLogits(t, modeltest.ToGGUF(t, dir, c.typ), prompts)
		var agree, n int
		var kl float64
		for i := range prompts {
			for p := range want[i] {
				if model.Argmax(got[i][p]) == model.Argmax(want[i][p]) {
					agree++
				}
				kl += modeltest.KL(want[i][p], got[i][p])
				n++
			}
		}
		top1, meanKL := float64(agree)/float64(n), kl/float64(n)
		t.Logf("GGUF %v vs F32: top-1 agreement %.3f, mean KL %.2g over %d positions", c.typ, top1, meanKL, n)
		if top1 < c.minTop1 || meanKL > c.maxMeanKL {
			t.Errorf("GGUF %v: top-1 agreement %.3f (min %.2f), mean KL %.3g (max %.3g)", c.typ, top1, c.minTop1, meanKL, c.maxMeanKL)
		}
		if meanKL < prevKL {
			t.Errorf("GGUF %v has less KL (%.3g) than a type with more bits (%.3g)", c.typ, meanKL, prevKL)
		}
		prevKL = meanKL
	}
}
