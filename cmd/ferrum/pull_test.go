package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/hub"
	"github.com/ferrum-go/ferrum/hub/hubtest"
)

func runFerrum(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err = root.Execute()
	return out.String(), errb.String(), err
}

// hubEnv points the hub environment at a fake hub and a fresh cache.
func hubEnv(t *testing.T, endpoint string) string {
	cache := t.TempDir()
	t.Setenv("HF_ENDPOINT", endpoint)
	t.Setenv("HF_HUB_CACHE", cache)
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	return cache
}

func TestPullListRm(t *testing.T) {
	f := hubtest.New(t)
	commit := f.AddCommit("Qwen/Qwen3-0.6B", map[string]string{
		"config.json": `{"model_type":"qwen3"}`, "tokenizer.json": "{}", "model.safetensors": strings.Repeat("w", 2000), "README.md": "x",
	})
	f.AddCommit("unsloth/Qwen3-0.6B-GGUF", map[string]string{"Qwen3-0.6B-Q4_K_M.gguf": "GGUF q4", "Qwen3-0.6B-Q8_0.gguf": "GGUF q8"})
	cache := hubEnv(t, f.URL)

	out, errOut, err := runFerrum(t, "", "pull", "qwen3:0.6b", "qwen3:0.6b-q8_0")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	snap := filepath.Join(cache, "models--Qwen--Qwen3-0.6B", "snapshots", commit)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != snap || filepath.Base(lines[1]) != "Qwen3-0.6B-Q8_0.gguf" {
		t.Fatalf("stdout %q", out)
	}
	if !strings.Contains(errOut, "pulling Qwen/Qwen3-0.6B") || !strings.Contains(errOut, "model.safetensors") {
		t.Fatalf("stderr %q", errOut)
	}

	out, _, err = runFerrum(t, "", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NAME", "Qwen/Qwen3-0.6B ", "unsloth/Qwen3-0.6B-GGUF:Qwen3-0.6B-Q8_0.gguf", "2.0 kB", "main", "just now"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runFerrum(t, "", "list", "--json")
	var rows []hub.CachedModel
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 || rows[0].Path != snap || rows[0].Commit != commit {
		t.Fatalf("list --json: %v\n%s", err, out)
	}

	// rm asks; "n" keeps, "y" removes.
	out, errOut, err = runFerrum(t, "n\n", "rm", "qwen3:0.6b")
	if err != nil || !strings.Contains(errOut, "remove Qwen/Qwen3-0.6B (2.0 kB") || !strings.Contains(errOut, "kept") {
		t.Fatalf("rm n: %v %q %q", err, out, errOut)
	}
	if _, err := os.Stat(snap); err != nil {
		t.Fatal("removed after 'n'")
	}
	if _, _, err = runFerrum(t, "", "rm", "qwen3:0.6b"); err == nil || !strings.Contains(err.Error(), "-y") {
		t.Fatalf("rm without an answer: %v", err)
	}
	if out, _, err = runFerrum(t, "y\n", "rm", "qwen3:0.6b"); err != nil || !strings.Contains(out, "removed Qwen/Qwen3-0.6B") {
		t.Fatalf("rm y: %v %q", err, out)
	}
	if out, _, err = runFerrum(t, "", "rm", "-y", "unsloth/Qwen3-0.6B-GGUF:Q8_0"); err != nil {
		t.Fatalf("rm -y: %v %q", err, out)
	}
	_, _, err = runFerrum(t, "", "rm", "-y", "qwen3:0.6b")
	if err == nil || !strings.Contains(err.Error(), "not in the local cache") {
		t.Fatalf("rm absent: %v", err)
	}
	out, _, _ = runFerrum(t, "", "list", "--json")
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 0 {
		t.Fatalf("after rm: %s", out)
	}
}

func TestPullErrorsAreClear(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("meta-llama/Llama-3.2-1B-Instruct", map[string]string{"config.json": "{}", "model.safetensors": "w"})
	f.Repo("meta-llama/Llama-3.2-1B-Instruct").Gated = true
	hubEnv(t, f.URL)
	_, _, err := runFerrum(t, "", "pull", "-q", "llama3.2:1b")
	if err == nil || !strings.Contains(err.Error(), "HF_TOKEN") || !strings.Contains(err.Error(), "gated") {
		t.Fatalf("gated: %v", err)
	}
	t.Setenv("HF_TOKEN", f.Token)
	if _, _, err := runFerrum(t, "", "pull", "-q", "llama3.2:1b"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runFerrum(t, "", "pull", "nobody/nothing"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing: %v", err)
	}
	t.Setenv("HF_HUB_OFFLINE", "1")
	if _, _, err := runFerrum(t, "", "pull", "qwen3:0.6b"); err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") {
		t.Fatalf("offline: %v", err)
	}
}

func TestPullAliases(t *testing.T) {
	out, _, err := runFerrum(t, "", "pull", "--aliases")
	if err != nil || !strings.Contains(out, "qwen3:0.6b") || !strings.Contains(out, "unsloth/Qwen3-0.6B-GGUF") || !strings.Contains(out, "gated") {
		t.Fatalf("%v\n%s", err, out)
	}
}
