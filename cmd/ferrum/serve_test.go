package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serveLog is a bytes.Buffer safe to read while the command writes.
type serveLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeCommand runs `ferrum serve` on a free port with a generator and
// an embedding model, calls it, and stops it the way SIGTERM does (its
// context ends).
func TestServeCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr serveLog
	root := newRootCmd()
	root.SetArgs([]string{"serve", "../../testdata/models/qwen3", "--port", "0", "--kv-cache-tokens", "2048",
		"--served-model-name", "tiny", "--embedding-model", "../../testdata/embed/bert", "--embedding-model-name", "emb",
		"--api-key", "k", "--threads", "1"})
	root.SetErr(&stderr)
	root.SetOut(io.Discard)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	ready := regexp.MustCompile(`ready on (http://\S+)/v1`)
	var base string
	deadline := time.Now().Add(30 * time.Second)
	for base == "" {
		if m := ready.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	call := func(path, body string) (int, string) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := call("/v1/chat/completions", `{"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}`); code != 200 || !strings.Contains(body, `"model":"tiny"`) {
		t.Errorf("chat: %d %s", code, body)
	}
	if code, body := call("/v1/embeddings", `{"model": "emb", "input": "hi"}`); code != 200 || !strings.Contains(body, `"embedding":[`) {
		t.Errorf("embeddings: %d %s", code, body)
	}
	if code, _ := call("/v1/embeddings", `{"model": "tiny", "input": "hi"}`); code != 400 {
		t.Errorf("embeddings from the generator: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "2GiB": 2 << 30, "512MB": 512e6, "1.5g": 3 << 29, "64 KiB": 64 << 10} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GB", "-1", "3 parsecs", "0"} {
		if _, err := parseByteSize(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestServeBinarySIGTERM: the real process, sent SIGTERM while streaming,
// finishes the stream (up to max_tokens) and exits 0.
func TestServeBinarySIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "ferrum")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var stderr serveLog
	cmd := exec.Command(bin, "serve", "--model", "../../testdata/models/qwen3", "--port", "0", "-t", "1", "--kv-cache-tokens", "2048")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	ready := regexp.MustCompile(`ready on (http://\S+)/v1`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := ready.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready:\n%s", stderr.String())
		}
	}
	resp, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(
		`{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 400, "ignore_eos": true, "stream": true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() {
		t.Fatal("no first event")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var last, finish string
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			last = line
			if strings.Contains(line, `"finish_reason":"`) {
				finish = line
			}
		}
	}
	if last != "data: [DONE]" || !strings.Contains(finish, `"finish_reason":"length"`) {
		t.Errorf("stream after SIGTERM ended with %q (finish chunk %q)", last, finish)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v\n%s", err, stderr.String())
	}
}
