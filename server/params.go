package server

import (
	"encoding/json"

	"github.com/ferrum-go/ferrum/engine"
)

// genParams are the generation fields chat and text completions share
// (OpenAI's and vLLM's extensions). Pointers tell absent from zero.
type genParams struct {
	Model               string             `json:"model"`
	N                   *int               `json:"n"`
	MaxTokens           *int               `json:"max_tokens"`
	MaxCompletionTokens *int               `json:"max_completion_tokens"`
	Temperature         *float64           `json:"temperature"`
	TopP                *float64           `json:"top_p"`
	TopK                *int               `json:"top_k"`
	MinP                *float64           `json:"min_p"`
	PresencePenalty     *float64           `json:"presence_penalty"`
	FrequencyPenalty    *float64           `json:"frequency_penalty"`
	RepetitionPenalty   *float64           `json:"repetition_penalty"`
	Seed                *int64             `json:"seed"`
	Stop                json.RawMessage    `json:"stop"`
	StopTokenIDs        []int              `json:"stop_token_ids"`
	LogitBias           map[string]float64 `json:"logit_bias"`
	MinTokens           *int               `json:"min_tokens"`
	IgnoreEOS           bool               `json:"ignore_eos"`
	SkipSpecialTokens   *bool              `json:"skip_special_tokens"`
	Stream              bool               `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage         bool `json:"include_usage"`
		ContinuousUsageStats bool `json:"continuous_usage_stats"`
	} `json:"stream_options"`
	User                   string `json:"user"`
	ReturnTokensAsTokenIDs bool   `json:"return_tokens_as_token_ids"`
	Echo                   bool   `json:"echo"`

	// Accepted only in the form that asks for nothing we lack.
	BestOf                 *int `json:"best_of"`
	UseBeamSearch          bool `json:"use_beam_search"`
	IncludeStopStrInOutput bool `json:"include_stop_str_in_output"`
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// sampling turns the fields into the engine's settings. maxTokens is the
// effective max_tokens field (chat prefers max_completion_tokens).
func (g *genParams) sampling(maxTokens *int, maxTokensField string) (engine.SamplingParams, *apiError) {
	var p engine.SamplingParams
	p.N = intOr(g.N, 1)
	if p.N < 1 || p.N > 128 {
		return p, badRequest("n", "n must be between 1 and 128, got %d", p.N)
	}
	if g.BestOf != nil && *g.BestOf != p.N {
		return p, badRequest("best_of", "best_of (%d) other than n (%d) is not supported", *g.BestOf, p.N)
	}
	if g.UseBeamSearch {
		return p, badRequest("use_beam_search", "beam search is not supported")
	}
	if g.IncludeStopStrInOutput {
		return p, badRequest("include_stop_str_in_output", "include_stop_str_in_output is not supported")
	}
	if maxTokens != nil {
		if *maxTokens < 1 {
			return p, badRequest(maxTokensField, "%s must be at least 1, got %d", maxTokensField, *maxTokens)
		}
		p.MaxTokens = *maxTokens
	}
	p.Temperature = 1
	if g.Temperature != nil {
		p.Temperature = *g.Temperature
	}
	if g.TopP != nil {
		p.TopP = *g.TopP
	}
	p.TopK = intOr(g.TopK, 0)
	if g.MinP != nil {
		p.MinP = *g.MinP
	}
	if g.PresencePenalty != nil {
		p.PresencePenalty = *g.PresencePenalty
	}
	if g.FrequencyPenalty != nil {
		p.FrequencyPenalty = *g.FrequencyPenalty
	}
	if g.RepetitionPenalty != nil {
		p.RepetitionPenalty = *g.RepetitionPenalty
	}
	p.Seed = g.Seed
	stop, err := parseStop(g.Stop)
	if err != nil {
		return p, asAPIError(err)
	}
	p.Stop = stop
	p.StopTokenIDs = g.StopTokenIDs
	if p.LogitBias, err = parseLogitBias(g.LogitBias); err != nil {
		return p, asAPIError(err)
	}
	p.MinTokens = intOr(g.MinTokens, 0)
	p.IgnoreEOS = g.IgnoreEOS
	p.KeepSpecialTokens = g.SkipSpecialTokens != nil && !*g.SkipSpecialTokens
	if e := checkRanges(&p); e != nil {
		return p, e
	}
	return p, nil
}

// checkRanges repeats the engine's range checks so that each error names
// its field (the engine's own errors come as plain 400s).
func checkRanges(p *engine.SamplingParams) *apiError {
	f := func(name string, ok bool, v any, want string) *apiError {
		if ok {
			return nil
		}
		return badRequest(name, "%s = %v is out of range (%s)", name, v, want)
	}
	for _, e := range []*apiError{
		f("temperature", p.Temperature >= 0 && p.Temperature <= 1e6, p.Temperature, "0 or more"),
		f("top_p", p.TopP >= 0 && p.TopP <= 1, p.TopP, "0 < top_p <= 1"),
		f("top_k", p.TopK >= -1, p.TopK, "-1, 0 or a positive count"),
		f("min_p", p.MinP >= 0 && p.MinP <= 1, p.MinP, "0..1"),
		f("presence_penalty", p.PresencePenalty >= -2 && p.PresencePenalty <= 2, p.PresencePenalty, "-2..2"),
		f("frequency_penalty", p.FrequencyPenalty >= -2 && p.FrequencyPenalty <= 2, p.FrequencyPenalty, "-2..2"),
		f("repetition_penalty", p.RepetitionPenalty >= 0 && p.RepetitionPenalty <= 1e6, p.RepetitionPenalty, "greater than 0"),
		f("min_tokens", p.MinTokens >= 0, p.MinTokens, "0 or more"),
	} {
		if e != nil {
			return e
		}
	}
	if p.MaxTokens > 0 && p.MinTokens > p.MaxTokens {
		return badRequest("min_tokens", "min_tokens (%d) exceeds max_tokens (%d)", p.MinTokens, p.MaxTokens)
	}
	for id, b := range p.LogitBias {
		if !(b >= -100 && b <= 100) {
			return badRequest("logit_bias", "logit_bias of token %d is %v (want -100..100)", id, b)
		}
	}
	return nil
}

func asAPIError(err error) *apiError {
	if fe, ok := err.(*fieldError); ok {
		return badRequest(fe.field, "%s", fe.msg)
	}
	return badRequest("", "%v", err)
}
