package hub

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRemoveWholeRepo(t *testing.T) {
	dir := t.TempDir()
	pythonCache(t, dir, "BAAI/bge-small-en-v1.5", strings.Repeat("11", 20), bgeFiles())
	h := New(Config{CacheDir: dir, Offline: true})
	r, err := h.PlanRemove("bge-small")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Whole || r.Bytes != int64(len(strings.Join(values(bgeFiles()), ""))) {
		t.Fatalf("plan %+v", r)
	}
	if err := r.Apply(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{h.Cache.RepoDir("BAAI/bge-small-en-v1.5"), filepath.Join(dir, ".locks", "models--BAAI--bge-small-en-v1.5")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there", p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "datasets--org--data")); err != nil {
		t.Error("removed a neighbour")
	}
	_, err = h.PlanRemove("bge-small")
	if !errors.Is(err, ErrNotCached) || !strings.Contains(err.Error(), "BAAI/bge-small-en-v1.5") {
		t.Fatalf("absent: %v", err)
	}
}

// Removing one GGUF of a repo keeps the others, and keeps a blob another
// revision still links to.
func TestRemoveOneGGUF(t *testing.T) {
	dir := t.TempDir()
	c1, c2 := strings.Repeat("aa", 20), strings.Repeat("bb", 20)
	pythonCache(t, dir, "org/m-GGUF", c1, map[string]string{"m-Q4_K_M.gguf": "GGUF q4", "m-Q8_0.gguf": "GGUF q8"})
	pythonCache(t, dir, "org/m-GGUF", c2, map[string]string{"m-Q4_K_M.gguf": "GGUF q4 new", "m-Q8_0.gguf": "GGUF q8"})
	h := New(Config{CacheDir: dir, Offline: true})
	r, err := h.PlanRemove("org/m-GGUF:Q4_K_M")
	if err != nil {
		t.Fatal(err)
	}
	if r.Whole || len(r.pointers) != 2 || len(r.blobs) != 2 || r.Bytes != int64(len("GGUF q4")+len("GGUF q4 new")) {
		t.Fatalf("plan %+v", r)
	}
	if err := r.Apply(); err != nil {
		t.Fatal(err)
	}
	rows, _ := h.List()
	if len(rows) != 2 || rows[0].File != "m-Q8_0.gguf" || rows[1].File != "m-Q8_0.gguf" {
		t.Fatalf("left %+v", rows)
	}
	if b, err := os.ReadFile(filepath.Join(h.Cache.SnapshotDir("org/m-GGUF", c1), "m-Q8_0.gguf")); err != nil || string(b) != "GGUF q8" {
		t.Fatalf("shared blob lost: %q %v", b, err)
	}
	// The last GGUF gone, the repo goes too.
	r, err = h.PlanRemove("org/m-GGUF:m-Q8_0.gguf")
	if err != nil || !r.Whole {
		t.Fatalf("%+v %v", r, err)
	}
}
