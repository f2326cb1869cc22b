package server

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/tokenizer"
)

// tokenNamer writes tokens as logprobs show them: their text, or
// "token_id:N" with vLLM's return_tokens_as_token_ids.
type tokenNamer struct {
	tok   *tokenizer.Tokenizer
	asIDs bool
}

func (n tokenNamer) name(id int32) string {
	if n.asIDs {
		return "token_id:" + strconv.Itoa(int(id))
	}
	return n.tok.Decode([]int{int(id)}, false)
}

// finiteLogprob keeps JSON encodable: -Inf becomes -9999, as vLLM sends.
func finiteLogprob(lp float32) float64 {
	if math.IsInf(float64(lp), -1) || math.IsNaN(float64(lp)) {
		return -9999
	}
	return float64(lp)
}

func utf8Bytes(s string) []int {
	out := make([]int, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = int(s[i])
	}
	return out
}

// Chat completions' shape: logprobs.content[i] = {token, logprob, bytes,
// top_logprobs: [{token, logprob, bytes}]}.
type chatLogprobs struct {
	Content []chatTokenLogprob `json:"content"`
	Refusal []chatTokenLogprob `json:"refusal"`
}

type chatTokenLogprob struct {
	Token       string           `json:"token"`
	Logprob     float64          `json:"logprob"`
	Bytes       []int            `json:"bytes"`
	TopLogprobs []chatTopLogprob `json:"top_logprobs"`
}

type chatTopLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

func (n tokenNamer) chatLogprobs(lps []engine.Logprob) []chatTokenLogprob {
	out := make([]chatTokenLogprob, len(lps))
	for i, lp := range lps {
		t := n.name(lp.Token)
		e := chatTokenLogprob{Token: t, Logprob: finiteLogprob(lp.Logprob), Bytes: utf8Bytes(t),
			TopLogprobs: make([]chatTopLogprob, len(lp.Top))}
		for j, top := range lp.Top {
			tt := n.name(top.Token)
			e.TopLogprobs[j] = chatTopLogprob{Token: tt, Logprob: finiteLogprob(top.Logprob), Bytes: utf8Bytes(tt)}
		}
		out[i] = e
	}
	return out
}

// Completions' (legacy) shape: parallel arrays, top_logprobs as
// {token: logprob} objects, text_offset in characters of the returned
// text. A prompt's first token has null logprobs.
type completionLogprobs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []*float64           `json:"token_logprobs"`
	TopLogprobs   []map[string]float64 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

// add appends tokens whose text starts at character offset; it returns
// the offset after them.
func (n tokenNamer) addCompletion(c *completionLogprobs, lps []engine.Logprob, offset int) int {
	for _, lp := range lps {
		t := n.name(lp.Token)
		v := finiteLogprob(lp.Logprob)
		top := make(map[string]float64, len(lp.Top)+1)
		for _, alt := range lp.Top {
			top[n.name(alt.Token)] = finiteLogprob(alt.Logprob)
		}
		top[t] = v // the sampled token is always listed, as vLLM does
		c.Tokens = append(c.Tokens, t)
		c.TokenLogprobs = append(c.TokenLogprobs, &v)
		c.TopLogprobs = append(c.TopLogprobs, top)
		c.TextOffset = append(c.TextOffset, offset)
		offset += utf8.RuneCountInString(t)
	}
	return offset
}

// addFirstPromptToken appends the prompt's first token, which has no
// logprob.
func (n tokenNamer) addFirstPromptToken(c *completionLogprobs, id int32, offset int) int {
	t := n.name(id)
	c.Tokens = append(c.Tokens, t)
	c.TokenLogprobs = append(c.TokenLogprobs, nil)
	c.TopLogprobs = append(c.TopLogprobs, nil)
	c.TextOffset = append(c.TextOffset, offset)
	return offset + utf8.RuneCountInString(t)
}
