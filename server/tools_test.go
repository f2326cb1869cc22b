package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

var weatherTools = []openai.ChatCompletionToolUnionParam{
	openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:        "get_weather",
		Description: openai.String("Current weather in a city"),
		Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{
			"city": map[string]any{"type": "string"}, "unit": map[string]any{"type": "string"}}},
	}),
	openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:       "get_time",
		Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"tz": map[string]any{"type": "string"}}},
	}),
}

const hermesReply = "I'll check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"C\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"tz\": \"CET\"}}\n</tool_call>"

type wantCall struct{ name, args string }

var hermesCalls = []wantCall{{"get_weather", `{"city": "Paris", "unit": "C"}`}, {"get_time", `{"tz": "CET"}`}}

func checkCalls(t *testing.T, what string, got []openai.ChatCompletionMessageToolCallUnion, want []wantCall) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tool calls, want %d", what, len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Function.Name != w.name || g.Function.Arguments != w.args || g.Type != "function" || !strings.HasPrefix(g.ID, "call_") {
			t.Errorf("%s: call %d = %+v, want %s(%s)", what, i, g, w.name, w.args)
		}
	}
}

func TestToolCalls(t *testing.T) {
	ts := newTestServer(t, Config{})
	params := openai.ChatCompletionNewParams{
		Model:    "scripted",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris? REPLY:" + hermesReply)},
		Tools:    weatherTools,
	}
	resp, err := ts.client.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(describe(err))
	}
	c := resp.Choices[0]
	if c.FinishReason != "tool_calls" || c.Message.Content != "I'll check." {
		t.Errorf("finish %q content %q", c.FinishReason, c.Message.Content)
	}
	checkCalls(t, "whole", c.Message.ToolCalls, hermesCalls)

	// Streamed: the accumulator rebuilds the same calls; each call's first
	// delta carries id, type and name, later ones argument fragments only.
	stream := ts.client.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	fragments := map[int64]int{}
	ids := map[int64]string{}
	finished := 0
	for stream.Next() {
		ch := stream.Current()
		if !acc.AddChunk(ch) {
			t.Fatalf("chunk rejected: %s", ch.RawJSON())
		}
		if _, ok := acc.JustFinishedToolCall(); ok {
			finished++
		}
		for _, ch := range ch.Choices {
			for _, d := range ch.Delta.ToolCalls {
				if _, seen := ids[d.Index]; !seen {
					if d.ID == "" || d.Function.Name == "" || d.Type != "function" {
						t.Errorf("first delta of call %d lacks id/type/name: %+v", d.Index, d)
					}
					ids[d.Index] = d.ID
				} else if d.ID != "" || d.Function.Name != "" {
					t.Errorf("later delta of call %d repeats id or name: %+v", d.Index, d)
				}
				if d.Function.Arguments != "" {
					fragments[d.Index]++
				}
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(describe(err))
	}
	sc := acc.Choices[0]
	if sc.FinishReason != "tool_calls" || sc.Message.Content != "I'll check." {
		t.Errorf("streamed finish %q content %q", sc.FinishReason, sc.Message.Content)
	}
	checkCalls(t, "streamed", sc.Message.ToolCalls, hermesCalls)
	if fragments[0] < 3 {
		t.Errorf("the first call's arguments came in %d fragments; want them streamed as they are generated", fragments[0])
	}
	if finished < 1 {
		t.Errorf("the accumulator saw no finished tool call")
	}
}

func TestToolChoice(t *testing.T) {
	ts := newTestServer(t, Config{})
	ask := func(choice openai.ChatCompletionToolChoiceOptionUnionParam, opts ...option.RequestOption) *openai.ChatCompletion {
		t.Helper()
		resp, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model:      "scripted",
			Messages:   []openai.ChatCompletionMessageParamUnion{openai.UserMessage("REPLY:" + hermesReply)},
			Tools:      weatherTools,
			ToolChoice: choice,
		}, opts...)
		if err != nil {
			t.Fatal(describe(err))
		}
		return resp
	}
	// none: the template sees no tools and the answer is text.
	resp := ask(openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("none")})
	if c := resp.Choices[0]; len(c.Message.ToolCalls) != 0 || c.Message.Content != hermesReply || c.FinishReason != "stop" {
		t.Errorf("tool_choice none: %+v", c.Message)
	}
	// required parses like auto.
	resp = ask(openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("required")})
	checkCalls(t, "required", resp.Choices[0].Message.ToolCalls, hermesCalls)
	// parallel_tool_calls false keeps the first call.
	resp = ask(openai.ChatCompletionToolChoiceOptionUnionParam{}, option.WithJSONSet("parallel_tool_calls", false))
	checkCalls(t, "parallel_tool_calls false", resp.Choices[0].Message.ToolCalls, hermesCalls[:1])

	// A named function narrows the template's tools to it.
	var req chatRequest
	body := `{"model": "scripted", "messages": [{"role": "user", "content": "hi"}],
		"tools": [{"type": "function", "function": {"name": "get_weather"}}, {"type": "function", "function": {"name": "get_time"}}],
		"tool_choice": {"type": "function", "function": {"name": "get_time"}}}`
	if e := decodeJSON([]byte(body), &req); e != nil {
		t.Fatal(e)
	}
	setup, e := ts.prepareChat(&req)
	if e != nil {
		t.Fatal(e)
	}
	if !strings.Contains(setup.promptText, `"get_time"`) || strings.Contains(setup.promptText, "get_weather") {
		t.Errorf("named tool_choice rendered:\n%s", setup.promptText)
	}
}

// TestToolConversation: an assistant turn with tool calls (arguments as
// OpenAI's JSON string) and the tool's answer render through the template
// as transformers would render them with arguments as an object.
func TestToolConversation(t *testing.T) {
	ts := newTestServer(t, Config{})
	body := `{"model": "scripted", "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
		"messages": [
			{"role": "user", "content": "Weather in Paris?"},
			{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
			{"role": "tool", "tool_call_id": "call_1", "content": "22C"}]}`
	var req chatRequest
	if e := decodeJSON([]byte(body), &req); e != nil {
		t.Fatal(e)
	}
	setup, e := ts.prepareChat(&req)
	if e != nil {
		t.Fatal(e)
	}
	for _, want := range []string{
		"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
		"<tool_response>\n22C\n</tool_response>",
		"<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"",
	} {
		if !strings.Contains(setup.promptText, want) {
			t.Errorf("prompt lacks %q:\n%s", want, setup.promptText)
		}
	}
}

func TestLlama3ToolCalls(t *testing.T) {
	ts := newTestServer(t, Config{})
	reply := `<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}`
	params := openai.ChatCompletionNewParams{
		Model:    "scripted-llama",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("REPLY:" + reply)},
		Tools:    weatherTools,
	}
	resp, err := ts.client.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(describe(err))
	}
	want := []wantCall{{"get_weather", `{"city": "Paris"}`}}
	checkCalls(t, "llama3 whole", resp.Choices[0].Message.ToolCalls, want)
	if resp.Choices[0].Message.Content != "" {
		t.Errorf("content %q", resp.Choices[0].Message.Content)
	}
	stream := ts.client.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(describe(err))
	}
	checkCalls(t, "llama3 streamed", acc.Choices[0].Message.ToolCalls, want)
}

func reasoningOf(t *testing.T, raw string) string {
	t.Helper()
	if raw == "" {
		return ""
	}
	var s *string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatalf("reasoning_content %s: %v", raw, err)
	}
	if s == nil {
		return ""
	}
	return *s
}

func TestReasoning(t *testing.T) {
	ts := newTestServer(t, Config{})
	reply := "<think>\nThe user wants Paris.\n</think>\n\nIt is sunny."
	params := openai.ChatCompletionNewParams{
		Model:    "scripted",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("REPLY:" + reply)},
	}
	resp, err := ts.client.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(describe(err))
	}
	msg := resp.Choices[0].Message
	if r := reasoningOf(t, msg.JSON.ExtraFields["reasoning_content"].Raw()); r != "\nThe user wants Paris.\n" || msg.Content != "It is sunny." {
		t.Errorf("reasoning %q content %q", r, msg.Content)
	}
	stream := ts.client.Chat.Completions.NewStreaming(context.Background(), params)
	var reasoning, content strings.Builder
	reasoningChunks := 0
	for stream.Next() {
		for _, c := range stream.Current().Choices {
			if r := reasoningOf(t, c.Delta.JSON.ExtraFields["reasoning_content"].Raw()); r != "" {
				reasoning.WriteString(r)
				reasoningChunks++
				if content.Len() > 0 {
					t.Errorf("reasoning after content")
				}
			}
			content.WriteString(c.Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(describe(err))
	}
	if reasoning.String() != "\nThe user wants Paris.\n" || content.String() != "It is sunny." || reasoningChunks < 2 {
		t.Errorf("streamed reasoning %q (%d chunks) content %q", reasoning.String(), reasoningChunks, content.String())
	}

	// enable_thinking false: Qwen3's template closes an empty section in
	// the prompt, and the answer is all content.
	var req chatRequest
	body := `{"model": "scripted", "messages": [{"role": "user", "content": "hi"}], "chat_template_kwargs": {"enable_thinking": false}}`
	if e := decodeJSON([]byte(body), &req); e != nil {
		t.Fatal(e)
	}
	setup, e := ts.prepareChat(&req)
	if e != nil {
		t.Fatal(e)
	}
	if !strings.HasSuffix(setup.promptText, "<think>\n\n</think>\n\n") {
		t.Errorf("enable_thinking false rendered %q", setup.promptText)
	}
	resp, err = ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "scripted",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("REPLY:Just the answer.")},
	}, option.WithJSONSet("chat_template_kwargs", map[string]any{"enable_thinking": false}))
	if err != nil {
		t.Fatal(describe(err))
	}
	if msg := resp.Choices[0].Message; msg.Content != "Just the answer." || msg.JSON.ExtraFields["reasoning_content"].Valid() {
		t.Errorf("enable_thinking false: %s", msg.RawJSON())
	}

	// Reasoning, then a tool call.
	resp, err = ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "scripted",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("REPLY:<think>need weather</think>\n" + hermesReply)},
		Tools:    weatherTools,
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	msg = resp.Choices[0].Message
	checkCalls(t, "after reasoning", msg.ToolCalls, hermesCalls)
	if r := reasoningOf(t, msg.JSON.ExtraFields["reasoning_content"].Raw()); r != "need weather" || msg.Content != "I'll check." {
		t.Errorf("reasoning %q content %q", r, msg.Content)
	}
}
