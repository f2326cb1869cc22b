package llama

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
)

// prefillAll runs one sequence's whole prompt in a fresh cache and returns
// the logits of every position.
func prefillAll(t *testing.T, m model.Model, be compute.Backend, prompt []int32, blockSize int) [][]float32 {
	t.Helper()
	got := runBatch(t, m, be, [][]int32{prompt}, nil, blockSize, 0)
	return got[0]
}

// runBatch runs several sequences in ONE forward (each prompt whole) and
// returns every row's logits per sequence. With chunk > 0 it instead runs
// all sequences chunk tokens at a time, every step one mixed batch.
func runBatch(t *testing.T, m model.Model, be compute.Backend, prompts [][]int32, _ []int, blockSize, chunk int) [][][]float32 {
	t.Helper()
	cfg := m.Config()
	cache, err := model.NewCache(be, cfg, 64, blockSize)
	if err != nil {
		t.Fatal(err)
	}
	tables := make([]kvcache.BlockTable, len(prompts))
	out := make([][][]float32, len(prompts))
	done := make([]int, len(prompts))
	for {
		b := &model.Batch{Cache: cache}
		for i, p := range prompts {
			n := len(p) - done[i]
			if n == 0 {
				continue
			}
			if chunk > 0 && n > chunk {
				n = chunk
			}
			if err := tables[i].Reserve(cache.Alloc, done[i]+n); err != nil {
				t.Fatal(err)
			}
			first := len(b.Tokens)
			for j := 0; j < n; j++ {
				b.Tokens = append(b.Tokens, p[done[i]+j])
				b.Positions = append(b.Positions, int32(done[i]+j))
				b.LogitRows = append(b.LogitRows, first+j)
			}
			b.Seqs = append(b.Seqs, model.Seq{FirstRow: first, NumRows: n, Blocks: tables[i].Blocks})
		}
		if len(b.Tokens) == 0 {
			break
		}
		lg, err := m.Forward(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		row := 0
		for i, p := range prompts {
			n := len(p) - done[i]
			if n == 0 {
				continue
			}
			if chunk > 0 && n > chunk {
				n = chunk
			}
			for j := 0; j < n; j++ {
				out[i] = append(out[i], append([]float32(nil), lg.Row(row)...))
				row++
			}
			done[i] += n
		}
	}
	return out
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

func randomPrompt(rng *rand.Rand, n, vocab int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(rng.IntN(vocab))
	}
	return p
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
			prompts := [][]int32{randomPrompt(rng, 13, vocab), randomPrompt(rng, 4, vocab), randomPrompt(rng, 21, vocab), randomPrompt(rng, 1, vocab)}
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
			check("batched", runBatch(t, m, be, prompts, nil, 16, 0))
			// Dynamic NTK scaling depends on how long a sequence is at each
			// step (in transformers too), so chunking past
			// max_position_embeddings legitimately changes it.
			if m.Config().RopeScaling.Type != "dynamic" {
				for _, chunk := range []int{1, 3, 8} {
					check("chunked", runBatch(t, m, be, prompts, nil, 16, chunk))
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
