package engine

import (
	"slices"
	"testing"
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
