package qwen3moe

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

// TestFusedMoE: the backend's fused expert op (compute.MoEFFNBackend) and
// the per-expert op sequence give the same logits, prompt and greedy
// decode, from safetensors F32 and GGUF Q8_0. Both run the same row
// kernels, so only a GEMM taking one side's expert rows could part them.
func TestFusedMoE(t *testing.T) {
	dir := filepath.Join(fixturesDir, "qwen3moe")
	ref := loadReference(t, dir)
	for name, path := range map[string]string{"safetensors-f32": dir, "gguf-q8_0": toGGUF(t, dir, quant.Q8_0)} {
		t.Run(name, func(t *testing.T) {
			m, be := modeltest.Load(t, path)
			mm := m.(*Model)
			var prompts [][]int32
			for _, c := range ref.Cases {
				prompts = append(prompts, c.InputIDs)
			}
			fused := modeltest.RunBatch(t, m, be, prompts, 16, 0)
			fusedIDs := greedy(t, m, be, prompts[0])
			for _, s := range mm.sparse {
				if s.fused == nil {
					t.Fatal("the CPU backend's fused MoE op is not in use")
				}
				s.fused = nil
			}
			seq := modeltest.RunBatch(t, m, be, prompts, 16, 0)
			seqIDs := greedy(t, m, be, prompts[0])
			if e := modeltest.RelErr(flatten(fused), flatten(seq)); e > 1e-6 {
				t.Errorf("fused vs per-expert prompt logits differ by %.3g of the logit scale", e)
			}
			for i := range seqIDs {
				if fusedIDs[i] != seqIDs[i] {
					t.Errorf("greedy step %d: fused %d, per-expert %d", i, fusedIDs[i], seqIDs[i])
					break
				}
			}
		})
	}
}

func greedy(t *testing.T, m model.Model, be compute.Backend, prompt []int32) []int32 {
	t.Helper()
	cache, err := model.NewCache(be, m.Config(), 16, 16)
	if err != nil {
		t.Fatal(err)
	}
	ids, _, err := model.Greedy(context.Background(), m, cache, prompt, 8, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func flatten(x [][][]float32) [][]float32 {
	var out [][]float32
	for _, p := range x {
		out = append(out, p...)
	}
	return out
}
