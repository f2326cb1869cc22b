package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/sample"
)

// Request is one generation request. Exactly one of Prompt, PromptTokens
// and Messages is set.
type Request struct {
	// Prompt is raw text, tokenized with the model's special tokens (BOS).
	Prompt string
	// PromptTokens are used as they are.
	PromptTokens []int32
	// Messages are rendered through the chat template (with the generation
	// prompt) and tokenized without adding special tokens, as transformers'
	// apply_chat_template does.
	Messages []chat.Message
	// Tools and TemplateKwargs are passed to the chat template.
	Tools          []json.RawMessage
	TemplateKwargs map[string]any

	Sampling SamplingParams
}

// SamplingParams are the per-request generation settings (OpenAI/vLLM
// semantics).
type SamplingParams struct {
	sample.Params

	// MaxTokens caps the generated tokens; 0 means up to MaxModelLen.
	MaxTokens int
	// MinTokens holds back end-of-sequence and stop token ids until this
	// many tokens are generated.
	MinTokens int
	// Stop strings end generation; they are matched across token
	// boundaries and never appear in the text.
	Stop []string
	// StopTokenIDs end generation like end-of-sequence ids.
	StopTokenIDs []int
	// IgnoreEOS keeps generating past end-of-sequence ids.
	IgnoreEOS bool
	// N is the number of choices (default 1); they share the prompt's
	// KV blocks through the prefix cache.
	N int
	// Logprobs asks for each token's log-probability; TopLogprobs (0..20)
	// for as many most likely alternatives too.
	Logprobs    bool
	TopLogprobs int
	// PromptLogprobs asks for the log-probability of every prompt token
	// after the first (with TopLogprobs alternatives), as completions'
	// echo needs. Such a prompt is computed in full, never taken from the
	// prefix cache, in chunks of at most 256 rows.
	PromptLogprobs bool
	// PromptOnly computes the prompt and generates nothing (completions'
	// max_tokens 0 with echo): each choice ends with FinishLength right
	// after its prompt, which is the time to read PromptLogprobs.
	PromptOnly bool
	// KeepSpecialTokens shows special tokens in the text (they are skipped
	// by default).
	KeepSpecialTokens bool
}

// FinishReason says why a choice ended.
type FinishReason string

const (
	FinishStop      FinishReason = "stop"      // end-of-sequence, stop token or stop string
	FinishLength    FinishReason = "length"    // MaxTokens, MaxModelLen or no KV room left
	FinishCancelled FinishReason = "cancelled" // the context was cancelled or the engine closed
	FinishError     FinishReason = "error"     // the forward pass failed (Event.Err)
)

// Event is one step of one choice's stream.
type Event struct {
	// Index is the choice (0..N-1).
	Index int
	// Text is the new text. It may be empty while text is held back (an
	// incomplete UTF-8 character, or a possible start of a stop string).
	Text string
	// Tokens are the token ids generated in this step (usually one).
	Tokens []int32
	// Logprobs has one entry per token of Tokens when asked for.
	Logprobs []Logprob
	// PromptLogprobs, with SamplingParams.PromptLogprobs, comes in one
	// event of choice 0 before its first token: entry i is prompt token
	// i+1 (the first token has no logprob).
	PromptLogprobs []Logprob
	// FinishReason is set on the choice's last event.
	FinishReason FinishReason
	// StopReason is the stop string or the id (as text) of the stop token
	// that ended the choice, when one did.
	StopReason string
	// Err explains FinishError and FinishCancelled.
	Err error
	// Usage is set on the request's very last event.
	Usage *Usage
}

// Logprob is a generated token's log-probability and the most likely
// alternatives at its position, under the model's distribution.
type Logprob struct {
	Token   int32
	Logprob float32
	Top     []sample.TokenLogprob
}

// Usage counts a request's tokens and times it.
type Usage struct {
	PromptTokens     int
	CompletionTokens int // all choices together
	// CachedTokens were found in the prefix cache instead of computed.
	CachedTokens int
	// TimeToFirstToken runs from submission to the first generated token;
	// Duration to the end of the request.
	TimeToFirstToken time.Duration
	Duration         time.Duration
}

const maxTopLogprobs = 20
const maxN = 128

// check validates sampling settings against the vocabulary.
func (p *SamplingParams) check(vocab int) error {
	if err := p.Params.Validate(vocab); err != nil {
		return err
	}
	switch {
	case p.MaxTokens < 0:
		return fmt.Errorf("max_tokens must not be negative, got %d", p.MaxTokens)
	case p.MinTokens < 0:
		return fmt.Errorf("min_tokens must not be negative, got %d", p.MinTokens)
	case p.MaxTokens > 0 && p.MinTokens > p.MaxTokens:
		return fmt.Errorf("min_tokens (%d) exceeds max_tokens (%d)", p.MinTokens, p.MaxTokens)
	case p.N < 0 || p.N > maxN:
		return fmt.Errorf("n must be 1..%d, got %d", maxN, p.N)
	case p.TopLogprobs < 0 || p.TopLogprobs > maxTopLogprobs:
		return fmt.Errorf("top_logprobs must be 0..%d, got %d", maxTopLogprobs, p.TopLogprobs)
	}
	for _, id := range p.StopTokenIDs {
		if id < 0 || id >= vocab {
			return fmt.Errorf("stop token id %d is outside the vocabulary of %d", id, vocab)
		}
	}
	return nil
}
