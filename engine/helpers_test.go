package engine

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/tokenizer"
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

	promptLPs []Logprob
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
		if ev.PromptLogprobs != nil {
			if r.promptLPs != nil || len(r.tokens[ev.Index]) > 0 {
				panic("prompt logprobs sent twice or after a token")
			}
			r.promptLPs = ev.PromptLogprobs
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

// loadReference reads the reference.json of a testdata/models fixture.
func loadReference(t testing.TB, variant string) *modeltest.Reference {
	t.Helper()
	return modeltest.LoadReference(t, filepath.Join(fixtures, variant))
}

// greedyAlone is the model's own simplest loop (model.Greedy) on a
// private cache: whole prefill, one sequence - the yardstick for the
// scheduler's batching, chunking and preemption.
func greedyAlone(t testing.TB, e *Engine, prompt []int32, n int) []int32 {
	t.Helper()
	cache, err := model.NewCacheOf(e.be, e.model.Config(), (len(prompt)+n)/16+2, 16, e.cache.Type)
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := model.Greedy(context.Background(), e.model, cache, prompt, n, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// recorder wraps a model and records every batch's shape.
type recorder struct {
	model.Model
	mu    sync.Mutex
	steps []stepShape
}

type stepShape struct {
	rows, seqs, decodes, prefills int
}

func (r *recorder) Forward(ctx context.Context, b *model.Batch) (*model.Logits, error) {
	sh := stepShape{rows: len(b.Tokens), seqs: len(b.Seqs)}
	for _, s := range b.Seqs {
		// A decode row is a single row for a sequence that already has
		// positions in the cache.
		if s.NumRows == 1 && b.Positions[s.FirstRow] > 0 {
			sh.decodes++
		} else {
			sh.prefills++
		}
	}
	r.mu.Lock()
	r.steps = append(r.steps, sh)
	r.mu.Unlock()
	return r.Model.Forward(ctx, b)
}

// newEngine is Open with the model wrapped.
func newEngine(t testing.TB, variant string, opts Options, wrap func(model.Model) model.Model) *Engine {
	t.Helper()
	dir := filepath.Join(fixtures, variant)
	be := cpu.New(2)
	t.Cleanup(func() { be.Close() })
	m, err := model.Load(dir, be, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts.Backend = be
	if opts.KVCacheTokens == 0 {
		opts.KVCacheTokens = 4096
	}
	e, err := New(wrap(m), tok, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// kvClean checks every block came back: after dropping the prefix
// cache's unheld blocks, the whole pool is free.
func kvClean(t testing.TB, e *Engine) {
	t.Helper()
	st := e.Stats()
	if st.Running != 0 || st.Waiting != 0 || st.KVBlocksUsed != 0 {
		t.Errorf("after all requests: %d running, %d waiting, %d blocks held", st.Running, st.Waiting, st.KVBlocksUsed)
	}
	e.blocks.Clear()
	if free := e.cache.Alloc.NumFree(); free != e.cache.Alloc.NumBlocks() {
		t.Errorf("%d of %d blocks free", free, e.cache.Alloc.NumBlocks())
	}
}
