package llama

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
)

// prefillAll runs one sequence's whole prompt in a fresh cache and returns
// the logits of every position.
func prefillAll(t *testing.T, m model.Model, be compute.Backend, prompt []int32, blockSize int) [][]float32 {
	t.Helper()
	got := modeltest.RunBatch(t, m, be, [][]int32{prompt}, blockSize, 0)
	return got[0]
}

func maxDiff(a, b [][]float32) float64 {
	var d float64
	for i := range a {
		for j := range a[i] {
			d = math.Max(d, math.Abs(float64(a[i][j]-b[i][j])))
		}
	}
	return d
}

// TestInvariance: a sequence's logits are the same alone, batched with
// others of different lengths, prefilled whole or in chunks (mixed with
// other sequences' chunks), and with any block size.
func TestInvariance(t *testing.T) {
	for _, v := range []struct {
		name string
		cfg  map[string]any
	}{
		{"qwen3", nil},
		{"llama-bias-tied", map[string]any{"architectures": []string{"LlamaForCausalLM"}, "model_type": "llama",
			"attention_bias": true, "tie_word_embeddings": true, "num_key_value_heads": 1}},
		{"mistral-window", map[string]any{"architectures": []string{"MistralForCausalLM"}, "model_type": "mistral",
			"sliding_window": 5}},
		{"qwen2-dynamic", map[string]any{"architectures": []string{"Qwen2ForCausalLM"}, "model_type": "qwen2",
			"max_position_embeddings": 8, "rope_scaling": map[string]any{"rope_type": "dynamic", "factor": 2.0}}},
	} {
		t.Run(v.name, func(t *testing.T) {
			be := cpu.New(2)
			defer be.Close()
			m, err := model.Load(writeSynthetic(t, v.cfg), be, model.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			rng := rand.New(rand.NewPCG(7, 7))
			vocab := m.Config().VocabSize
			prompts := [][]int32{modeltest.RandomPrompt(rng, 13, vocab), modeltest.RandomPrompt(rng, 4, vocab), modeltest.RandomPrompt(rng, 21, vocab), modeltest.RandomPrompt(rng, 1, vocab)}
			alone := make([][][]float32, len(prompts))
			for i, p := range prompts {
				alone[i] = prefillAll(t, m, be, p, 16)
			}
			check := func(what string, got [][][]float32) {
				t.Helper()
				for i := range prompts {
					if d := maxDiff(got[i], alone[i]); d > 1e-5 {
						t.Errorf("%s: sequence %d differs from alone by %.3g", what, i, d)
					}
				}
			}
			check("batched", modeltest.RunBatch(t, m, be, prompts, 16, 0))
			// Dynamic NTK scaling depends on how long a sequence is at each
			// step (in transformers too), so chunking past
			// max_position_embeddings legitimately changes it.
			if m.Config().RopeScaling.Type != "dynamic" {
				for _, chunk := range []int{1, 3, 8} {
					check("chunked", modeltest.RunBatch(t, m, be, prompts, 16, chunk))
				}
			}
			for _, bs := range []int{1, 4, 7} {
				got := make([][][]float32, len(prompts))
				for i, p := range prompts {
					got[i] = prefillAll(t, m, be, p, bs)
				}
				check("block size", got)
			}
		})
	}
}
