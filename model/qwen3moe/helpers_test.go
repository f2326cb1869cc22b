package qwen3moe

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

const fixturesDir = "../../testdata/moe"

type reference struct {
	TorchDType string `json:"torch_dtype"`
	Cases      []struct {
		Name     string      `json:"name"`
		InputIDs []int32     `json:"input_ids"`
		Logits   [][]float32 `json:"logits"`
		Greedy   struct {
			IDs  []int32       `json:"ids"`
			Top5 [][][]float64 `json:"top5"`
		} `json:"greedy"`
	} `json:"cases"`
}

func loadReference(t *testing.T, dir string) *reference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "reference.json"))
	if err != nil {
		t.Skipf("no fixture: %v", err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return &ref
}

// runBatch runs the prompts as one batch (chunk <= 0) or chunk tokens of
// every prompt per step, and returns every row's logits per prompt.
func runBatch(t testing.TB, m model.Model, be compute.Backend, prompts [][]int32, blockSize, chunk int) [][][]float32 {
	t.Helper()
	blocks := len(prompts)
	for _, p := range prompts {
		blocks += (len(p) + blockSize - 1) / blockSize
	}
	cache, err := model.NewCache(be, m.Config(), blocks, blockSize)
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

// relErr is max |got - want| over the largest |want|.
func relErr(got, want [][]float32) float64 {
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

func argmax(row []float32) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

// toGGUF converts an HF Qwen3-MoE folder to GGUF the way llama.cpp lays it
// out: names through model's mapping, the per-expert matrices stacked into
// blk.L.ffn_{gate,up,down}_exps. Matrices whose rows split into whole
// blocks of typ become typ, the rest stay F32.
func toGGUF(t testing.TB, dir string, typ quant.Type) string {
	t.Helper()
	cfg, err := model.LoadHFConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	moe, err := ParseHFMoEConfig(raw)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	w := gguf.NewWriter()
	kvs, err := GGUFMetadata(cfg, moe)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range kvs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	encode := func(name string) (quant.Type, []int64, []byte) {
		info, _ := ck.Info(name)
		vals, err := ck.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		tt := quant.F32
		cols := int(info.Shape[len(info.Shape)-1])
		if len(info.Shape) == 2 && cols%typ.BlockSize() == 0 {
			tt = typ
		}
		data, err := quant.QuantizeRows(tt, vals, cols)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return tt, info.Shape, data
	}
	names := ck.Names()
	sort.Strings(names)
	stacks, rest, err := GGUFExpertStacks(names)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rest {
		tt, shape, data := encode(n)
		gname, dims, data, err := model.GGUFTensor(cfg, n, shape, data)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(gname, tt, dims, data); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range stacks {
		var all []byte
		var tt quant.Type
		var shape []int64
		for _, p := range s.Parts {
			var data []byte
			tt, shape, data = encode(p)
			all = append(all, data...)
		}
		dims := []int64{shape[1], shape[0], int64(len(s.Parts))}
		if err := w.AddTensor(s.GGUFName, tt, dims, all); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), fmt.Sprintf("moe-%s.gguf", typ))
	if err := w.WriteFile(out); err != nil {
		t.Fatal(err)
	}
	return out
}

func openWeights(t testing.TB, dir string) model.SafetensorsWeights {
	t.Helper()
	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	return model.SafetensorsWeights{C: ck}
}
