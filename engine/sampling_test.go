package engine

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/ferrum-go/ferrum/model/modeltest"
)

func seed(v int64) *int64 { return &v }

// TestSeedIgnoresBatch: a seeded sampled request gives the same tokens
// alone and among other requests.
func TestSeedIgnoresBatch(t *testing.T) {
	e := openEngine(t, "llama3", Options{MaxBatchTokens: 32})
	rng := rand.New(rand.NewPCG(9, 9))
	vocab := e.Config().VocabSize
	req := Request{PromptTokens: modeltest.RandomPrompt(rng, 20, vocab), Sampling: SamplingParams{MaxTokens: 24, IgnoreEOS: true}}
	req.Sampling.Temperature, req.Sampling.TopP, req.Sampling.Seed = 1, 0.9, seed(42)
	alone := generate(t, e, req).tokens[0]
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		other := Request{PromptTokens: modeltest.RandomPrompt(rng, 1+rng.IntN(40), vocab), Sampling: SamplingParams{MaxTokens: 1 + rng.IntN(30)}}
		other.Sampling.Temperature = 0.8
		ch, err := e.Generate(context.Background(), other)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); collect(ch, 1) }()
	}
	batched := generate(t, e, req).tokens[0]
	wg.Wait()
	if !slices.Equal(alone, batched) {
		t.Errorf("seeded request: alone %v, batched %v", alone, batched)
	}
}

// TestN: n choices share the prompt's blocks, differ from each other, and
// are reproducible with a seed.
func TestN(t *testing.T) {
	e := openEngine(t, "qwen3", Options{})
	prompt := modeltest.RandomPrompt(rand.New(rand.NewPCG(1, 1)), 40, e.Config().VocabSize)
	req := Request{PromptTokens: prompt, Sampling: SamplingParams{MaxTokens: 16, IgnoreEOS: true, N: 4}}
	req.Sampling.Temperature, req.Sampling.Seed = 1, seed(7)
	a := generate(t, e, req)
	if got := e.Stats().PrefixHits; got != 3*32 {
		t.Errorf("prefix hits %d tokens, want 96 (3 followers x 2 blocks)", got)
	}
	b := generate(t, e, req)
	distinct := map[string]bool{}
	total := 0
	for i := 0; i < 4; i++ {
		if !slices.Equal(a.tokens[i], b.tokens[i]) {
			t.Errorf("choice %d not reproducible: %v vs %v", i, a.tokens[i], b.tokens[i])
		}
		distinct[strconv.Quote(a.text[i])+tokensKey(a.tokens[i])] = true
		total += len(a.tokens[i])
	}
	if len(distinct) < 3 {
		t.Errorf("only %d distinct choices of 4", len(distinct))
	}
	if a.usage.CompletionTokens != total || a.usage.PromptTokens != 40 {
		t.Errorf("usage %+v, want %d completion tokens", a.usage, total)
	}
}

func tokensKey(t []int32) string {
	var b strings.Builder
	for _, x := range t {
		b.WriteString(strconv.Itoa(int(x)))
		b.WriteByte(',')
	}
	return b.String()
}

// TestStopStringAcrossTokens: a stop string made of the end of one
// token's text and the start of the next's ends generation, and neither
// it nor anything after it is streamed.
func TestStopStringAcrossTokens(t *testing.T) {
	e := openEngine(t, "qwen3", Options{})
	ref := loadReference(t, "qwen3")
	for _, c := range ref.Cases {
		base := generate(t, e, Request{PromptTokens: c.InputIDs, Sampling: SamplingParams{MaxTokens: 16, IgnoreEOS: true}})
		d := base.deltas[0]
		k := -1
		for i := 0; i+1 < len(d); i++ {
			if len(d[i]) >= 2 && len(d[i+1]) >= 2 && utf8.ValidString(d[i][len(d[i])-1:]) {
				k = i
				break
			}
		}
		if k < 0 {
			continue
		}
		stop := d[k][len(d[k])-1:] + d[k+1][:1]
		if !utf8.ValidString(stop) {
			continue
		}
		full := base.text[0]
		want := full[:strings.Index(full, stop)]
		got := generate(t, e, Request{PromptTokens: c.InputIDs, Sampling: SamplingParams{MaxTokens: 16, IgnoreEOS: true, Stop: []string{"never there", stop}}})
		if got.text[0] != want || got.finish[0] != FinishStop || got.stop[0] != stop {
			t.Errorf("%s: stop %q: text %q finish %q (%q), want %q", c.Name, stop, got.text[0], got.finish[0], got.stop[0], want)
		}
		return
	}
	t.Fatal("no case had a stop string spanning two tokens")
}

// TestUTF8NeverCut: sampled output full of byte tokens streams as whole
// UTF-8 pieces whose concatenation is the decoded text.
func TestUTF8NeverCut(t *testing.T) {
	for _, v := range []string{"qwen3", "llama2"} {
		e := openEngine(t, v, Options{})
		multibyte := 0
		for s := int64(0); s < 6; s++ {
			req := Request{Prompt: "café ☕ 日本", Sampling: SamplingParams{MaxTokens: 60, IgnoreEOS: true}}
			req.Sampling.Temperature, req.Sampling.Seed = 1.5, seed(s)
			r := generate(t, e, req)
			for _, d := range r.deltas[0] {
				if !utf8.ValidString(d) {
					t.Fatalf("%s: delta %q is not valid UTF-8", v, d)
				}
				for _, c := range d {
					if utf8.RuneLen(c) > 1 && c != utf8.RuneError {
						multibyte++
					}
				}
			}
			ids := make([]int, len(r.tokens[0]))
			for i, x := range r.tokens[0] {
				ids[i] = int(x)
			}
			// With SentencePiece byte fallback a run of byte tokens that
			// is not UTF-8 decodes to one U+FFFD per byte - a whole run at
			// once, a window at a time when streaming (as in Hugging
			// Face's DecodeStream) - so only text free of them must match.
			want := e.Tokenizer().Decode(ids, true)
			if strings.ContainsRune(want, utf8.RuneError) && v == "llama2" {
				continue
			}
			if r.text[0] != want {
				t.Errorf("%s: streamed %q, decoded %q", v, r.text[0], want)
			}
		}
		t.Logf("%s: %d multi-byte characters streamed", v, multibyte)
	}
}

// TestEOSAndLimits: end-of-sequence, min_tokens, ignore_eos, stop token
// ids and max_tokens.
func TestEOSAndLimits(t *testing.T) {
	e := openEngine(t, "qwen3", Options{})
	eos := e.Tokenizer().EOS()
	prompt := []int32{271, 269, 267}
	force := SamplingParams{}
	force.LogitBias = map[int]float64{eos: 100}

	r := generate(t, e, Request{PromptTokens: prompt, Sampling: force})
	if !slices.Equal(r.tokens[0], []int32{int32(eos)}) || r.finish[0] != FinishStop || r.text[0] != "" {
		t.Errorf("forced EOS: %v %q %q", r.tokens[0], r.finish[0], r.text[0])
	}
	p := force
	p.MinTokens = 3
	r = generate(t, e, Request{PromptTokens: prompt, Sampling: p})
	if len(r.tokens[0]) != 4 || r.tokens[0][3] != int32(eos) || slices.Contains(r.tokens[0][:3], int32(eos)) {
		t.Errorf("min_tokens 3: %v", r.tokens[0])
	}
	p = force
	p.IgnoreEOS, p.MaxTokens = true, 5
	r = generate(t, e, Request{PromptTokens: prompt, Sampling: p})
	if len(r.tokens[0]) != 5 || r.finish[0] != FinishLength {
		t.Errorf("ignore_eos: %v %q", r.tokens[0], r.finish[0])
	}
	greedy := generate(t, e, Request{PromptTokens: prompt, Sampling: SamplingParams{MaxTokens: 8, IgnoreEOS: true}}).tokens[0]
	stopID := greedy[2]
	first := slices.Index(greedy, stopID)
	r = generate(t, e, Request{PromptTokens: prompt, Sampling: SamplingParams{MaxTokens: 8, IgnoreEOS: true, StopTokenIDs: []int{int(stopID)}}})
	if len(r.tokens[0]) != first+1 || r.finish[0] != FinishStop || r.stop[0] != strconv.Itoa(int(stopID)) {
		t.Errorf("stop token %d: %v %q %q", stopID, r.tokens[0], r.finish[0], r.stop[0])
	}
}

func TestBadRequests(t *testing.T) {
	e := openEngine(t, "qwen3", Options{MaxModelLen: 64})
	long := make([]int32, 64)
	for _, c := range []struct {
		name string
		req  Request
	}{
		{"nothing", Request{}},
		{"two prompts", Request{Prompt: "a", PromptTokens: []int32{1}}},
		{"token outside vocab", Request{PromptTokens: []int32{100000}}},
		{"prompt too long", Request{PromptTokens: long}},
		{"max tokens too many", Request{PromptTokens: []int32{1}, Sampling: SamplingParams{MaxTokens: 64}}},
		{"temperature", Request{PromptTokens: []int32{1}, Sampling: SamplingParams{Params: samplingParams(-1)}}},
		{"top logprobs", Request{PromptTokens: []int32{1}, Sampling: SamplingParams{TopLogprobs: 21}}},
		{"min over max", Request{PromptTokens: []int32{1}, Sampling: SamplingParams{MinTokens: 5, MaxTokens: 2}}},
		{"n", Request{PromptTokens: []int32{1}, Sampling: SamplingParams{N: -1}}},
	} {
		if _, err := e.Generate(context.Background(), c.req); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
