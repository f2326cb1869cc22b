package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

var (
	fuzzOnce    sync.Once
	fuzzHandler http.Handler
)

// FuzzRequests throws arbitrary bodies at every POST endpoint of a server
// whose generator is the scripted one (answers instantly): nothing may
// panic or fail with a 5xx, and every error is in OpenAI's shape.
func FuzzRequests(f *testing.F) {
	seeds := []string{
		`{"model": "scripted", "messages": [{"role": "user", "content": "REPLY:<think>a</think><tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>"}], "tools": [{"type": "function", "function": {"name": "f"}}], "stream": true}`,
		`{"messages": [{"role": "system", "content": [{"type": "text", "text": "x"}]}, {"role": "assistant", "content": null, "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}], "n": 2, "logprobs": true, "top_logprobs": 2}`,
		`{"prompt": ["a", "b"], "echo": true, "logprobs": 1, "stream": true, "stream_options": {"include_usage": true}, "stop": ["x"]}`,
		`{"prompt": [[1, 2], [3]], "max_tokens": 1, "logit_bias": {"1": -100}, "seed": -5}`,
		`{"model": "bert", "input": [[1, 2, 3]], "encoding_format": "base64"}`,
		`{"model": "bert", "input": "", "dimensions": -1}`,
		`{"messages": [{"role": "user", "content": "hi"}], "add_generation_prompt": false, "return_token_strs": true}`,
		`{"tokens": [1, 2, 3]}`,
		`{"temperature": 1e400}`, `{"max_tokens": -1}`, `null`, `"x"`, `{"tool_choice": {"type": "function"}}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		fuzzOnce.Do(func() {
			q, b := models(t)
			s := New(Config{Logger: discardLogger(), MaxBodyBytes: 1 << 16})
			s.AddModel(&Model{Names: []string{"scripted"}, Generator: &scripted{Engine: q}, Chat: mustChat(t, "../testdata/chat/templates/qwen3")})
			s.AddModel(&Model{Names: []string{"bert"}, Embedder: b})
			s.SetReady()
			fuzzHandler = s.Handler()
		})
		paths := []string{"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/tokenize", "/detokenize"}
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		fuzzHandler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			var env struct {
				Error *apiError `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error == nil || env.Error.Message == "" {
				t.Fatalf("%s %q: status %d with body %s", path, body, rec.Code, rec.Body)
			}
		}
	})
}
