package engine

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-go/ferrum/model/modeltest"
)

// TestStress: 200 random requests (sampling settings, n, lengths) against
// a KV pool far too small for all of them, with random cancellations -
// before submission, mid-stream while reading on, mid-stream walking away
// from the channel, or never read at all. Every request finishes or is
// cancelled, every block comes back, and no goroutine is left.
func TestStress(t *testing.T) {
	before := runtime.NumGoroutine()
	e, err := Open(fixtures+"/qwen3", Options{Threads: 2, KVCacheTokens: 320, BlockSize: 8, MaxSeqs: 12, MaxBatchTokens: 64, MaxModelLen: 160})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	vocab := e.Config().VocabSize
	var wg sync.WaitGroup
	var abandoned []<-chan Event
	var mu sync.Mutex
	counts := map[FinishReason]int{}
	for i := 0; i < 200; i++ {
		p := SamplingParams{MaxTokens: 1 + rng.IntN(40), N: 1 + rng.IntN(2)*rng.IntN(3)}
		if rng.IntN(2) == 0 {
			p.Temperature, p.TopP, p.TopK, p.MinP = rng.Float64()*1.5, 0.5+rng.Float64()/2, rng.IntN(50), rng.Float64()*0.1
			p.Seed = seed(int64(i))
		}
		if rng.IntN(4) == 0 {
			p.Stop = []string{"e", "th"}
		}
		if rng.IntN(4) == 0 {
			p.TopLogprobs = 3
		}
		p.PromptLogprobs = rng.IntN(6) == 0
		// Some prompts share a prefix, to exercise the prefix cache.
		prompt := modeltest.RandomPrompt(rng, 1+rng.IntN(80), vocab)
		if rng.IntN(3) == 0 {
			prompt = append(modeltest.RandomPrompt(rand.New(rand.NewPCG(1, 1)), 24, vocab), prompt[:min(len(prompt), 20)]...)
		}
		ctx, cancel := context.WithCancel(context.Background())
		mode := rng.IntN(5)
		if mode == 0 {
			cancel()
		}
		ch, err := e.Generate(ctx, Request{PromptTokens: prompt, Sampling: p})
		if err != nil {
			t.Fatal(err)
		}
		if mode == 4 && rng.IntN(3) == 0 {
			abandoned = append(abandoned, ch) // never read; cancelled below
			time.AfterFunc(time.Duration(rng.IntN(20))*time.Millisecond, cancel)
			continue
		}
		after := rng.IntN(10)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancel()
			n, finished, promptLPs := 0, 0, 0
			for ev := range ch {
				n++
				if ev.PromptLogprobs != nil {
					if promptLPs++; promptLPs > 1 || len(ev.PromptLogprobs) != len(prompt)-1 {
						t.Errorf("prompt logprobs: event %d with %d entries for %d tokens", promptLPs, len(ev.PromptLogprobs), len(prompt))
					}
				}
				if ev.FinishReason != "" {
					finished++
					mu.Lock()
					counts[ev.FinishReason]++
					mu.Unlock()
					if ev.FinishReason == FinishError {
						t.Errorf("error: %v", ev.Err)
					}
				}
				if n == after && mode >= 2 {
					cancel()
					if mode == 3 {
						return // walk away from the channel
					}
				}
			}
			if mode < 2 && finished != p.N {
				t.Errorf("%d of %d choices finished", finished, p.N)
			}
		}()
	}
	wg.Wait()
	// Cancelled requests are reaped at the scheduler's next step; wait for it.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if st := e.Stats(); st.Running+st.Waiting == 0 || time.Now().After(deadline) {
			break
		}
	}
	st := e.Stats()
	t.Logf("finish reasons %v; %d steps, %d preemptions, prefix hits %d of %d tokens", counts, st.Steps, st.Preemptions, st.PrefixHits, st.PrefixQueries)
	// Readers that walked away miss some finish events, so the engine
	// counts at least what they saw.
	if got := st.ChoicesStop + st.ChoicesLength + st.ChoicesCancelled; got < int64(counts[FinishStop]+counts[FinishLength]+counts[FinishCancelled]) || st.ChoicesError != 0 {
		t.Errorf("stats count %d ended choices, readers saw %v", got, counts)
	}
	if st.Preemptions == 0 {
		t.Error("the pool was never short; no preemption tested")
	}
	kvClean(t, e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for _, ch := range abandoned {
		for range ch {
		}
	}
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left (%d before):\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
