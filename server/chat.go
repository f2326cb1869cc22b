package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/engine"
)

type chatRequest struct {
	genParams
	Messages             []wireMessage     `json:"messages"`
	Tools                []json.RawMessage `json:"tools"`
	ToolChoice           json.RawMessage   `json:"tool_choice"`
	ParallelToolCalls    *bool             `json:"parallel_tool_calls"`
	Logprobs             bool              `json:"logprobs"`
	TopLogprobs          *int              `json:"top_logprobs"`
	ChatTemplateKwargs   map[string]any    `json:"chat_template_kwargs"`
	AddGenerationPrompt  *bool             `json:"add_generation_prompt"`
	ContinueFinalMessage bool              `json:"continue_final_message"`
	Documents            []json.RawMessage `json:"documents"`

	// Rejected unless they ask for nothing beyond plain text.
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
	ChatTemplate *string         `json:"chat_template"`
	Functions    json.RawMessage `json:"functions"`
	FunctionCall json.RawMessage `json:"function_call"`
	Modalities   []string        `json:"modalities"`
	Audio        json.RawMessage `json:"audio"`
}

// chatSetup is a validated chat request, ready to run.
type chatSetup struct {
	m          *Model
	prompt     []int32
	promptText string
	params     engine.SamplingParams
	tools      chat.ToolCallFormat
	maxCalls   int
	namer      tokenNamer
}

func (s *Server) prepareChat(req *chatRequest) (*chatSetup, *apiError) {
	m, e := s.model(req.Model, true)
	if e != nil {
		return nil, e
	}
	msgs, e := toChat(req.Messages)
	if e != nil {
		return nil, e
	}
	tools, names, e := checkTools(req.Tools)
	if e != nil {
		return nil, e
	}
	choice, e := parseToolChoice(req.ToolChoice, len(tools) > 0)
	if e != nil {
		return nil, e
	}
	switch {
	case req.ResponseFormat != nil && req.ResponseFormat.Type != "" && req.ResponseFormat.Type != "text":
		return nil, badRequest("response_format", "response_format %q is not supported (no constrained decoding); only text", req.ResponseFormat.Type)
	case req.ChatTemplate != nil:
		return nil, badRequest("chat_template", "a chat template per request is not accepted; start the server with --chat-template")
	case slices.ContainsFunc(req.Modalities, func(s string) bool { return s != "text" }):
		return nil, badRequest("modalities", "only the text modality is supported")
	case !isNull(req.Audio):
		return nil, badRequest("audio", "audio output is not supported")
	case !isNull(req.Functions) || !isNull(req.FunctionCall):
		return nil, badRequest("functions", "the deprecated functions and function_call are not supported; use tools and tool_choice")
	}
	maxTok, maxField := req.MaxCompletionTokens, "max_completion_tokens"
	if maxTok == nil {
		maxTok, maxField = req.MaxTokens, "max_tokens"
	}
	p, e := req.sampling(maxTok, maxField)
	if e != nil {
		return nil, e
	}
	p.Logprobs = req.Logprobs
	p.TopLogprobs = intOr(req.TopLogprobs, 0)
	switch {
	case p.TopLogprobs < 0 || p.TopLogprobs > 20:
		return nil, badRequest("top_logprobs", "top_logprobs must be 0..20, got %d", p.TopLogprobs)
	case p.TopLogprobs > 0 && !p.Logprobs:
		return nil, badRequest("top_logprobs", "top_logprobs needs logprobs set to true")
	}
	if m.Chat == nil {
		return nil, badRequest("messages", "model %s has no chat template: start the server with --chat-template, or use /v1/completions", m.Names[0])
	}
	// The template sees the tools unless tool_choice is none; a named
	// function narrows them to that one.
	var tmplTools []json.RawMessage
	setup := &chatSetup{m: m, params: p, maxCalls: -1}
	switch choice.mode {
	case "auto", "required":
		tmplTools = tools
	case "function":
		i := slices.Index(names, choice.name)
		if i < 0 {
			return nil, badRequest("tool_choice", "tool_choice names function %q, which is not among the tools", choice.name)
		}
		tmplTools = tools[i : i+1]
	}
	if tmplTools != nil {
		setup.tools = m.tools
	}
	if req.ParallelToolCalls != nil && !*req.ParallelToolCalls {
		setup.maxCalls = 1
	}
	addGen := req.AddGenerationPrompt == nil && !req.ContinueFinalMessage || req.AddGenerationPrompt != nil && *req.AddGenerationPrompt
	if addGen && req.ContinueFinalMessage {
		return nil, badRequest("continue_final_message", "continue_final_message and add_generation_prompt cannot both be true")
	}
	text, err := m.Chat.Render("", chat.Context{Messages: msgs, Tools: tmplTools, Documents: req.Documents,
		Kwargs: req.ChatTemplateKwargs, AddGenerationPrompt: addGen, ContinueFinalMessage: req.ContinueFinalMessage})
	if err != nil {
		return nil, badRequest("messages", "the chat template failed on these messages: %v", err)
	}
	tok := m.Generator.Tokenizer()
	setup.promptText = text
	setup.prompt = toInt32(tok.Encode(text, false))
	if e := checkLength(m, len(setup.prompt), p.MaxTokens, "messages", maxField); e != nil {
		return nil, e
	}
	setup.namer = tokenNamer{tok: tok, asIDs: req.ReturnTokensAsTokenIDs}
	return setup, nil
}

func toInt32(ids []int) []int32 {
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

func (c *chatSetup) output() *output {
	o := &output{tools: c.tools, maxCalls: c.maxCalls}
	if r := c.m.reasoning; r != nil {
		o.reasoning = r
		o.open = r.OpenAtEnd(c.promptText)
	}
	return o
}

type chatResponse struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   *usage       `json:"usage"`
}

type chatChoice struct {
	Index        int           `json:"index"`
	Message      chatOut       `json:"message"`
	Logprobs     *chatLogprobs `json:"logprobs"`
	FinishReason string        `json:"finish_reason"`
	StopReason   any           `json:"stop_reason"`
}

type chatOut struct {
	Role             string     `json:"role"`
	Content          *string    `json:"content"`
	Refusal          *string    `json:"refusal"`
	ReasoningContent *string    `json:"reasoning_content,omitempty"`
	ToolCalls        []toolCall `json:"tool_calls,omitempty"`
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) *apiError {
	var req chatRequest
	if e := s.decodeBody(w, r, &req); e != nil {
		return e
	}
	c, e := s.prepareChat(&req)
	if e != nil {
		return e
	}
	release, e := s.admit()
	if e != nil {
		return e
	}
	defer release()
	stops, _ := parseStop(req.Stop)
	// Cancelled when the client goes away, or when a write to it fails.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	t, e := s.run(ctx, c.m, engine.Request{PromptTokens: c.prompt, Sampling: c.params})
	if e != nil {
		return e
	}
	id, created := "chatcmpl-"+randomHex(16), time.Now().Unix()
	if req.Stream {
		s.streamChat(w, r, c, t, cancel, id, created, newStreamUsage(&req.genParams, len(c.prompt)), stops)
		return nil
	}
	n := c.params.N
	texts := make([]strings.Builder, n)
	lps := make([][]engine.Logprob, n)
	ends := make([]engine.Event, n)
	var u *engine.Usage
	for {
		ev, ok := t.next()
		if !ok {
			break
		}
		texts[ev.Index].WriteString(ev.Text)
		lps[ev.Index] = append(lps[ev.Index], ev.Logprobs...)
		if ev.FinishReason != "" {
			ends[ev.Index] = ev
		}
		if ev.Usage != nil {
			u = ev.Usage
		}
	}
	if r.Context().Err() != nil {
		return nil // the client is gone
	}
	resp := chatResponse{ID: id, Object: "chat.completion", Created: created, Model: c.m.Names[0], Usage: usageOf(u)}
	eos := c.m.Generator.Tokenizer().IsEOS
	for i := range n {
		end := &ends[i]
		if end.FinishReason == engine.FinishError || end.FinishReason == engine.FinishCancelled || end.FinishReason == "" {
			return finishError(end)
		}
		reasoning, content, calls := c.output().result(texts[i].String())
		msg := chatOut{Role: "assistant", ToolCalls: calls}
		if content != "" || len(calls) == 0 {
			msg.Content = &content
		}
		if reasoning != "" {
			msg.ReasoningContent = &reasoning
		}
		ch := chatChoice{Index: i, Message: msg, FinishReason: finishReason(end.FinishReason, len(calls) > 0),
			StopReason: stopReason(end, stops, eos)}
		if c.params.Logprobs {
			ch.Logprobs = &chatLogprobs{Content: c.namer.chatLogprobs(lps[i])}
		}
		resp.Choices = append(resp.Choices, ch)
	}
	writeJSON(w, resp)
	return nil
}

// finishReason is the API's: tool_calls when the answer ended in calls.
func finishReason(f engine.FinishReason, calls bool) string {
	if f == engine.FinishStop && calls {
		return "tool_calls"
	}
	return string(f)
}

type chatChunk = choicesEnvelope[chatChunkChoice]

type chatChunkChoice struct {
	Index        int           `json:"index"`
	Delta        chatDelta     `json:"delta"`
	Logprobs     *chatLogprobs `json:"logprobs"`
	FinishReason *string       `json:"finish_reason"`
	StopReason   any           `json:"stop_reason,omitempty"`
}

type chatDelta struct {
	Role             string          `json:"role,omitempty"`
	Content          *string         `json:"content,omitempty"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
	ToolCalls        []toolCallDelta `json:"tool_calls,omitempty"`
}

func (s *Server) streamChat(w http.ResponseWriter, r *http.Request, c *chatSetup, t *tracked, cancel func(), id string, created int64, su *streamUsage, stops []string) {
	out := newSSE(w)
	defer func() { cancel(); t.drain() }()
	send := func(ch chatChunkChoice) error {
		return out.send(chatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: c.m.Names[0],
			Choices: []chatChunkChoice{ch}, Usage: su.chunk()})
	}
	n := c.params.N
	outs := make([]*output, n)
	empty := ""
	for i := range n {
		outs[i] = c.output()
		if send(chatChunkChoice{Index: i, Delta: chatDelta{Role: "assistant", Content: &empty}}) != nil {
			return
		}
	}
	eos := c.m.Generator.Tokenizer().IsEOS
	var u *engine.Usage
	for {
		ev, ok := t.next()
		if !ok {
			break
		}
		if ev.Usage != nil {
			u = ev.Usage
		}
		su.completion += len(ev.Tokens)
		final := ev.FinishReason != ""
		if final && (ev.FinishReason == engine.FinishError || ev.FinishReason == engine.FinishCancelled) {
			if r.Context().Err() == nil {
				out.fail(finishError(&ev))
				out.done()
			}
			return
		}
		d := outs[ev.Index].add(ev.Text, final)
		ch := chatChunkChoice{Index: ev.Index}
		if d.content != "" {
			ch.Delta.Content = &d.content
		}
		if d.reasoning != "" {
			ch.Delta.ReasoningContent = &d.reasoning
		}
		ch.Delta.ToolCalls = d.calls
		if c.params.Logprobs && len(ev.Logprobs) > 0 {
			ch.Logprobs = &chatLogprobs{Content: c.namer.chatLogprobs(ev.Logprobs)}
		}
		if ch.Delta.Content != nil || ch.Delta.ReasoningContent != nil || ch.Delta.ToolCalls != nil || ch.Logprobs != nil {
			if send(ch) != nil {
				return
			}
		}
		if final {
			fr := finishReason(ev.FinishReason, outs[ev.Index].calledTools())
			if send(chatChunkChoice{Index: ev.Index, FinishReason: &fr, StopReason: stopReason(&ev, stops, eos)}) != nil {
				return
			}
		}
	}
	if r.Context().Err() != nil {
		return
	}
	if su.include {
		b, _ := json.Marshal(usageOf(u))
		if out.send(chatChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: c.m.Names[0],
			Choices: []chatChunkChoice{}, Usage: b}) != nil {
			return
		}
	}
	out.done()
}
