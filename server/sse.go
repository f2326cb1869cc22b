package server

import (
	"encoding/json"
	"net/http"
)

// sse writes a response as server-sent events the way OpenAI streams:
// "data: {json}\n\n" per chunk, "data: [DONE]\n\n" at the end, each
// flushed at once.
type sse struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
	err     error // the first write error (the client went away)
}

func newSSE(w http.ResponseWriter) *sse {
	return &sse{w: w, rc: http.NewResponseController(w)}
}

func (s *sse) start() {
	if s.started {
		return
	}
	s.started = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
}

func (s *sse) data(b []byte) error {
	if s.err != nil {
		return s.err
	}
	s.start()
	buf := make([]byte, 0, len(b)+8)
	buf = append(buf, "data: "...)
	buf = append(buf, b...)
	buf = append(buf, '\n', '\n')
	if _, err := s.w.Write(buf); err != nil {
		s.err = err
		return err
	}
	if err := s.rc.Flush(); err != nil {
		s.err = err
	}
	return s.err
}

func (s *sse) send(v any) error {
	b, err := marshal(v)
	if err != nil {
		return err
	}
	return s.data(b)
}

// fail sends an error event (the status line has gone out already).
func (s *sse) fail(e *apiError) {
	s.send(map[string]*apiError{"error": e})
}

func (s *sse) done() { s.data([]byte("[DONE]")) }

// streamUsage fills each chunk's usage field: absent, null
// (stream_options.include_usage: the usage comes in a last chunk), or the
// counts so far (vLLM's continuous_usage_stats as well).
type streamUsage struct {
	include, continuous bool
	prompt, completion  int
}

func newStreamUsage(g *genParams, promptTokens int) *streamUsage {
	u := &streamUsage{prompt: promptTokens}
	if o := g.StreamOptions; o != nil {
		u.include, u.continuous = o.IncludeUsage, o.IncludeUsage && o.ContinuousUsageStats
	}
	return u
}

func (u *streamUsage) chunk() json.RawMessage {
	switch {
	case !u.include:
		return nil
	case !u.continuous:
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(usage{PromptTokens: u.prompt, CompletionTokens: u.completion, TotalTokens: u.prompt + u.completion})
	return b
}
