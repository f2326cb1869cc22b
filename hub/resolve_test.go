package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/hub/hubtest"
)

// pythonCache builds a cache as huggingface_hub leaves it (hubtest.WriteCache).
var pythonCache = hubtest.WriteCache

func bgeFiles() map[string]string {
	return map[string]string{
		"config.json":           `{"architectures":["BertModel"]}`,
		"tokenizer.json":        `{}`,
		"vocab.txt":             "[PAD]\n",
		"modules.json":          `[]`,
		"1_Pooling/config.json": `{"pooling_mode_cls_token":true}`,
		"model.safetensors":     strings.Repeat("bert", 300),
	}
}

func TestResolveReadsPythonCacheOffline(t *testing.T) {
	dir := t.TempDir()
	commit := strings.Repeat("5c", 20)
	pythonCache(t, dir, "BAAI/bge-small-en-v1.5", commit, bgeFiles())
	h := New(Config{Endpoint: "http://127.0.0.1:1", CacheDir: dir, Offline: true})
	want := filepath.Join(dir, "models--BAAI--bge-small-en-v1.5", "snapshots", commit)
	for _, m := range []string{"BAAI/bge-small-en-v1.5", "bge-small", "BAAI/bge-small-en-v1.5@main", "BAAI/bge-small-en-v1.5@" + commit} {
		p, err := Resolve(context.Background(), m, ResolveOptions{Hub: h, Download: true})
		if err != nil || p != want {
			t.Errorf("%s: %s, %v; want %s", m, p, err, want)
		}
	}
	_, err := Resolve(context.Background(), "qwen3:0.6b", ResolveOptions{Hub: h, Download: true})
	if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("offline miss: %v", err)
	}
	rows, err := h.List()
	if err != nil || len(rows) != 1 {
		t.Fatalf("list: %+v, %v", rows, err)
	}
	r := rows[0]
	if r.Name != "BAAI/bge-small-en-v1.5" || r.Revision() != "main" || !r.Complete || r.Path != want || r.Size != int64(len(strings.Join(values(bgeFiles()), ""))) {
		t.Fatalf("row %+v", r)
	}
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Files a Python tool fetched are used as they are: pulling the same commit
// downloads nothing.
func TestPullReusesPythonCache(t *testing.T) {
	f := hubtest.New(t)
	commit := f.AddCommit("BAAI/bge-small-en-v1.5", bgeFiles())
	h := newTestHub(t, f)
	pythonCache(t, h.Cache.Dir, "BAAI/bge-small-en-v1.5", commit, bgeFiles())
	if _, err := h.Pull(context.Background(), "bge-small"); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Requests() {
		if !strings.HasPrefix(r.Path, "/api/") {
			t.Errorf("unexpected request %s %s", r.Method, r.Path)
		}
	}
}

// A snapshot Python filled only partly (AutoConfig fetched config.json)
// is not a model yet: Resolve downloads the rest when allowed, and says so
// when not.
func TestResolveCompletesPartialSnapshot(t *testing.T) {
	f := hubtest.New(t)
	commit := f.AddCommit("BAAI/bge-small-en-v1.5", bgeFiles())
	h := newTestHub(t, f)
	pythonCache(t, h.Cache.Dir, "BAAI/bge-small-en-v1.5", commit, map[string]string{"config.json": bgeFiles()["config.json"]})
	_, err := Resolve(context.Background(), "bge-small", ResolveOptions{Hub: h})
	if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "ferrum pull bge-small") {
		t.Fatalf("no-download resolve: %v", err)
	}
	p, err := Resolve(context.Background(), "bge-small", ResolveOptions{Hub: h, Download: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(p, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	// Now whole, it resolves with no network at all.
	before := len(f.Requests())
	if _, err := Resolve(context.Background(), "bge-small", ResolveOptions{Hub: h, Download: true}); err != nil || len(f.Requests()) != before {
		t.Fatalf("second resolve: %v, %d requests", err, len(f.Requests())-before)
	}
}

func TestResolveShardIndex(t *testing.T) {
	dir := t.TempDir()
	commit := strings.Repeat("ab", 20)
	files := map[string]string{
		"config.json":                      "{}",
		"model.safetensors.index.json":     `{"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}`,
		"model-00001-of-00002.safetensors": "one",
	}
	pythonCache(t, dir, "org/big", commit, files)
	h := New(Config{CacheDir: dir, Offline: true})
	_, err := Resolve(context.Background(), "org/big", ResolveOptions{Hub: h})
	if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "model-00002-of-00002.safetensors") {
		t.Fatalf("missing shard: %v", err)
	}
}

func TestResolveGGUFFromCache(t *testing.T) {
	dir := t.TempDir()
	commit := strings.Repeat("cd", 20)
	pythonCache(t, dir, "unsloth/Qwen3-0.6B-GGUF", commit, map[string]string{
		"Qwen3-0.6B-Q4_K_M.gguf": "GGUF a",
		"Qwen3-0.6B-Q8_0.gguf":   "GGUF b",
	})
	h := New(Config{CacheDir: dir, Offline: true})
	snap := filepath.Join(dir, "models--unsloth--Qwen3-0.6B-GGUF", "snapshots", commit)
	for m, want := range map[string]string{
		"qwen3:0.6b-q8_0":                              "Qwen3-0.6B-Q8_0.gguf",
		"unsloth/Qwen3-0.6B-GGUF:Q4_K_M":               "Qwen3-0.6B-Q4_K_M.gguf",
		"unsloth/Qwen3-0.6B-GGUF":                      "Qwen3-0.6B-Q4_K_M.gguf",
		"unsloth/Qwen3-0.6B-GGUF:Qwen3-0.6B-Q8_0.gguf": "Qwen3-0.6B-Q8_0.gguf",
	} {
		p, err := Resolve(context.Background(), m, ResolveOptions{Hub: h})
		if err != nil || p != filepath.Join(snap, want) {
			t.Errorf("%s: %s, %v", m, p, err)
		}
	}
	rows, _ := h.List()
	if len(rows) != 2 || rows[0].Name != "unsloth/Qwen3-0.6B-GGUF:Qwen3-0.6B-Q4_K_M.gguf" || rows[0].Size != 6 {
		t.Fatalf("rows %+v", rows)
	}
}

func TestResolvePaths(t *testing.T) {
	dir := t.TempDir()
	gguf := filepath.Join(dir, "m.gguf")
	os.WriteFile(gguf, []byte("GGUF"), 0o644)
	h := New(Config{CacheDir: t.TempDir(), Offline: true})
	for _, p := range []string{dir, gguf} {
		got, err := Resolve(context.Background(), p, ResolveOptions{Hub: h})
		if err != nil || got != p {
			t.Errorf("%s: %s, %v", p, got, err)
		}
	}
	for _, p := range []string{"./nope", "/no/such/dir", "missing.gguf", "~/no-such-ferrum-model.gguf"} {
		_, err := Resolve(context.Background(), p, ResolveOptions{Hub: h})
		if err == nil || !strings.Contains(err.Error(), "no such file") {
			t.Errorf("%s: %v", p, err)
		}
	}
	_, err := Resolve(context.Background(), "qwen9:1b", ResolveOptions{Hub: h})
	if !errors.Is(err, ErrUnknownAlias) || !strings.Contains(err.Error(), "qwen3:0.6b") {
		t.Errorf("unknown alias: %v", err)
	}
}
