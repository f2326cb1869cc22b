package engine

import (
	"math"
	"slices"
	"testing"

	"github.com/ferrum-go/ferrum/sample"
)

// TestGreedyMatchesTransformers: the engine's greedy continuations equal
// the ones transformers produced for the fixtures.
func TestGreedyMatchesTransformers(t *testing.T) {
	for _, v := range []string{"qwen3", "llama3", "mistral"} {
		t.Run(v, func(t *testing.T) {
			e := openEngine(t, v, Options{})
			ref := loadReference(t, v)
			for _, c := range ref.Cases {
				r := generate(t, e, Request{PromptTokens: c.InputIDs, Sampling: SamplingParams{MaxTokens: len(c.Greedy.IDs), IgnoreEOS: true}})
				if !slices.Equal(r.tokens[0], c.Greedy.IDs) {
					t.Errorf("%s: got %v, want %v", c.Name, r.tokens[0], c.Greedy.IDs)
				}
				if r.finish[0] != FinishLength {
					t.Errorf("%s: finish %q", c.Name, r.finish[0])
				}
			}
		})
	}
}

// TestChatPrompt: a chat request's prompt is the template rendered and
// tokenized as transformers does it.
func TestChatPrompt(t *testing.T) {
	for _, v := range []string{"qwen3", "llama3"} {
		e := openEngine(t, v, Options{})
		ref := loadReference(t, v)
		got, err := e.PromptTokens(&Request{Messages: chatMessages()})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, ref.Chat.InputIDs) {
			t.Errorf("%s: chat prompt %v, want %v", v, got, ref.Chat.InputIDs)
		}
	}
}

// TestPromptLogprobs: prompt logprobs equal log-softmax of transformers'
// logits at every position, computed in chunks and even when the prefix
// cache holds the prompt.
func TestPromptLogprobs(t *testing.T) {
	// An F32 KV cache: the 1e-4 bound is transformers' own F32 attention.
	// (The default F16 cache moves these logprobs by up to ~2e-3.)
	e := openEngine(t, "qwen3", Options{MaxBatchTokens: 20, KVCacheType: "f32"})
	ref := loadReference(t, "qwen3")
	for _, c := range ref.Cases {
		// Fill the prefix cache first: prompt logprobs must not use it.
		generate(t, e, Request{PromptTokens: c.InputIDs, Sampling: SamplingParams{MaxTokens: 1}})
		r := generate(t, e, Request{PromptTokens: c.InputIDs, Sampling: SamplingParams{MaxTokens: 2, PromptLogprobs: true, TopLogprobs: 3, N: 2, PromptOnly: c.Name == "long"}})
		if c.Name == "long" && (len(r.tokens[0])+len(r.tokens[1]) != 0 || r.finish[0] != FinishLength || r.usage.CompletionTokens != 0) {
			t.Errorf("prompt only: tokens %v %v, finish %q, usage %+v", r.tokens[0], r.tokens[1], r.finish[0], r.usage)
		}
		if len(r.promptLPs) != len(c.InputIDs)-1 {
			t.Fatalf("%s: %d prompt logprobs for %d tokens", c.Name, len(r.promptLPs), len(c.InputIDs))
		}
		for i, lp := range r.promptLPs {
			want, wantTop := sample.Logprobs(c.Logits[i], c.InputIDs[i+1], 3)
			if lp.Token != c.InputIDs[i+1] || math.Abs(float64(lp.Logprob-want)) > 1e-4 {
				t.Errorf("%s position %d: token %d logprob %v, want token %d %v", c.Name, i+1, lp.Token, lp.Logprob, c.InputIDs[i+1], want)
			}
			if len(lp.Top) != 3 || lp.Top[0].Token != wantTop[0].Token {
				t.Errorf("%s position %d: top %v, want %v", c.Name, i+1, lp.Top, wantTop)
			}
		}
	}
}
