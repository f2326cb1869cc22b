package llama

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

// f16KVBound is how far prompt logits over an F16 KV cache may move from
// the F32 reference, relative to the logit scale, on top of the fixture's
// own tolerance: keys and values rounded to 11 bits. Measured on the F32
// fixtures: 6e-4 (llama2) to 3e-3 (llama3, qwen2), 8.1e-3 on qwen2_swa,
// against 1e-6..1e-5 with an F32 cache.
const f16KVBound = 1e-2

// TestFixturesF16KV: with an F16 KV cache every fixture's prompt logits
// stay within f16KVBound of transformers' (F32-attention) reference.
func TestFixturesF16KV(t *testing.T) {
	for _, name := range fixtureVariants(t) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(fixturesDir, name)
			ref := modeltest.LoadReference(t, dir)
			m, be := modeltest.Load(t, dir)
			tol := tolerance(ref.TorchDType) + f16KVBound
			var w32, w16 float64
			for _, c := range ref.Cases {
				f32 := modeltest.RunBatchKV(t, m, be, [][]int32{c.InputIDs}, 16, 0, quant.F32)[0]
				f16 := modeltest.RunBatchKV(t, m, be, [][]int32{c.InputIDs}, 16, 0, quant.F16)[0]
				e32, e16 := modeltest.RelErr(f32, c.Logits), modeltest.RelErr(f16, c.Logits)
				w32, w16 = math.Max(w32, e32), math.Max(w16, e16)
				if e16 > tol {
					t.Errorf("case %s: F16-KV prompt logits differ by %.3g of the logit scale (bound %.3g; F32 KV %.3g)", c.Name, e16, tol, e32)
				}
			}
			t.Logf("%s (%s): worst prompt-logit error F32 KV %.3g, F16 KV %.3g", name, ref.TorchDType, w32, w16)
		})
	}
}

// TestInvarianceF16KV: over an F16 cache a sequence's logits are bit for
// bit the same alone, batched with others and prefilled in chunks - the
// rounding happens per value in WriteKV, so it cannot depend on the batch.
func TestInvarianceF16KV(t *testing.T) {
	m, be := modeltest.Load(t, filepath.Join(fixturesDir, "qwen3"))
	rng := rand.New(rand.NewPCG(7, 8))
	vocab := m.Config().VocabSize
	prompts := [][]int32{modeltest.RandomPrompt(rng, 13, vocab), modeltest.RandomPrompt(rng, 4, vocab), modeltest.RandomPrompt(rng, 21, vocab), modeltest.RandomPrompt(rng, 1, vocab)}
	alone := make([][][]float32, len(prompts))
	for i, p := range prompts {
		alone[i] = modeltest.RunBatchKV(t, m, be, [][]int32{p}, 16, 0, quant.F16)[0]
	}
	check := func(what string, got [][][]float32) {
		t.Helper()
		for i := range prompts {
			for r := range got[i] {
				for j, v := range got[i][r] {
					if math.Float32bits(v) != math.Float32bits(alone[i][r][j]) {
						t.Fatalf("%s: sequence %d row %d logit %d is %v, alone %v", what, i, r, j, v, alone[i][r][j])
					}
				}
			}
		}
	}
	check("batched", modeltest.RunBatchKV(t, m, be, prompts, 16, 0, quant.F16))
	for _, chunk := range []int{1, 3, 8} {
		check("chunked", modeltest.RunBatchKV(t, m, be, prompts, 16, chunk, quant.F16))
	}
	check("block size 4", func() [][][]float32 {
		got := make([][][]float32, len(prompts))
		for i, p := range prompts {
			got[i] = modeltest.RunBatchKV(t, m, be, [][]int32{p}, 4, 0, quant.F16)[0]
		}
		return got
	}())
}
