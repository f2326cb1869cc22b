package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferrum-go/ferrum/engine"
)

// checkLength rejects a prompt that, with max_tokens, cannot fit the
// model's context, naming the numbers as OpenAI does.
func checkLength(m *Model, promptLen int, maxTokens int, promptField, maxField string) *apiError {
	maxLen := m.Generator.Options().MaxModelLen
	if promptLen >= maxLen {
		e := badRequest(promptField, "This model's maximum context length is %d tokens. However, your request has %d input tokens, which leaves no room for an answer. Please reduce the length of the input.", maxLen, promptLen)
		e.Code = "context_length_exceeded"
		return e
	}
	if maxTokens > 0 && promptLen+maxTokens > maxLen {
		e := badRequest(maxField, "This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the input, %d in the completion). Please reduce the length of the input or of %s.", maxLen, promptLen+maxTokens, promptLen, maxTokens, maxField)
		e.Code = "context_length_exceeded"
		return e
	}
	return nil
}

// engineError maps an error from Generate: the engine reports what the
// client got wrong as plain errors, and closing as ErrClosed.
func engineError(err error) *apiError {
	if errors.Is(err, engine.ErrClosed) {
		return unavailable("the server is shutting down")
	}
	msg := strings.TrimPrefix(err.Error(), "engine: ")
	field := ""
	for _, f := range []string{"logit_bias", "stop token", "prompt token", "max_tokens", "min_tokens", "top_logprobs", "temperature", "top_p", "top_k", "min_p", "repetition_penalty", "presence_penalty", "frequency_penalty"} {
		if strings.Contains(msg, f) {
			field = strings.ReplaceAll(f, " ", "_")
			switch field {
			case "stop_token":
				field = "stop_token_ids"
			case "prompt_token":
				field = "prompt"
			}
			break
		}
	}
	return badRequest(field, "%s", msg)
}

// finishError maps a choice that ended in error or cancellation.
func finishError(ev *engine.Event) *apiError {
	if ev.FinishReason == engine.FinishCancelled {
		return unavailable("the request was cancelled: %v", ev.Err)
	}
	return serverError("generation failed: %v", ev.Err)
}

// run submits one engine request, counting it in the model's metrics.
func (s *Server) run(ctx context.Context, m *Model, req engine.Request) (*tracked, *apiError) {
	ch, err := m.Generator.Generate(ctx, req)
	if err != nil {
		return nil, engineError(err)
	}
	return m.metrics.track(ch, req.Sampling.N), nil
}

// tracked is an engine stream whose events feed the metrics as they are
// read.
type tracked struct {
	ch      <-chan engine.Event
	mm      *modelMetrics
	start   time.Time
	last    []time.Time
	started bool
}

func (m *modelMetrics) track(ch <-chan engine.Event, n int) *tracked {
	return &tracked{ch: ch, mm: m, start: time.Now(), last: make([]time.Time, max(n, 1))}
}

// next returns the next event, false at the end.
func (t *tracked) next() (engine.Event, bool) {
	ev, ok := <-t.ch
	if !ok {
		return ev, false
	}
	now := time.Now()
	if len(ev.Tokens) > 0 && ev.Index < len(t.last) {
		if prev := t.last[ev.Index]; !prev.IsZero() {
			per := now.Sub(prev).Seconds() / float64(len(ev.Tokens))
			for range ev.Tokens {
				t.mm.itl.observe(per)
			}
		}
		t.last[ev.Index] = now
	}
	if ev.FinishReason != "" {
		t.mm.finishedChoice(ev.FinishReason)
	}
	if ev.Usage != nil {
		t.mm.usage(ev.Usage)
	}
	return ev, true
}

// drain reads what is left (after the client went away).
func (t *tracked) drain() {
	for {
		if _, ok := t.next(); !ok {
			return
		}
	}
}

func usageOf(u *engine.Usage) *usage {
	if u == nil {
		return &usage{}
	}
	out := &usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
	out.PromptTokensDetails = &promptDetails{CachedTokens: u.CachedTokens}
	return out
}

type usage struct {
	PromptTokens        int            `json:"prompt_tokens"`
	CompletionTokens    int            `json:"completion_tokens"`
	TotalTokens         int            `json:"total_tokens"`
	PromptTokensDetails *promptDetails `json:"prompt_tokens_details,omitempty"`
}

type promptDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

func (u *usage) add(o *usage) {
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
	u.TotalTokens += o.TotalTokens
	if o.PromptTokensDetails != nil {
		if u.PromptTokensDetails == nil {
			u.PromptTokensDetails = &promptDetails{}
		}
		u.PromptTokensDetails.CachedTokens += o.PromptTokensDetails.CachedTokens
	}
}

// stopReason is vLLM's stop_reason: the stop string, or the stop token id
// (a number), or null for end-of-sequence and length.
func stopReason(ev *engine.Event, stops []string, eos func(int) bool) any {
	if ev.FinishReason != engine.FinishStop || ev.StopReason == "" {
		return nil
	}
	if slices.Contains(stops, ev.StopReason) {
		return ev.StopReason
	}
	var id int
	if _, err := fmt.Sscanf(ev.StopReason, "%d", &id); err == nil && fmt.Sprint(id) == ev.StopReason {
		if eos(id) {
			return nil
		}
		return id
	}
	return ev.StopReason
}
