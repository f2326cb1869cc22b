package engine

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
)

// runConcurrent submits every prompt at once (greedy, maxNew tokens, EOS
// ignored) and returns each one's tokens.
func runConcurrent(t *testing.T, e *Engine, prompts [][]int32, maxNew int) [][]int32 {
	t.Helper()
	chans := make([]<-chan Event, len(prompts))
	for i, p := range prompts {
		ch, err := e.Generate(context.Background(), Request{PromptTokens: p, Sampling: SamplingParams{MaxTokens: maxNew, IgnoreEOS: true}})
		if err != nil {
			t.Fatal(err)
		}
		chans[i] = ch
	}
	out := make([][]int32, len(prompts))
	var wg sync.WaitGroup
	for i, ch := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := collect(ch, 1)
			out[i] = r.tokens[0]
			if r.finish[0] != FinishLength {
				t.Errorf("request %d finished %q (%v)", i, r.finish[0], r.err)
			}
		}()
	}
	wg.Wait()
	return out
}

// TestConcurrentEqualsAlone: 16 concurrent greedy requests, batched
// together with small chunks of prefill interleaved with decodes, give
// exactly what each gives alone (model.Greedy, whole prefill) - and every
// step stays within the token budget and the sequence cap.
func TestConcurrentEqualsAlone(t *testing.T) {
	// Every fixture whose results do not depend on chunking (dynamic NTK
	// RoPE does, in transformers too).
	for _, v := range []string{"qwen3", "llama3", "llama2", "mistral", "qwen2", "qwen2_swa", "llama_mqa", "llama_bias", "llama_partial_rotary", "qwen2_rope_yarn"} {
		t.Run(v, func(t *testing.T) { concurrentEqualsAlone(t, v) })
	}
}

func concurrentEqualsAlone(t *testing.T, variant string) {
	rec := &recorder{}
	opts := Options{MaxBatchTokens: 24, MaxSeqs: 6}
	e := newEngine(t, variant, opts, func(m model.Model) model.Model { rec.Model = m; return rec })
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := e.Config().VocabSize
	longest := min(60, e.Options().MaxModelLen-12)
	var prompts [][]int32
	for i := 0; i < 16; i++ {
		prompts = append(prompts, modeltest.RandomPrompt(rng, 1+rng.IntN(longest), vocab))
	}
	got := runConcurrent(t, e, prompts, 12)
	rec.mu.Lock()
	steps := slices.Clone(rec.steps) // before greedyAlone adds its own
	rec.mu.Unlock()
	for i, p := range prompts {
		if want := greedyAlone(t, e, p, 12); !slices.Equal(got[i], want) {
			t.Errorf("request %d (prompt %d tokens): batched %v, alone %v", i, len(p), got[i], want)
		}
	}
	mixed := false
	for i, s := range steps {
		if s.rows > opts.MaxBatchTokens || s.seqs > opts.MaxSeqs {
			t.Fatalf("step %d: %d rows of %d sequences exceeds the budget (%d rows, %d sequences)", i, s.rows, s.seqs, opts.MaxBatchTokens, opts.MaxSeqs)
		}
		mixed = mixed || s.decodes > 0 && s.prefills > 0
	}
	if !mixed {
		t.Error("no step mixed decodes with prefill chunks")
	}
	kvClean(t, e)
}

// TestChunkedPrefill: a prompt longer than the batch budget is prefilled
// over several steps and continues exactly as a whole prefill does.
func TestChunkedPrefill(t *testing.T) {
	rec := &recorder{}
	e := newEngine(t, "llama3", Options{MaxBatchTokens: 7}, func(m model.Model) model.Model { rec.Model = m; return rec })
	prompt := modeltest.RandomPrompt(rand.New(rand.NewPCG(3, 4)), 50, e.Config().VocabSize)
	got := runConcurrent(t, e, [][]int32{prompt}, 10)[0]
	rec.mu.Lock()
	nsteps := len(rec.steps)
	rec.mu.Unlock()
	if want := greedyAlone(t, e, prompt, 10); !slices.Equal(got, want) {
		t.Errorf("chunked %v, whole %v", got, want)
	}
	if nsteps != 8+9 {
		t.Errorf("%d steps; a 50-token prompt in chunks of 7 takes 8, plus 9 decodes", nsteps)
	}
}

// TestPreemption: a KV pool too small for all sequences at once forces
// preemptions; the preempted sequences are recomputed and finish with
// the same tokens as alone.
func TestPreemption(t *testing.T) {
	e := newEngine(t, "qwen3", Options{KVCacheTokens: 96, BlockSize: 4, MaxSeqs: 8, DisablePrefixCache: true}, func(m model.Model) model.Model { return m })
	rng := rand.New(rand.NewPCG(5, 6))
	var prompts [][]int32
	for i := 0; i < 6; i++ {
		prompts = append(prompts, modeltest.RandomPrompt(rng, 10+rng.IntN(10), e.Config().VocabSize))
	}
	got := runConcurrent(t, e, prompts, 30)
	for i, p := range prompts {
		if want := greedyAlone(t, e, p, 30); !slices.Equal(got[i], want) {
			t.Errorf("request %d: %v, alone %v", i, got[i], want)
		}
	}
	if st := e.Stats(); st.Preemptions == 0 {
		t.Error("no preemption happened; the test does not test it")
	} else {
		t.Logf("%d preemptions over %d steps", st.Preemptions, st.Steps)
	}
	kvClean(t, e)
}

// TestPrefixCacheSameLogits: a request served from cached prefix blocks
// gets the same logprobs as one computed from scratch.
func TestPrefixCacheSameLogits(t *testing.T) {
	e := openEngine(t, "qwen3", Options{})
	prompt := modeltest.RandomPrompt(rand.New(rand.NewPCG(7, 8)), 45, e.Config().VocabSize)
	req := Request{PromptTokens: prompt, Sampling: SamplingParams{MaxTokens: 8, IgnoreEOS: true, TopLogprobs: 5}}
	first := generate(t, e, req)
	second := generate(t, e, req)
	if first.usage.CachedTokens != 0 || second.usage.CachedTokens != 32 {
		t.Errorf("cached tokens %d then %d, want 0 then 32 (two full blocks of 16)", first.usage.CachedTokens, second.usage.CachedTokens)
	}
	// A longer prompt sharing the first 40 tokens hits the same blocks.
	third := generate(t, e, Request{PromptTokens: append(slices.Clone(prompt[:40]), 1, 2, 3), Sampling: req.Sampling})
	if third.usage.CachedTokens != 32 {
		t.Errorf("shared-prefix request cached %d tokens, want 32", third.usage.CachedTokens)
	}
	cold := openEngine(t, "qwen3", Options{DisablePrefixCache: true})
	want := generate(t, cold, req)
	for _, got := range []*result{first, second} {
		if !slices.Equal(got.tokens[0], want.tokens[0]) {
			t.Fatalf("tokens %v, want %v", got.tokens[0], want.tokens[0])
		}
		for i := range want.lps[0] {
			a, b := got.lps[0][i], want.lps[0][i]
			if a.Logprob != b.Logprob || !slices.Equal(a.Top, b.Top) {
				t.Errorf("step %d: logprobs %v %v, without the cache %v %v", i, a.Logprob, a.Top, b.Logprob, b.Top)
			}
		}
	}
	st := e.Stats()
	if st.PrefixHits != 64 || st.PrefixQueries == 0 {
		t.Errorf("prefix hits %d of %d queried tokens", st.PrefixHits, st.PrefixQueries)
	}
}
