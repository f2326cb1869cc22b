package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/sample"
)

const (
	qwenDir  = "../testdata/models/qwen3"
	llamaDir = "../testdata/models/llama3"
	bertDir  = "../testdata/embed/bert"
)

// The models are loaded once for the package: every test server shares
// them (the engine serves any number of requests at once).
var (
	loadOnce sync.Once
	qwen     *engine.Engine
	bert     *embed.Embedder
	loadErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if qwen != nil {
		qwen.Close()
	}
	if bert != nil {
		bert.Close()
	}
	os.Exit(code)
}

func models(t testing.TB) (*engine.Engine, *embed.Embedder) {
	t.Helper()
	loadOnce.Do(func() {
		qwen, loadErr = engine.Open(qwenDir, engine.Options{Threads: 2, KVCacheTokens: 16384, MaxSeqs: 64})
		if loadErr != nil {
			return
		}
		bert, loadErr = embed.Open(bertDir, embed.Options{Threads: 2})
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return qwen, bert
}

func mustChat(t testing.TB, dir string) *chat.Chat {
	t.Helper()
	c, err := engine.LoadChat(dir, "")
	if err != nil || c == nil {
		t.Fatalf("chat template of %s: %v", dir, err)
	}
	return c
}

// testServer serves "qwen3" (the tiny random Qwen3 with its ChatML
// template), "scripted" (see scripted) with the real Qwen3 template, and
// "bert" (embeddings).
type testServer struct {
	*Server
	http   *httptest.Server
	client openai.Client
	url    string
}

func newTestServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	q, b := models(t)
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	s := New(cfg)
	for _, m := range []*Model{
		{Names: []string{"qwen3"}, Root: qwenDir, Generator: q, Chat: mustChat(t, qwenDir)},
		{Names: []string{"scripted"}, Generator: &scripted{Engine: q}, Chat: mustChat(t, "../testdata/chat/templates/qwen3")},
		{Names: []string{"scripted-llama"}, Generator: &scripted{Engine: q}, Chat: mustChat(t, "../testdata/chat/templates/llama3_2")},
		{Names: []string{"bert"}, Root: bertDir, Embedder: b},
	} {
		if err := s.AddModel(m); err != nil {
			t.Fatal(err)
		}
	}
	s.SetReady()
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	opts := []option.RequestOption{option.WithBaseURL(hs.URL + "/v1/"), option.WithMaxRetries(0)}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	} else {
		opts = append(opts, option.WithAPIKey("unused"))
	}
	return &testServer{Server: s, http: hs, client: openai.NewClient(opts...), url: hs.URL}
}

// scripted is a Generator that answers with text found in the prompt: the
// last user message's text after "REPLY:" is streamed back two characters
// at a time. It lets tests give the server any model output (tool calls,
// reasoning) with the real tokenizer and template around it. "BLOCK" makes
// it wait for the request's context instead.
type scripted struct {
	*engine.Engine
}

func (s *scripted) Generate(ctx context.Context, r engine.Request) (<-chan engine.Event, error) {
	tok := s.Tokenizer()
	ids := make([]int, len(r.PromptTokens))
	for i, id := range r.PromptTokens {
		ids[i] = int(id)
	}
	prompt := tok.Decode(ids, false)
	reply := ""
	if i := strings.LastIndex(prompt, "REPLY:"); i >= 0 {
		reply = prompt[i+len("REPLY:"):]
		for _, end := range []string{"<|im_end|>", "<|eot_id|>"} {
			if j := strings.Index(reply, end); j >= 0 {
				reply = reply[:j]
			}
		}
	}
	block := strings.Contains(prompt, "BLOCK")
	n := max(r.Sampling.N, 1)
	ch := make(chan engine.Event)
	go func() {
		defer close(ch)
		start := time.Now()
		send := func(ev engine.Event) bool {
			select {
			case ch <- ev:
				return true
			case <-ctx.Done():
				return false
			}
		}
		if block {
			<-ctx.Done()
			send(engine.Event{FinishReason: engine.FinishCancelled, Err: ctx.Err(), Usage: &engine.Usage{}})
			return
		}
		generated := 0
		for c := range n {
			rest := reply
			for rest != "" {
				k := 0
				for range 2 {
					if k < len(rest) {
						_, size := utf8.DecodeRuneInString(rest[k:])
						k += size
					}
				}
				ev := engine.Event{Index: c, Text: rest[:k], Tokens: []int32{1}}
				if r.Sampling.Logprobs {
					ev.Logprobs = []engine.Logprob{{Token: 1, Logprob: -0.5, Top: []sample.TokenLogprob{{Token: 1, Logprob: -0.5}}}}
				}
				rest = rest[k:]
				generated++
				if !send(ev) {
					return
				}
			}
			final := engine.Event{Index: c, FinishReason: engine.FinishStop}
			if c == n-1 {
				final.Usage = &engine.Usage{PromptTokens: len(ids), CompletionTokens: generated, Duration: time.Since(start)}
			}
			if !send(final) {
				return
			}
		}
	}()
	return ch, nil
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// direct runs a request on the engine itself: the reference the server's
// answers are compared with.
func direct(t testing.TB, e *engine.Engine, prompt []int32, p engine.SamplingParams) (string, []engine.Logprob, engine.FinishReason) {
	t.Helper()
	ch, err := e.Generate(context.Background(), engine.Request{PromptTokens: prompt, Sampling: p})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	var lps []engine.Logprob
	var fr engine.FinishReason
	for ev := range ch {
		sb.WriteString(ev.Text)
		lps = append(lps, ev.Logprobs...)
		if ev.FinishReason != "" {
			fr = ev.FinishReason
		}
	}
	return sb.String(), lps, fr
}

// chatPrompt renders messages as the server does for the qwen3 model.
func chatPrompt(t testing.TB, msgs ...chat.Message) []int32 {
	t.Helper()
	q, _ := models(t)
	text, err := mustChat(t, qwenDir).Render("", chat.Context{Messages: msgs, AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	return toInt32(q.Tokenizer().Encode(text, false))
}

// describe shows an API error's status, message and param (the client's
// own Error() leaves them out).
func describe(err error) string {
	var e *openai.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%d %s (param %q, type %q, code %q)", e.StatusCode, e.Message, e.Param, e.Type, e.Code)
	}
	return err.Error()
}

// Options lifts the context limit: scripted answers need no KV cache, and
// the tiny tokenizer makes real templates' tool prompts long.
func (s *scripted) Options() engine.Options {
	o := s.Engine.Options()
	o.MaxModelLen = 1 << 16
	return o
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// waitFor polls cond until it holds (what it waits for happens on other
// goroutines right after the event the test caused).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
