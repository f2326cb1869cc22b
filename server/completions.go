package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ferrum-go/ferrum/engine"
)

type completionRequest struct {
	genParams
	Prompt           json.RawMessage `json:"prompt"`
	Logprobs         *int            `json:"logprobs"`
	AddSpecialTokens *bool           `json:"add_special_tokens"`

	Suffix         *string         `json:"suffix"`
	PromptLogprobs json.RawMessage `json:"prompt_logprobs"`
}

// completionPrompt is one prompt of a completions request, ready to run.
type completionPrompt struct {
	ids  []int32
	text string // echoed before the answer
}

type completionSetup struct {
	m       *Model
	prompts []completionPrompt
	params  engine.SamplingParams
	echo    bool
	namer   tokenNamer
	stops   []string
}

// completions' max_tokens defaults to 16, as in OpenAI's legacy API and vLLM.
const defaultCompletionTokens = 16

func (s *Server) prepareCompletion(req *completionRequest) (*completionSetup, *apiError) {
	m, e := s.model(req.Model, true)
	if e != nil {
		return nil, e
	}
	inputs, err := parsePrompts("prompt", req.Prompt)
	if err != nil {
		return nil, asAPIError(err)
	}
	switch {
	case req.Suffix != nil && *req.Suffix != "":
		return nil, badRequest("suffix", "suffix is not supported")
	case !isNull(req.PromptLogprobs):
		return nil, badRequest("prompt_logprobs", "prompt_logprobs is not supported; use echo with logprobs")
	}
	promptOnly := false
	maxTok := req.MaxTokens
	if maxTok == nil {
		d := defaultCompletionTokens
		maxTok = &d
	} else if *maxTok == 0 && req.Echo {
		promptOnly = true // scoring a prompt: echo it (with its logprobs) and generate nothing
		one := 1
		maxTok = &one
	}
	p, e := req.sampling(maxTok, "max_tokens")
	if e != nil {
		return nil, e
	}
	p.PromptOnly = promptOnly
	if req.Logprobs != nil {
		if *req.Logprobs < 0 || *req.Logprobs > 20 {
			return nil, badRequest("logprobs", "logprobs must be 0..20, got %d", *req.Logprobs)
		}
		p.Logprobs, p.TopLogprobs = true, *req.Logprobs
		p.PromptLogprobs = req.Echo
	}
	tok := m.Generator.Tokenizer()
	addSpecial := req.AddSpecialTokens == nil || *req.AddSpecialTokens
	c := &completionSetup{m: m, params: p, echo: req.Echo, namer: tokenNamer{tok: tok, asIDs: req.ReturnTokensAsTokenIDs}}
	c.stops, _ = parseStop(req.Stop)
	for _, in := range inputs {
		var cp completionPrompt
		if in.IsText {
			cp.ids, cp.text = toInt32(tok.Encode(in.Text, addSpecial)), in.Text
		} else {
			cp.ids = in.Tokens
			ids := make([]int, len(in.Tokens))
			for i, t := range in.Tokens {
				ids[i] = int(t)
			}
			cp.text = tok.Decode(ids, !p.KeepSpecialTokens)
		}
		if len(cp.ids) == 0 {
			return nil, badRequest("prompt", "the prompt is empty")
		}
		maxTokens := p.MaxTokens
		if promptOnly {
			maxTokens = 0
		}
		if e := checkLength(m, len(cp.ids), maxTokens, "prompt", "max_tokens"); e != nil {
			return nil, e
		}
		c.prompts = append(c.prompts, cp)
	}
	return c, nil
}

type completionResponse = choicesEnvelope[completionChoice]

type completionChoice struct {
	Index        int                 `json:"index"`
	Text         string              `json:"text"`
	Logprobs     *completionLogprobs `json:"logprobs"`
	FinishReason *string             `json:"finish_reason"`
	StopReason   any                 `json:"stop_reason,omitempty"`
}

// promptEvent is an event of one of the request's prompts.
type promptEvent struct {
	prompt int
	ev     engine.Event
}

func (s *Server) handleCompletions(w http.ResponseWriter, r *http.Request) *apiError {
	var req completionRequest
	if e := s.decodeBody(w, r, &req); e != nil {
		return e
	}
	c, e := s.prepareCompletion(&req)
	if e != nil {
		return e
	}
	release, e := s.admit()
	if e != nil {
		return e
	}
	defer release()
	// Cancelled when the client goes away, or when a write to it fails.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	streams := make([]*tracked, len(c.prompts))
	for i, p := range c.prompts {
		t, e := s.run(ctx, c.m, engine.Request{PromptTokens: p.ids, Sampling: c.params})
		if e != nil {
			cancel()
			for _, t := range streams[:i] {
				t.drain()
			}
			return e
		}
		streams[i] = t
	}
	// The engine runs every prompt at once; their events are merged here.
	events := make(chan promptEvent)
	var wg sync.WaitGroup
	for i, t := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ev, ok := t.next()
				if !ok {
					return
				}
				events <- promptEvent{i, ev}
			}
		}()
	}
	go func() { wg.Wait(); close(events) }()
	defer func() {
		cancel()
		for range events {
		}
	}()

	n := c.params.N
	st := &completionState{c: c, n: n, choices: make([]completionChoice, len(c.prompts)*n),
		offsets: make([]int, len(c.prompts)*n), echoed: make([]bool, len(c.prompts)*n),
		promptLPs: make([][]engine.Logprob, len(c.prompts)), total: &usage{PromptTokensDetails: &promptDetails{}}}
	for i := range st.choices {
		st.choices[i].Index = i
	}
	id, created := "cmpl-"+randomHex(16), time.Now().Unix()
	if req.Stream {
		promptTokens := 0
		for _, p := range c.prompts {
			promptTokens += len(p.ids)
		}
		s.streamCompletion(w, r, st, events, id, created, newStreamUsage(&req.genParams, promptTokens))
		return nil
	}
	for pe := range events {
		ev := pe.ev
		if bad := ev.FinishReason == engine.FinishError || ev.FinishReason == engine.FinishCancelled; bad {
			if r.Context().Err() != nil {
				return nil
			}
			return finishError(&ev)
		}
		st.apply(pe)
	}
	if r.Context().Err() != nil {
		return nil
	}
	ub, _ := json.Marshal(st.total)
	writeJSON(w, completionResponse{ID: id, Object: "text_completion", Created: created, Model: c.m.Names[0],
		Choices: st.choices, Usage: ub})
	return nil
}

// completionState accumulates the choices of all prompts; apply returns
// the part of a choice one event adds (for streaming).
type completionState struct {
	c         *completionSetup
	n         int
	choices   []completionChoice
	offsets   []int // characters of text so far, for text_offset
	echoed    []bool
	promptLPs [][]engine.Logprob
	total     *usage
}

func (st *completionState) apply(pe promptEvent) completionChoice {
	ev := pe.ev
	idx := pe.prompt*st.n + ev.Index
	full := &st.choices[idx]
	part := completionChoice{Index: idx}
	logprobs := st.c.params.Logprobs
	if logprobs && full.Logprobs == nil {
		full.Logprobs = &completionLogprobs{}
	}
	var lp completionLogprobs
	if ev.PromptLogprobs != nil {
		st.promptLPs[pe.prompt] = ev.PromptLogprobs
	}
	if !st.echoed[idx] && st.c.echo && (!st.c.params.PromptLogprobs || st.promptLPs[pe.prompt] != nil || len(ev.Tokens) > 0 || ev.FinishReason != "") {
		st.echoed[idx] = true
		p := st.c.prompts[pe.prompt]
		part.Text = p.text
		if logprobs {
			off := st.c.namer.addFirstPromptToken(&lp, p.ids[0], 0)
			st.c.namer.addCompletion(&lp, st.promptLPs[pe.prompt], off)
		}
		st.offsets[idx] = utf8.RuneCountInString(p.text)
	}
	part.Text += ev.Text
	if logprobs {
		st.offsets[idx] = st.c.namer.addCompletion(&lp, ev.Logprobs, st.offsets[idx])
		if len(lp.Tokens) > 0 {
			part.Logprobs = &lp
			full.Logprobs.Tokens = append(full.Logprobs.Tokens, lp.Tokens...)
			full.Logprobs.TokenLogprobs = append(full.Logprobs.TokenLogprobs, lp.TokenLogprobs...)
			full.Logprobs.TopLogprobs = append(full.Logprobs.TopLogprobs, lp.TopLogprobs...)
			full.Logprobs.TextOffset = append(full.Logprobs.TextOffset, lp.TextOffset...)
		}
	}
	full.Text += part.Text
	if ev.FinishReason != "" {
		fr := string(ev.FinishReason)
		part.FinishReason = &fr
		part.StopReason = stopReason(&ev, st.c.stops, st.c.m.Generator.Tokenizer().IsEOS)
		full.FinishReason, full.StopReason = part.FinishReason, part.StopReason
	}
	if ev.Usage != nil {
		st.total.add(usageOf(ev.Usage))
	}
	return part
}

func (s *Server) streamCompletion(w http.ResponseWriter, r *http.Request, st *completionState, events <-chan promptEvent, id string, created int64, su *streamUsage) {
	out := newSSE(w)
	model := st.c.m.Names[0]
	for pe := range events {
		ev := pe.ev
		if ev.FinishReason == engine.FinishError || ev.FinishReason == engine.FinishCancelled {
			if r.Context().Err() == nil {
				out.fail(finishError(&ev))
				out.done()
			}
			return
		}
		part := st.apply(pe)
		su.completion += len(ev.Tokens)
		if part.Text == "" && part.Logprobs == nil && part.FinishReason == nil {
			continue
		}
		if out.send(completionResponse{ID: id, Object: "text_completion", Created: created, Model: model,
			Choices: []completionChoice{part}, Usage: su.chunk()}) != nil {
			return
		}
	}
	if r.Context().Err() != nil {
		return
	}
	if su.include {
		ub, _ := json.Marshal(st.total)
		if out.send(completionResponse{ID: id, Object: "text_completion", Created: created, Model: model,
			Choices: []completionChoice{}, Usage: ub}) != nil {
			return
		}
	}
	out.done()
}
