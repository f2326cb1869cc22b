package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
