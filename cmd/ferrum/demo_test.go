package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/demo"
	"github.com/ferrum-go/ferrum/engine"
)

func TestPromptNotModel(t *testing.T) {
	for arg, want := range map[string]bool{
		"Once upon a time":     true,
		"Hello":                true,
		"What is 2+2?":         true,
		"qwen3:0.6b":           false, // an alias
		"Qwen/Qwen3-0.6B":      false, // a repo id
		"model.gguf":           false,
		"./some/folder":        false,
		runFixture:             false, // exists
		"org/name:Q4_K_M":      false,
		"../missing/model-dir": false,
	} {
		if got := promptNotModel(arg); got != want {
			t.Errorf("promptNotModel(%q) = %v, want %v", arg, got, want)
		}
	}
}

// TestRunDemo: `ferrum run PROMPT` answers with the embedded demo model,
// says so on stderr, and writes the model file into the user's cache folder.
func TestRunDemo(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Unix
	t.Setenv("HOME", cache)           // and on macOS
	stderr := captureStderr(t, func() {
		out, _, err := execRun(t, "", append([]string{"Once upon a time"}, runGreedyFlags...)...)
		if err != nil {
			t.Fatal(err)
		}
		path, err := demo.Path()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(path, cache) {
			t.Errorf("demo model at %s, want it under %s", path, cache)
		}
		e, err := engine.Open(path, engine.Options{Threads: 1, KVCacheTokens: 2048})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		ch, err := e.Generate(context.Background(), engine.Request{
			Messages: []chat.Message{{Role: "user", Content: chat.Text("Once upon a time")}},
			Sampling: engine.SamplingParams{MaxTokens: 12},
		})
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for ev := range ch {
			want.WriteString(ev.Text)
		}
		if out != want.String()+"\n" || len(strings.Fields(out)) < 5 {
			t.Errorf("stdout %q, want %q", out, want.String()+"\n")
		}
	})
	if !strings.Contains(stderr, "built-in demo model "+demo.Name) {
		t.Errorf("stderr %q does not say that the demo model answers", stderr)
	}
}

// captureStderr runs f with os.Stderr sent to a file and returns what was
// written (demoModelPath writes to os.Stderr, not to the command's stream).
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	tmp, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	old := os.Stderr
	os.Stderr = tmp
	defer func() { os.Stderr = old }()
	f()
	data, err := os.ReadFile(tmp.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestServeDemo: `ferrum serve` without --model serves the demo model as
// ferrum-demo, and a chat completion through it answers.
func TestServeDemo(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		root := newRootCmd()
		root.SetOut(io.Discard)
		root.SetErr(logs)
		root.SetArgs([]string{"serve", "--host", "127.0.0.1", "--port", "0", "-t", "1", "--kv-cache-tokens", "2048"})
		done <- root.ExecuteContext(ctx)
	}()
	base := ""
	for i := 0; i < 600 && base == ""; i++ { // up to 60 s for the model to load
		if m := readyRE.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if base == "" {
		t.Fatalf("serve never got ready:\n%s", logs.String())
	}
	body := getJSON(t, "GET", base+"/models", "")
	if !strings.Contains(body, `"id":"`+demo.Name+`"`) {
		t.Errorf("/v1/models = %s, want the id %q", body, demo.Name)
	}
	body = getJSON(t, "POST", base+"/chat/completions",
		`{"model":"`+demo.Name+`","messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":12,"temperature":0}`)
	var resp struct {
		Model   string `json:"model"`
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil || len(resp.Choices) != 1 {
		t.Fatalf("chat completion %s: %v", body, err)
	}
	if resp.Model != demo.Name || len(strings.Fields(resp.Choices[0].Message.Content)) < 5 {
		t.Errorf("chat completion: model %q, answer %q", resp.Model, resp.Choices[0].Message.Content)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

var readyRE = regexp.MustCompile(`ready on (http://[0-9.:]+/v1)`)

func getJSON(t *testing.T, method, url, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s (%v)", method, url, res.StatusCode, data, err)
	}
	return string(data)
}

// syncBuffer is a bytes.Buffer that serve's goroutines and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
