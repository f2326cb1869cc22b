package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/model"
)

const fixtures = "../testdata/models"

func openEngine(t testing.TB, variant string, opts Options) *Engine {
	t.Helper()
	if opts.Threads == 0 {
		opts.Threads = 2
	}
	if opts.KVCacheTokens == 0 && opts.KVCacheBytes == 0 {
		opts.KVCacheTokens = 4096
	}
	e, err := Open(filepath.Join(fixtures, variant), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// result is everything a request streamed, per choice.
type result struct {
	text   []string
	tokens [][]int32
	lps    [][]Logprob
	finish []FinishReason
	stop   []string
	usage  *Usage
	deltas [][]string
	err    error
}

func collect(ch <-chan Event, n int) *result {
	r := &result{text: make([]string, n), tokens: make([][]int32, n), lps: make([][]Logprob, n),
		finish: make([]FinishReason, n), stop: make([]string, n), deltas: make([][]string, n)}
	var sb = make([]strings.Builder, n)
	for ev := range ch {
		sb[ev.Index].WriteString(ev.Text)
		r.deltas[ev.Index] = append(r.deltas[ev.Index], ev.Text)
		r.tokens[ev.Index] = append(r.tokens[ev.Index], ev.Tokens...)
		r.lps[ev.Index] = append(r.lps[ev.Index], ev.Logprobs...)
		if ev.FinishReason != "" {
			r.finish[ev.Index] = ev.FinishReason
			r.stop[ev.Index] = ev.StopReason
			if ev.Err != nil {
				r.err = ev.Err
			}
		}
		if ev.Usage != nil {
			r.usage = ev.Usage
		}
	}
	for i := range sb {
		r.text[i] = sb[i].String()
	}
	return r
}

func generate(t testing.TB, e *Engine, req Request) *result {
	t.Helper()
	ch, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	n := max(req.Sampling.N, 1)
	return collect(ch, n)
}

type reference struct {
	Cases []struct {
		Name     string  `json:"name"`
		InputIDs []int32 `json:"input_ids"`
		Greedy   struct {
			IDs []int32 `json:"ids"`
		} `json:"greedy"`
	} `json:"cases"`
	Chat struct {
		Rendered string  `json:"rendered"`
		InputIDs []int32 `json:"input_ids"`
	} `json:"chat"`
}

func loadReference(t testing.TB, variant string) *reference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, variant, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// greedyAlone is the model's own simplest loop (model.Greedy) on a
// private cache: whole prefill, one sequence - the yardstick for the
// scheduler's batching, chunking and preemption.
func greedyAlone(t testing.TB, e *Engine, prompt []int32, n int) []int32 {
	t.Helper()
	cache, err := model.NewCache(e.be, e.model.Config(), (len(prompt)+n)/16+2, 16)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := model.Greedy(context.Background(), e.model, cache, prompt, n, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
