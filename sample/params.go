// Package sample turns a row of logits into the next token the way vLLM and
// the OpenAI API define it: logit bias and suppressed ids, repetition /
// presence / frequency penalties, temperature, min-p, top-k, top-p, and a
// per-sequence seeded random source, so the same seed gives the same tokens
// whatever else shares the batch. It also computes logprobs and matches
// stop strings over streamed text.
package sample

import (
	"fmt"
	"math"
)

// Params are one request's sampling settings. The zero value is greedy
// decoding with no penalties.
type Params struct {
	// Temperature divides the logits; 0 means greedy (argmax).
	Temperature float64
	// TopK keeps the K most likely tokens; 0 or -1 keeps all.
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probability
	// mass reaches TopP; 0 or 1 keeps all.
	TopP float64
	// MinP drops tokens less likely than MinP times the most likely one.
	MinP float64
	// RepetitionPenalty (HF/vLLM) divides positive logits and multiplies
	// negative ones of every token seen in the prompt or the output; 0 or 1
	// is off.
	RepetitionPenalty float64
	// PresencePenalty is subtracted once from every token already
	// generated; FrequencyPenalty once per occurrence (OpenAI semantics:
	// output tokens only).
	PresencePenalty, FrequencyPenalty float64
	// LogitBias is added to the listed token ids' logits before anything else.
	LogitBias map[int]float64
	// Seed makes the random choices reproducible; nil draws a random seed.
	Seed *int64
}

// Greedy reports whether sampling reduces to argmax.
func (p *Params) Greedy() bool { return p.Temperature == 0 || p.TopK == 1 }

// Validate checks the ranges the OpenAI API and vLLM accept; vocab bounds
// the ids of LogitBias.
func (p *Params) Validate(vocab int) error {
	bad := func(name string, v any, want string) error {
		return fmt.Errorf("sampling: %s = %v is out of range (%s)", name, v, want)
	}
	switch {
	case !(p.Temperature >= 0) || math.IsInf(p.Temperature, 0):
		return bad("temperature", p.Temperature, "want >= 0")
	case p.TopK < -1:
		return bad("top_k", p.TopK, "want -1, 0 or a positive count")
	case !(p.TopP >= 0 && p.TopP <= 1):
		return bad("top_p", p.TopP, "want 0 < top_p <= 1")
	case !(p.MinP >= 0 && p.MinP <= 1):
		return bad("min_p", p.MinP, "want 0 <= min_p <= 1")
	case !(p.RepetitionPenalty >= 0) || math.IsInf(p.RepetitionPenalty, 0):
		return bad("repetition_penalty", p.RepetitionPenalty, "want > 0")
	case !(p.PresencePenalty >= -2 && p.PresencePenalty <= 2):
		return bad("presence_penalty", p.PresencePenalty, "want -2..2")
	case !(p.FrequencyPenalty >= -2 && p.FrequencyPenalty <= 2):
		return bad("frequency_penalty", p.FrequencyPenalty, "want -2..2")
	}
	for id, b := range p.LogitBias {
		if id < 0 || id >= vocab {
			return fmt.Errorf("sampling: logit_bias names token %d outside the vocabulary of %d", id, vocab)
		}
		if !(b >= -100 && b <= 100) {
			return fmt.Errorf("sampling: logit_bias of token %d is %v (want -100..100)", id, b)
		}
	}
	return nil
}
