package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPathInWritesAndReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ferrum")
	p, err := PathIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filepath.Base(p), SHA256()[:12]) || filepath.Dir(p) != dir {
		t.Errorf("path %s: want it in %s with the hash prefix %s in its name", p, dir, SHA256()[:12])
	}
	data, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(data, GGUF()) {
		t.Fatalf("written file differs from the embedded GGUF (%v)", err)
	}
	// A file with the right content is reused, not rewritten.
	old := time.Unix(1_000_000_000, 0)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	if p2, err := PathIn(dir); err != nil || p2 != p {
		t.Fatalf("second call: %s, %v", p2, err)
	}
	if st, _ := os.Stat(p); !st.ModTime().Equal(old) {
		t.Error("an intact file was rewritten")
	}
	// A damaged file (same size, other bytes) is replaced.
	bad := append([]byte(nil), data...)
	bad[len(bad)/2] ^= 0xff
	if err := os.WriteFile(p, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := PathIn(dir); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(p); !bytes.Equal(data, GGUF()) {
		t.Error("a damaged file was kept")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".ferrum-demo-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestPathInConcurrent(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	paths := make([]string, 8)
	errs := make([]error, 8)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = PathIn(dir)
		}()
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("call %d: %s, %v", i, paths[i], errs[i])
		}
	}
	if data, _ := os.ReadFile(paths[0]); !bytes.Equal(data, GGUF()) {
		t.Error("file differs from the embedded GGUF")
	}
}

func TestPathInUnwritable(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := PathIn(filepath.Join(f, "sub")) // a folder under a file cannot exist
	if err == nil || !strings.Contains(err.Error(), "demo model") {
		t.Errorf("error %v: want one that names the demo model's folder", err)
	}
}

func TestPathFallsBackToTemp(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "relative/not/allowed") // os.UserCacheDir rejects it
	t.Setenv("HOME", "")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p, filepath.Join(tmp, "ferrum")) {
		t.Errorf("path %s: want it under %s", p, filepath.Join(tmp, "ferrum"))
	}
}

func TestEmbedded(t *testing.T) {
	if len(GGUF()) < 1<<20 || !bytes.HasPrefix(GGUF(), []byte("GGUF")) {
		t.Fatalf("embedded %s: %d bytes, want a GGUF of some MB", FileName, len(GGUF()))
	}
	if len(GGUF()) > 16<<20 {
		t.Errorf("embedded GGUF is %d bytes; issue 9 allows about 16 MB", len(GGUF()))
	}
	if len(SHA256()) != 64 {
		t.Errorf("SHA256() = %q", SHA256())
	}
}
