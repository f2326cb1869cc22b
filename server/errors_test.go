package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// post sends a raw body and returns the status and the decoded error
// object (nil for a non-error answer).
func post(t testing.TB, url, path, body string, header ...string) (int, *apiError, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		return 200, nil, string(b)
	}
	var env struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(b, &env); err != nil || env.Error == nil || env.Error.Message == "" || env.Error.Type == "" {
		t.Fatalf("%s %s: status %d with a body not in OpenAI's error shape: %s", path, body, resp.StatusCode, b)
	}
	return resp.StatusCode, env.Error, string(b)
}

func TestErrors(t *testing.T) {
	ts := newTestServer(t, Config{MaxBodyBytes: 4096})
	chatBody := func(extra string) string {
		return `{"model": "qwen3", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2` + extra + `}`
	}
	cases := []struct {
		name, path, body string
		status           int
		param            string
		msg              string
	}{
		{"ok", "/v1/chat/completions", chatBody(""), 200, "", ""},
		{"wrong type", "/v1/chat/completions", chatBody(`, "temperature": "hot"`), 400, "temperature", "expected a number"},
		{"wrong nested type", "/v1/chat/completions", `{"messages": [{"role": 3, "content": "x"}]}`, 400, "messages.role", "expected a string"},
		{"bad role", "/v1/chat/completions", `{"messages": [{"role": "robot", "content": "x"}]}`, 400, "messages[0].role", "robot"},
		{"bad content", "/v1/chat/completions", `{"messages": [{"role": "user", "content": 5}]}`, 400, "messages[0].content", "expected a string or an array"},
		{"image part", "/v1/chat/completions", `{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}`, 400, "messages[0].content[0].type", "text only"},
		{"no messages", "/v1/chat/completions", `{"model": "qwen3"}`, 400, "messages", "empty"},
		{"not json", "/v1/chat/completions", `{"model": `, 400, "", "not valid JSON"},
		{"not an object", "/v1/chat/completions", `[1, 2]`, 400, "", "must be a JSON object"},
		{"empty body", "/v1/chat/completions", ``, 400, "", "empty"},
		{"unknown model", "/v1/chat/completions", `{"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}`, 404, "model", "gpt-9"},
		{"embedder for chat", "/v1/chat/completions", `{"model": "bert", "messages": [{"role": "user", "content": "x"}]}`, 400, "model", "not a generation model"},
		{"too long", "/v1/chat/completions", chatBody(`, "stop": "` + strings.Repeat("x", 5000) + `"`), 413, "", "4096 bytes"},
		{"context", "/v1/chat/completions", `{"model": "qwen3", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 600}`, 400, "max_tokens", "maximum context length is 512 tokens. However, you requested 617 tokens (17 in the input, 600 in the completion)"},
		{"context completions", "/v1/completions", `{"model": "qwen3", "prompt": [` + strings.Repeat("1,", 511) + `1]}`, 400, "prompt", "your request has 512 input tokens"},
		{"max_completion_tokens", "/v1/chat/completions", chatBody(`, "max_completion_tokens": 0`), 400, "max_completion_tokens", "at least 1"},
		{"n", "/v1/chat/completions", chatBody(`, "n": 0`), 400, "n", "between 1 and 128"},
		{"top_p", "/v1/chat/completions", chatBody(`, "top_p": 1.5`), 400, "top_p", "out of range"},
		{"presence", "/v1/chat/completions", chatBody(`, "presence_penalty": -3`), 400, "presence_penalty", "out of range"},
		{"logit_bias key", "/v1/chat/completions", chatBody(`, "logit_bias": {"x": 1}`), 400, "logit_bias", "not a token id"},
		{"logit_bias id", "/v1/chat/completions", chatBody(`, "logit_bias": {"100000": 1}`), 400, "logit_bias", "vocabulary"},
		{"logit_bias value", "/v1/chat/completions", chatBody(`, "logit_bias": {"5": 101}`), 400, "logit_bias", "-100..100"},
		{"stop type", "/v1/chat/completions", chatBody(`, "stop": 5`), 400, "stop", "expected a string or an array of strings"},
		{"top_logprobs alone", "/v1/chat/completions", chatBody(`, "top_logprobs": 2`), 400, "top_logprobs", "logprobs set to true"},
		{"top_logprobs range", "/v1/chat/completions", chatBody(`, "logprobs": true, "top_logprobs": 21`), 400, "top_logprobs", "0..20"},
		{"response_format", "/v1/chat/completions", chatBody(`, "response_format": {"type": "json_object"}`), 400, "response_format", "not supported"},
		{"tool_choice without tools", "/v1/chat/completions", chatBody(`, "tool_choice": "required"`), 400, "tool_choice", "needs tools"},
		{"unknown named tool", "/v1/chat/completions", chatBody(`, "tools": [{"type": "function", "function": {"name": "a"}}], "tool_choice": {"type": "function", "function": {"name": "b"}}`), 400, "tool_choice", "not among the tools"},
		{"tool without name", "/v1/chat/completions", chatBody(`, "tools": [{"type": "function", "function": {}}]`), 400, "tools[0].function.name", "required"},
		{"best_of", "/v1/completions", `{"prompt": "x", "best_of": 3}`, 400, "best_of", "not supported"},
		{"prompt type", "/v1/completions", `{"prompt": {"a": 1}}`, 400, "prompt", "got an object"},
		{"prompt mixed", "/v1/completions", `{"prompt": ["a", 1]}`, 400, "prompt", "element 1"},
		{"prompt token id", "/v1/completions", `{"prompt": [1, 99999]}`, 400, "prompt", "vocabulary"},
		{"negative token id", "/v1/completions", `{"prompt": [1, -1]}`, 400, "prompt", "out of range"},
		{"logprobs range", "/v1/completions", `{"prompt": "x", "logprobs": 21}`, 400, "logprobs", "0..20"},
		{"suffix", "/v1/completions", `{"prompt": "x", "suffix": "y"}`, 400, "suffix", "not supported"},
		{"embedding input", "/v1/embeddings", `{"model": "bert", "input": 3}`, 400, "input", "expected a string"},
		{"embedding format", "/v1/embeddings", `{"model": "bert", "input": "x", "encoding_format": "int8"}`, 400, "encoding_format", "float, base64"},
		{"embedding dims", "/v1/embeddings", `{"model": "bert", "input": "x", "dimensions": 3}`, 400, "dimensions", "differs"},
		{"embedding too long", "/v1/embeddings", `{"model": "bert", "input": "` + strings.Repeat("word ", 100) + `"}`, 400, "input", "limit"},
		{"generator for embeddings", "/v1/embeddings", `{"model": "qwen3", "input": "x"}`, 400, "model", "not an embedding model"},
		{"detokenize range", "/detokenize", `{"tokens": [1, 100000]}`, 400, "tokens", "vocabulary"},
		{"tokenize nothing", "/tokenize", `{}`, 400, "prompt", "required"},
		{"unknown endpoint", "/v1/images/generations", `{}`, 404, "", "no such endpoint"},
	}
	for _, c := range cases {
		status, e, _ := post(t, ts.url, c.path, c.body)
		if status != c.status {
			msg := ""
			if e != nil {
				msg = e.Message
			}
			t.Errorf("%s: status %d (%s), want %d", c.name, status, msg, c.status)
			continue
		}
		if e == nil {
			continue
		}
		gotParam := ""
		if e.Param != nil {
			gotParam = *e.Param
		}
		if gotParam != c.param || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: param %q message %q; want param %q and a message with %q", c.name, gotParam, e.Message, c.param, c.msg)
		}
	}
}

func TestErrorsThroughClient(t *testing.T) {
	ts := newTestServer(t, Config{})
	_, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "nope",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("x")},
	})
	var e *openai.Error
	if !errors.As(err, &e) || e.StatusCode != 404 || e.Code != "model_not_found" || e.Param != "model" {
		t.Errorf("unknown model: %v", describe(err))
	}
	_, err = ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "qwen3",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("x")},
	}, option.WithJSONSet("temperature", "warm"))
	if !errors.As(err, &e) || e.StatusCode != 400 || e.Param != "temperature" {
		t.Errorf("wrong type: %v", describe(err))
	}
}

func TestAuth(t *testing.T) {
	ts := newTestServer(t, Config{APIKey: "sekrit"})
	body := `{"model": "qwen3", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}`
	if status, e, _ := post(t, ts.url, "/v1/chat/completions", body); status != 401 || e.Code != "invalid_api_key" {
		t.Errorf("no key: %d %+v", status, e)
	}
	if status, _, _ := post(t, ts.url, "/v1/chat/completions", body, "Authorization", "Bearer wrong"); status != 401 {
		t.Errorf("wrong key: %d", status)
	}
	if status, _, _ := post(t, ts.url, "/tokenize", `{"prompt": "x"}`); status != 401 {
		t.Errorf("tokenize without key: %d", status)
	}
	if status, _, _ := post(t, ts.url, "/v1/chat/completions", body, "Authorization", "Bearer sekrit"); status != 200 {
		t.Errorf("right key: %d", status)
	}
	// The client sends the key it was given.
	if _, err := ts.client.Models.List(context.Background()); err != nil {
		t.Errorf("client with the key: %v", describe(err))
	}
	// Health and metrics stay open for probes and scrapers.
	for _, p := range []string{"/health", "/metrics", "/version"} {
		resp, err := http.Get(ts.url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s without a key: %d", p, resp.StatusCode)
		}
	}
}

// TestOverload: past MaxPending requests in progress, new ones get 429
// until one ends.
func TestOverload(t *testing.T) {
	ts := newTestServer(t, Config{MaxPending: 1})
	ctx, cancel := context.WithCancel(context.Background())
	stream := ts.client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    "scripted",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("BLOCK")},
	})
	if !stream.Next() { // the role chunk: the request is admitted
		t.Fatalf("no first chunk: %v", stream.Err())
	}
	status, e, _ := post(t, ts.url, "/v1/chat/completions", `{"model": "qwen3", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}`)
	if status != 429 || e.Code != "rate_limit_exceeded" {
		t.Errorf("over the limit: %d %+v", status, e)
	}
	cancel()
	for stream.Next() {
	}
	stream.Close()
	waitFor(t, "the blocked request to end", func() bool { return ts.pending.Load() == 0 })
	if status, _, _ := post(t, ts.url, "/v1/chat/completions", `{"model": "qwen3", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}`); status != 200 {
		t.Errorf("after the blocked request ended: %d", status)
	}
}

func TestLoadingAndDraining(t *testing.T) {
	s := New(Config{Logger: discardLogger()})
	h := s.Handler()
	get := func(method, path, body string) int {
		req, _ := http.NewRequest(method, path, strings.NewReader(body))
		rec := newRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if c := get("GET", "/health", ""); c != 503 {
		t.Errorf("health while loading: %d", c)
	}
	if c := get("POST", "/v1/completions", `{"prompt": "x"}`); c != 503 {
		t.Errorf("completion while loading: %d", c)
	}
	s.SetReady()
	if c := get("GET", "/health", ""); c != 200 {
		t.Errorf("health when ready: %d", c)
	}
	if c := get("GET", "/v1/models", ""); c != 200 {
		t.Errorf("models when ready: %d", c)
	}
	if c := get("GET", "/v1/chat/completions", ""); c != 405 {
		t.Errorf("GET on a POST endpoint: %d", c)
	}
	s.Drain()
	if c := get("GET", "/health", ""); c != 503 {
		t.Errorf("health while draining: %d", c)
	}
	if c := get("POST", "/v1/completions", `{"prompt": "x"}`); c != 503 {
		t.Errorf("completion while draining: %d", c)
	}
}

func TestCORS(t *testing.T) {
	ts := newTestServer(t, Config{CORSOrigins: []string{"https://app.example"}, APIKey: "k"})
	req, _ := http.NewRequest("OPTIONS", ts.url+"/v1/chat/completions", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ = http.NewRequest("GET", ts.url+"/v1/models", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Authorization", "Bearer k")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an unlisted origin was allowed")
	}
}
