package qwen3moe

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

var f32Variants = []string{"qwen3moe", "qwen3moe_nonorm", "qwen3moe_dense", "qwen3moe_step2"}

// TestFixtures: logits at every prompt position and the greedy
// continuations of transformers' Qwen3MoeForCausalLM (float32), for routing
// with and without norm_topk_prob, dense layers by mlp_only_layers and by
// decoder_sparse_step, tied and untied heads.
func TestFixtures(t *testing.T) {
	for _, name := range f32Variants {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(fixturesDir, name)
			ref := loadReference(t, dir)
			m, be := modeltest.Load(t, dir)
			var worst float64
			for _, c := range ref.Cases {
				got := modeltest.RunBatch(t, m, be, [][]int32{c.InputIDs}, 16, 0)[0]
				e := modeltest.RelErr(got, c.Logits)
				worst = max(worst, e)
				if e > 1e-4 {
					t.Errorf("case %s: prompt logits differ by %.3g of the logit scale", c.Name, e)
				}
				cache, err := model.NewCache(be, m.Config(), 16, 16)
				if err != nil {
					t.Fatal(err)
				}
				ids, _, err := model.Greedy(context.Background(), m, cache, c.InputIDs, len(c.Greedy.IDs), 0, nil)
				if err != nil {
					t.Fatal(err)
				}
				for i, want := range c.Greedy.IDs {
					if ids[i] != want {
						t.Errorf("case %s: greedy step %d is %d, transformers %d (top-5 %v)", c.Name, i, ids[i], want, c.Greedy.Top5[i])
						break
					}
				}
			}
			t.Logf("%s: worst prompt-logit error %.3g of the logit scale", name, worst)
		})
	}
}

// TestGGUF: the fixtures converted to GGUF (stacked 3-D expert tensors,
// ffn_gate_inp router) give the safetensors logits in F32, and stay close
// in Q8_0 (where only matrices with 32-multiple rows are quantized).
func TestGGUF(t *testing.T) {
	for _, name := range f32Variants {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(fixturesDir, name)
			ref := loadReference(t, dir)
			var prompts [][]int32
			for _, c := range ref.Cases {
				prompts = append(prompts, c.InputIDs)
			}
			want := modeltest.PromptLogits(t, dir, prompts)
			got := modeltest.PromptLogits(t, toGGUF(t, dir, quant.F32), prompts)
			for i := range prompts {
				if e := modeltest.RelErr(got[i], want[i]); e > 1e-5 {
					t.Errorf("GGUF F32 prompt %d differs by %.3g of the logit scale", i, e)
				}
			}
			q := modeltest.PromptLogits(t, toGGUF(t, dir, quant.Q8_0), prompts)
			agree, total := 0, 0
			var worst float64
			for i := range prompts {
				worst = max(worst, modeltest.RelErr(q[i], want[i]))
				for r := range want[i] {
					total++
					if model.Argmax(q[i][r]) == model.Argmax(want[i][r]) {
						agree++
					}
				}
			}
			t.Logf("%s Q8_0: top-1 agreement %d/%d, worst logit error %.3g of the scale", name, agree, total, worst)
			// Random weights with a large std make routing fragile: Q8_0's
			// rounding flips some expert choices (measured 88% top-1).
			if float64(agree) < 0.8*float64(total) {
				t.Errorf("Q8_0 top-1 agreement %d/%d", agree, total)
			}
		})
	}
}

// TestInvariance: a sequence's logits are the same alone, in one batch
// with the other prompts, and prefilled in chunks mixed with the others'
// chunks, with several block sizes - from safetensors F32 and GGUF Q8_0.
func TestInvariance(t *testing.T) {
	dir := filepath.Join(fixturesDir, "qwen3moe")
	ref := loadReference(t, dir)
	for _, path := range []string{dir, toGGUF(t, dir, quant.Q8_0)} {
		t.Run(filepath.Ext(path), func(t *testing.T) { checkInvariance(t, path, ref) })
	}
}

func checkInvariance(t *testing.T, path string, ref *modeltest.Reference) {
	m, be := modeltest.Load(t, path)
	var prompts [][]int32
	var alone [][][]float32
	for _, c := range ref.Cases {
		prompts = append(prompts, c.InputIDs)
		alone = append(alone, modeltest.RunBatch(t, m, be, [][]int32{c.InputIDs}, 16, 0)[0])
	}
	for _, run := range []struct {
		name             string
		blockSize, chunk int
	}{{"batched", 16, 0}, {"chunk1-bs4", 4, 1}, {"chunk3-bs7", 7, 3}, {"chunk8-bs1", 1, 8}} {
		got := modeltest.RunBatch(t, m, be, prompts, run.blockSize, run.chunk)
		for i := range prompts {
			if e := modeltest.RelErr(got[i], alone[i]); e > 1e-6 {
				t.Errorf("%s: prompt %d differs from alone by %.3g of the logit scale", run.name, i, e)
			}
		}
	}
}
