package llama

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

// TestShardedBF16: the same model split into two shards with an index, and
// stored as BF16, loads through the same path; sharding changes nothing and
// BF16 weights stay close to their F32 source.
func TestShardedBF16(t *testing.T) {
	src := writeSynthetic(t, nil)
	ck, err := safetensors.OpenCheckpoint(src)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	dir := t.TempDir()
	raw, _ := os.ReadFile(filepath.Join(src, "config.json"))
	os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644)
	shards := [2][]safetensors.Tensor{}
	weightMap := map[string]string{}
	for i, n := range ck.Names() {
		info, _ := ck.Info(n)
		v, err := ck.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 2*len(v))
		for j, x := range v {
			h := quant.F32ToBF16(x)
			b[2*j], b[2*j+1] = byte(h), byte(h>>8)
		}
		shards[i%2] = append(shards[i%2], safetensors.Tensor{Name: n, DType: safetensors.BF16, Shape: info.Shape, Data: b})
		weightMap[n] = []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}[i%2]
	}
	for i, s := range shards {
		name := []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}[i]
		if err := safetensors.WriteFile(filepath.Join(dir, name), s, nil); err != nil {
			t.Fatal(err)
		}
	}
	idx, _ := json.Marshal(map[string]any{"metadata": map[string]any{}, "weight_map": weightMap})
	os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), idx, 0o644)

	rng := rand.New(rand.NewPCG(9, 9))
	prompts := [][]int32{modeltest.RandomPrompt(rng, 9, 97), modeltest.RandomPrompt(rng, 4, 97)}
	want := modeltest.PromptLogits(t, src, prompts)
	got := modeltest.PromptLogits(t, dir, prompts)
	var worst float64
	for i := range prompts {
		worst = max(worst, modeltest.RelErr(got[i], want[i]))
	}
	t.Logf("sharded BF16 vs F32: %.3g of the logit scale", worst)
	if worst > 0.05 {
		t.Errorf("sharded BF16 differs from F32 by %.3g of the logit scale", worst)
	}
}
