package modeltest

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// RunBatch runs the prompts through m in a fresh cache of blockSize-token
// blocks and returns every row's logits per prompt. With chunk <= 0 every
// prompt goes whole into ONE forward; with chunk > 0 every step takes the
// next chunk tokens of each unfinished prompt, one mixed batch a step.
func RunBatch(t testing.TB, m model.Model, be compute.Backend, prompts [][]int32, blockSize, chunk int) [][][]float32 {
	t.Helper()
	return RunBatchKV(t, m, be, prompts, blockSize, chunk, quant.F32)
}

// RunBatchKV is RunBatch with a KV cache of element type kv (F32 or F16).
func RunBatchKV(t testing.TB, m model.Model, be compute.Backend, prompts [][]int32, blockSize, chunk int, kv quant.Type) [][][]float32 {
	t.Helper()
	blocks := len(prompts)
	for _, p := range prompts {
		blocks += (len(p) + blockSize - 1) / blockSize
	}
	cache, err := model.NewCacheOf(be, m.Config(), blocks, blockSize, kv)
	if err != nil {
		t.Fatal(err)
	}
	tables := make([]kvcache.BlockTable, len(prompts))
	out := make([][][]float32, len(prompts))
	done := make([]int, len(prompts))
	for {
		b := &model.Batch{Cache: cache}
		counts := make([]int, len(prompts))
		for i, p := range prompts {
			n := len(p) - done[i]
			if chunk > 0 && n > chunk {
				n = chunk
			}
			if n == 0 {
				continue
			}
			counts[i] = n
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
			return out
		}
		lg, err := m.Forward(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		row := 0
		for i, n := range counts {
			for j := 0; j < n; j++ {
				out[i] = append(out[i], append([]float32(nil), lg.Row(row)...))
				row++
			}
			done[i] += n
		}
	}
}

// RelErr is max |got - want| over the largest |want|: a logit error in
// units of the logit scale. Rows of different counts are infinitely apart.
func RelErr(got, want [][]float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var d, s float64
	for i := range want {
		for j := range want[i] {
			d = math.Max(d, math.Abs(float64(got[i][j]-want[i][j])))
			s = math.Max(s, math.Abs(float64(want[i][j])))
		}
	}
	return d / s
}

// RandomPrompt is n token ids below vocab.
func RandomPrompt(rng *rand.Rand, n, vocab int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(rng.IntN(vocab))
	}
	return p
}

// Cosine is the cosine similarity of two vectors, in float64.
func Cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}
