package qwen3moe

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

const fixturesDir = "../../testdata/moe"

// loadReference reads a fixture's reference.json, skipping the test when
// testdata/moe lacks the fixture (tools/refgen/moe.py writes them).
func loadReference(t *testing.T, dir string) *modeltest.Reference {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "reference.json")); err != nil {
		t.Skipf("no fixture: %v", err)
	}
	return modeltest.LoadReference(t, dir)
}

// toGGUF converts an HF Qwen3-MoE folder to GGUF the way llama.cpp lays it
// out: names through model's mapping, the per-expert matrices stacked into
// blk.L.ffn_{gate,up,down}_exps. Matrices whose rows split into whole
// blocks of typ become typ, the rest stay F32.
func toGGUF(t testing.TB, dir string, typ quant.Type) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	moe, err := ParseHFMoEConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	return modeltest.ToGGUFWith(t, dir, typ, modeltest.GGUFLayout{
		Metadata: func(cfg *model.Config) ([]model.MetaKV, error) { return GGUFMetadata(cfg, moe) },
		Stacks: func(names []string) ([]modeltest.Stack, []string, error) {
			stacks, rest, err := GGUFExpertStacks(names)
			out := make([]modeltest.Stack, len(stacks))
			for i, s := range stacks {
				out[i] = modeltest.Stack{GGUFName: s.GGUFName, Parts: s.Parts}
			}
			return out, rest, err
		},
	})
}

func openWeights(t testing.TB, dir string) model.SafetensorsWeights {
	t.Helper()
	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return model.SafetensorsWeights{C: ck}
}
