package demo

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	_ "github.com/ferrum-go/ferrum/model/llama" // registers qwen3
)

type greedyRef struct {
	IDs  []int32       `json:"ids"`
	Top5 [][][]float64 `json:"top5"` // per step: [id, logit] x 5
	LSE  []float64     `json:"lse"`  // per step: log-sum-exp of the logits
}

type refCase struct {
	Name       string        `json:"name"`
	Prompt     string        `json:"prompt"`
	InputIDs   []int32       `json:"input_ids"`
	PromptTop5 [][][]float64 `json:"prompt_top5"` // every prompt position
	PromptLSE  []float64     `json:"prompt_lse"`
	Greedy     greedyRef     `json:"greedy"`
	Text       string        `json:"text"`
}

// reference is testdata/demo/reference.json, written by
// tools/train/reference.py: transformers on the embedded GGUF's weights
// dequantized to float32 (the folder hfFolder materialises).
type reference struct {
	GGUFSHA256    string    `json:"gguf_sha256"`
	WeightsSHA256 string    `json:"weights_sha256"`
	TorchDType    string    `json:"torch_dtype"`
	Cases         []refCase `json:"cases"`
	Chat          struct {
		Rendered   string        `json:"rendered"`
		InputIDs   []int32       `json:"input_ids"`
		PromptTop5 [][][]float64 `json:"prompt_top5"`
		PromptLSE  []float64     `json:"prompt_lse"`
		Greedy     greedyRef     `json:"greedy"`
		Text       string        `json:"text"`
	} `json:"chat"`
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	path := filepath.Join(configDir, "reference.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(ref.Cases) != 5 || len(ref.Chat.Greedy.IDs) == 0 {
		t.Fatalf("%s: %d cases and %d chat tokens, want 5 and some", path, len(ref.Cases), len(ref.Chat.Greedy.IDs))
	}
	for _, c := range greedyCases(&ref) {
		g := c.Greedy
		if len(c.PromptTop5) != len(c.InputIDs) || len(c.PromptLSE) != len(c.InputIDs) || len(g.Top5) != len(g.IDs) || len(g.LSE) != len(g.IDs) {
			t.Fatalf("%s: case %s: %d prompt ids with %d top-5 rows and %d log-sum-exps; %d greedy ids with %d and %d",
				path, c.Name, len(c.InputIDs), len(c.PromptTop5), len(c.PromptLSE), len(g.IDs), len(g.Top5), len(g.LSE))
		}
	}
	return &ref
}

// greedyCases are the five prompts plus the ChatML-rendered "Once upon a time".
func greedyCases(ref *reference) []refCase {
	cs := append([]refCase(nil), ref.Cases...)
	return append(cs, refCase{Name: "chat", InputIDs: ref.Chat.InputIDs, PromptTop5: ref.Chat.PromptTop5,
		PromptLSE: ref.Chat.PromptLSE, Greedy: ref.Chat.Greedy, Text: ref.Chat.Text})
}

func loadModel(t *testing.T, path string) model.Model {
	t.Helper()
	be := cpu.New(2)
	t.Cleanup(func() { be.Close() })
	m, err := model.Load(path, be, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestSafetensorsEqualsTransformers: on the materialised float32 folder,
// ferrum's greedy continuation (32 tokens) of every prompt is exactly
// transformers', and at every prompt position and greedy step the logits of
// transformers' top 5 and the log-sum-exp of the whole row agree to 1e-4 of
// the logit scale (the row's largest logit).
func TestSafetensorsEqualsTransformers(t *testing.T) {
	ref := loadReference(t)
	m := loadModel(t, hfFolder(t))
	be := cpu.New(1)
	defer be.Close()
	var overall float64
	for _, c := range greedyCases(ref) {
		cache, err := model.NewCache(be, m.Config(), 8, 16)
		if err != nil {
			t.Fatal(err)
		}
		ids, steps, err := model.Greedy(context.Background(), m, cache, c.InputIDs, len(c.Greedy.IDs), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range c.Greedy.IDs {
			if i >= len(ids) || ids[i] != want {
				t.Errorf("%s: step %d: ferrum %v, transformers %v (%q)", c.Name, i, ids, c.Greedy.IDs, c.Text)
				break
			}
		}
		worst := rowsError(t, c.Name+" greedy", steps, c.Greedy.Top5, c.Greedy.LSE)
		worst = math.Max(worst, rowsError(t, c.Name+" prompt", allLogits(t, m, c.InputIDs), c.PromptTop5, c.PromptLSE))
		if worst > 1e-4 {
			t.Errorf("%s: logits differ from transformers by %.3g of the logit scale", c.Name, worst)
		}
		overall = math.Max(overall, worst)
		t.Logf("%s: %d tokens equal; worst logit error %.2g of the scale", c.Name, len(c.Greedy.IDs), worst)
	}
	t.Logf("worst logit error over all cases: %.2g of the scale", overall)
}

// rowsError is the largest difference, relative to the row's top logit,
// between ferrum's rows and transformers' top-5 logits and log-sum-exps.
func rowsError(t *testing.T, what string, rows [][]float32, top5 [][][]float64, lse []float64) float64 {
	t.Helper()
	if len(rows) < len(top5) {
		t.Fatalf("%s: ferrum gave %d logit rows, transformers %d", what, len(rows), len(top5))
	}
	var worst float64
	for i, top := range top5 {
		scale := math.Abs(top[0][1])
		for _, p := range top {
			id := int(p[0])
			if id < 0 || id >= len(rows[i]) {
				t.Fatalf("%s: row %d: token id %d out of range", what, i, id)
			}
			worst = math.Max(worst, math.Abs(float64(rows[i][id])-p[1])/scale)
		}
		worst = math.Max(worst, math.Abs(logSumExp(rows[i])-lse[i])/scale)
	}
	return worst
}

func logSumExp(row []float32) float64 {
	hi := math.Inf(-1)
	for _, v := range row {
		hi = math.Max(hi, float64(v))
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - hi)
	}
	return hi + math.Log(s)
}

// TestGGUFTop1 feeds transformers' greedy tokens to the embedded Q8_0 GGUF
// (teacher forcing, so one near tie does not end the comparison) and counts
// the steps whose argmax is transformers' token. Issue 9 asks for >= 95%.
// transformers ran on these very weights, dequantized; what differs is
// ferrum's Q8_0 kernels, which quantize the activations to 8 bits too, so
// the logits are close but not float32-exact (the log reports how close).
func TestGGUFTop1(t *testing.T) {
	ref := loadReference(t)
	path, err := PathIn(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := loadModel(t, path)
	agree, total := 0, 0
	var worst float64
	for _, c := range greedyCases(ref) {
		seq := append(append([]int32(nil), c.InputIDs...), c.Greedy.IDs[:len(c.Greedy.IDs)-1]...)
		rows := allLogits(t, m, seq)[len(c.InputIDs)-1:]
		n := 0
		for i, want := range c.Greedy.IDs {
			if int32(model.Argmax(rows[i])) == want {
				n++
			}
		}
		e := rowsError(t, c.Name, rows, c.Greedy.Top5, c.Greedy.LSE)
		worst = math.Max(worst, e)
		t.Logf("%s: %d/%d steps agree; worst logit error %.2g of the scale", c.Name, n, len(c.Greedy.IDs), e)
		agree += n
		total += len(c.Greedy.IDs)
	}
	rate := float64(agree) / float64(total)
	t.Logf("Q8_0 GGUF top-1 agreement with transformers: %d/%d = %.1f%%; worst logit error %.2g of the scale", agree, total, 100*rate, worst)
	if rate < 0.95 {
		t.Errorf("Q8_0 GGUF agrees on top-1 for %.1f%% of steps, want >= 95%%", 100*rate)
	}
}

// allLogits runs ids through m in one forward and returns every row's logits.
func allLogits(t *testing.T, m model.Model, ids []int32) [][]float32 {
	t.Helper()
	be := cpu.New(1)
	defer be.Close()
	cache, err := model.NewCache(be, m.Config(), (len(ids)+15)/16, 16)
	if err != nil {
		t.Fatal(err)
	}
	var table kvcache.BlockTable
	defer table.Free(cache.Alloc)
	if err := table.Reserve(cache.Alloc, len(ids)); err != nil {
		t.Fatal(err)
	}
	b := &model.Batch{Tokens: ids, Cache: cache}
	for i := range ids {
		b.Positions = append(b.Positions, int32(i))
		b.LogitRows = append(b.LogitRows, i)
	}
	b.Seqs = []model.Seq{{FirstRow: 0, NumRows: len(ids), Blocks: table.Blocks}}
	lg, err := m.Forward(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float32, len(ids))
	for i := range out {
		out[i] = append([]float32(nil), lg.Row(i)...)
	}
	return out
}
