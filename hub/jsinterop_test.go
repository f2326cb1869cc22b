//go:build jsinterop

package hub

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/hub/hubtest"
)

// This test checks the cache against huggingface.js (@huggingface/hub,
// checked with 2.17.5), Hugging Face's other implementation of it, both
// ways. It needs node and the package, so it runs only when asked:
//
//	mkdir /tmp/hfjs && cd /tmp/hfjs && npm init -y && npm install @huggingface/hub
//	FERRUM_HFJS_DIR=/tmp/hfjs go test -tags jsinterop -run JSInterop ./hub
//
// (huggingface.js's scanCacheDir does not descend into snapshot folders,
// so 1_Pooling/config.json is not compared.)

const interopJS = `import { scanCacheDir, downloadFileToCacheDir, snapshotDownload } from "@huggingface/hub";
const [cmd, cacheDir, hubUrl, repo, path] = process.argv.slice(2);
console.debug = () => {};
if (cmd === "scan") {
  const info = await scanCacheDir(cacheDir);
  const out = [];
  for (const r of info.repos) {
    out.push({ id: r.id.name, type: r.id.type, size: r.size, revisions: [...r.revisions].map(v => ({
      commit: v.commitOid, refs: [...v.refs], files: [...v.files].map(f => ({ path: f.path, blob: f.blob.path, size: f.blob.size })) })) });
  }
  console.log(JSON.stringify({ repos: out, warnings: info.warnings.map(String) }));
} else if (cmd === "file") {
  console.log(await downloadFileToCacheDir({ repo, path, cacheDir, hubUrl, revision: "main" }));
} else if (cmd === "snapshot") {
  console.log(await snapshotDownload({ repo, cacheDir, hubUrl }));
}
`

func node(t *testing.T, args ...string) string {
	dir := os.Getenv("FERRUM_HFJS_DIR")
	if dir == "" {
		t.Skip("FERRUM_HFJS_DIR (a folder with @huggingface/hub installed) is not set")
	}
	script := filepath.Join(dir, "ferrum-interop.mjs")
	if err := os.WriteFile(script, []byte(interopJS), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestJSInterop(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	commit := f.AddCommit("Qwen/Qwen3-0.6B", files)

	// Ferrum writes, huggingface.js reads.
	h := newTestHub(t, f)
	if _, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	out := node(t, "scan", h.Cache.Dir)
	var scan struct {
		Repos []struct {
			ID        string
			Revisions []struct {
				Commit string
				Refs   []string
				Files  []struct {
					Path string
					Blob string
					Size int
				}
			}
		}
		Warnings []string
	}
	if err := json.Unmarshal([]byte(out), &scan); err != nil {
		t.Fatal(err)
	}
	if len(scan.Warnings) != 0 || len(scan.Repos) != 1 || scan.Repos[0].ID != "Qwen/Qwen3-0.6B" || len(scan.Repos[0].Revisions) != 1 {
		t.Fatalf("scan %+v", scan)
	}
	rev := scan.Repos[0].Revisions[0]
	// huggingface.js's scan does not descend into folders (1_Pooling).
	top := 0
	for _, w := range qwenWanted {
		if !strings.Contains(w, "/") {
			top++
		}
	}
	if rev.Commit != commit || len(rev.Refs) != 1 || rev.Refs[0] != "main" || len(rev.Files) != top {
		t.Fatalf("revision %+v", rev)
	}
	for _, fl := range rev.Files {
		name := filepath.Base(fl.Path)
		if fl.Size != len(files[name]) || !strings.Contains(fl.Blob, "/blobs/") {
			t.Errorf("%s: size %d blob %s", name, fl.Size, fl.Blob)
		}
	}
	before := len(f.CDNGets())
	p := node(t, "file", h.Cache.Dir, f.URL, "Qwen/Qwen3-0.6B", "model.safetensors")
	if p != filepath.Join(h.Cache.SnapshotDir("Qwen/Qwen3-0.6B", commit), "model.safetensors") || len(f.CDNGets()) != before {
		t.Fatalf("js download of a ferrum-cached file: %s, %d CDN GETs", p, len(f.CDNGets())-before)
	}

	// huggingface.js writes, Ferrum reads.
	h2 := newTestHub(t, f)
	snap := node(t, "snapshot", h2.Cache.Dir, f.URL, "Qwen/Qwen3-0.6B")
	off := *h2
	off.Offline = true
	got, err := Resolve(context.Background(), "Qwen/Qwen3-0.6B", ResolveOptions{Hub: &off})
	if err != nil || got != snap {
		t.Fatalf("resolve of a js cache: %s, %v (js: %s)", got, err, snap)
	}
	if b, _ := os.ReadFile(filepath.Join(got, "model.safetensors")); string(b) != files["model.safetensors"] {
		t.Fatal("content")
	}
	n := len(f.Requests())
	if _, err := h2.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Requests()[n:] {
		if !strings.HasPrefix(r.Path, "/api/") {
			t.Errorf("ferrum re-downloaded after js: %s %s", r.Method, r.Path)
		}
	}
	rows, _ := h2.List()
	t.Logf("list: %+v", rows)
}
