package hub

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-go/ferrum/hub/hubtest"
)

// qwenLike is a repo shaped like Qwen/Qwen3-0.6B plus the extras real repos
// carry that a pull must skip.
func qwenLike() map[string]string {
	return map[string]string{
		".gitattributes":            "*.safetensors filter=lfs\n",
		"README.md":                 "# model card\n",
		"LICENSE":                   "Apache 2.0\n",
		"config.json":               `{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3"}`,
		"generation_config.json":    `{"do_sample":true}`,
		"tokenizer.json":            `{"version":"1.0","model":{"type":"BPE"}}`,
		"tokenizer_config.json":     `{"model_max_length":40960}`,
		"vocab.json":                `{"a":0}`,
		"merges.txt":                "#version: 0.2\n",
		"chat_template.jinja":       "{% for m in messages %}{{ m.content }}{% endfor %}",
		"modules.json":              `[{"idx":0,"path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]`,
		"1_Pooling/config.json":     `{"pooling_mode_mean_tokens":true}`,
		"model.safetensors":         strings.Repeat("weights!", 5000),
		"pytorch_model.bin":         strings.Repeat("pickle", 100),
		"onnx/model.onnx":           strings.Repeat("onnx", 100),
		"original/consolidated.pth": "orig",
	}
}

var qwenWanted = []string{"1_Pooling/config.json", "chat_template.jinja", "config.json", "generation_config.json",
	"merges.txt", "model.safetensors", "modules.json", "tokenizer.json", "tokenizer_config.json", "vocab.json"}

func TestPullRepoLaysOutCacheLikeHuggingfaceHub(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	commit := f.AddCommit("Qwen/Qwen3-0.6B", files)
	h := newTestHub(t, f)

	res, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if err != nil {
		t.Fatal(err)
	}
	got := append([]string(nil), res.Files...)
	sort.Strings(got)
	if !reflect.DeepEqual(got, qwenWanted) {
		t.Fatalf("pulled %v, want %v", got, qwenWanted)
	}
	repoDir := filepath.Join(h.Cache.Dir, "models--Qwen--Qwen3-0.6B")
	if res.Path != filepath.Join(repoDir, "snapshots", commit) || res.Commit != commit {
		t.Fatalf("path %s commit %s", res.Path, res.Commit)
	}
	ref, err := os.ReadFile(filepath.Join(repoDir, "refs", "main"))
	if err != nil || string(ref) != commit {
		t.Fatalf("refs/main = %q, %v; want the bare commit %s", ref, err, commit)
	}
	for _, p := range qwenWanted {
		data := []byte(files[p])
		etag := gitSHA1(data)
		if strings.HasSuffix(p, ".safetensors") {
			etag = sha256Hex(data)
		}
		link := filepath.Join(res.Path, filepath.FromSlash(p))
		target, err := os.Readlink(link)
		if err != nil {
			t.Fatalf("%s: not a symlink: %v", p, err)
		}
		want := strings.Repeat("../", strings.Count(p, "/")+2) + "blobs/" + etag
		if target != filepath.FromSlash(want) {
			t.Errorf("%s -> %s, want %s", p, target, want)
		}
		b, err := os.ReadFile(link)
		if err != nil || !bytes.Equal(b, data) {
			t.Errorf("%s: content differs (%v)", p, err)
		}
	}
	blobs, _ := os.ReadDir(filepath.Join(repoDir, "blobs"))
	for _, b := range blobs {
		if strings.HasSuffix(b.Name(), ".incomplete") {
			t.Errorf("left %s behind", b.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(h.Cache.Dir, ".locks", "models--Qwen--Qwen3-0.6B")); err != nil {
		t.Errorf("no lock folder where huggingface_hub keeps it: %v", err)
	}
	for _, r := range f.Requests() {
		if r.Method == "HEAD" && r.AcceptEncoding != "identity" {
			t.Errorf("HEAD %s without Accept-Encoding: identity", r.Path)
		}
	}
}

func TestPullAgainDownloadsNothing(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("Qwen/Qwen3-0.6B", qwenLike())
	h := newTestHub(t, f)
	if _, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	before := len(f.Requests())
	if _, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	after := f.Requests()[before:]
	if len(after) != 1 || !strings.HasPrefix(after[0].Path, "/api/models/") {
		t.Fatalf("second pull made %d requests (%v), want only the listing", len(after), after)
	}
}

// A branch that moves to a commit sharing blobs links them, downloading
// only what changed.
func TestNewCommitReusesBlobs(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	f.AddCommit("Qwen/Qwen3-0.6B", files)
	h := newTestHub(t, f)
	if _, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	files["config.json"] = `{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","v":2}`
	c2 := f.AddCommit("Qwen/Qwen3-0.6B", files)
	before := len(f.Requests())
	res, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != c2 {
		t.Fatalf("commit %s, want %s", res.Commit, c2)
	}
	var gets []string
	for _, r := range f.Requests()[before:] {
		if r.Method == "GET" && !strings.HasPrefix(r.Path, "/api/") {
			gets = append(gets, r.Path)
		}
	}
	if len(gets) != 1 || !strings.HasSuffix(gets[0], "/config.json") {
		t.Fatalf("content GETs %v, want only config.json", gets)
	}
	if ref, _ := os.ReadFile(filepath.Join(h.Cache.RepoDir("Qwen/Qwen3-0.6B"), "refs", "main")); string(ref) != c2 {
		t.Fatalf("refs/main = %s", ref)
	}
}

func TestTokenGoesToHubNotCDN(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("Qwen/Qwen3-0.6B", qwenLike())
	h := newTestHub(t, f)
	h.Client.Token = f.Token
	if _, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Requests() {
		cdn := strings.HasPrefix(r.Path, "/cdn/")
		if cdn && r.Auth != "" {
			t.Errorf("token sent to the CDN: %v", r)
		}
		if !cdn && r.Auth != "Bearer "+f.Token {
			t.Errorf("no token on a hub request: %v", r)
		}
	}
}

func TestInterruptedDownloadResumesOnNextPull(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	f.AddCommit("Qwen/Qwen3-0.6B", files)
	data := []byte(files["model.safetensors"])
	sum := sha256Hex(data)
	f.CutAfter(sum, len(data)/3)
	h := newTestHub(t, f)
	h.MaxAttempts = 1

	_, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if err == nil || !strings.Contains(err.Error(), "model.safetensors") || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("err = %v, want a resumable failure naming model.safetensors", err)
	}
	partial := h.Cache.incompletePath("Qwen/Qwen3-0.6B", sum)
	fi, err := os.Stat(partial)
	if err != nil || fi.Size() != int64(len(data)/3) {
		t.Fatalf("partial file: %v, %v; want %d bytes", fi, err, len(data)/3)
	}

	h.MaxAttempts = 0
	res, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if err != nil {
		t.Fatal(err)
	}
	gets := f.CDNGets()
	last := gets[len(gets)-1]
	if want := "bytes=" + strconv.Itoa(len(data)/3) + "-"; last.Range != want {
		t.Fatalf("resume sent Range %q, want %q", last.Range, want)
	}
	b, _ := os.ReadFile(filepath.Join(res.Path, "model.safetensors"))
	if !bytes.Equal(b, data) {
		t.Fatal("resumed file differs")
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Fatalf(".incomplete still there: %v", err)
	}
}

func TestCutTransfersRetryWithinOnePull(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	f.AddCommit("Qwen/Qwen3-0.6B", files)
	data := []byte(files["model.safetensors"])
	f.CutAfter(sha256Hex(data), 1000, 500) // two drops, each after some bytes
	h := newTestHub(t, f)
	res, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if err != nil {
		t.Fatal(err)
	}
	var ranges []string
	for _, g := range f.CDNGets() {
		ranges = append(ranges, g.Range)
	}
	if want := []string{"", "bytes=1000-", "bytes=1500-"}; !reflect.DeepEqual(ranges, want) {
		t.Fatalf("ranges %q, want %q", ranges, want)
	}
	if b, _ := os.ReadFile(filepath.Join(res.Path, "model.safetensors")); !bytes.Equal(b, data) {
		t.Fatal("content differs")
	}
}

// A CDN that ignores Range makes the download start over, not corrupt.
func TestResumeAgainstServerWithoutRange(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	f.AddCommit("Qwen/Qwen3-0.6B", files)
	data := []byte(files["model.safetensors"])
	f.CutAfter(sha256Hex(data), 777)
	f.IgnoreRange(true)
	h := newTestHub(t, f)
	res, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(res.Path, "model.safetensors")); !bytes.Equal(b, data) {
		t.Fatal("content differs")
	}
}

func TestWrongChecksumRemovesDownload(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	f.AddCommit("Qwen/Qwen3-0.6B", files)
	sum := sha256Hex([]byte(files["model.safetensors"]))
	f.Corrupt(sum, true)
	h := newTestHub(t, f)
	_, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "model.safetensors") || !strings.Contains(err.Error(), sum) {
		t.Fatalf("err = %v, want a checksum error naming the file and hash", err)
	}
	for _, p := range []string{h.Cache.incompletePath("Qwen/Qwen3-0.6B", sum), h.Cache.blobPath("Qwen/Qwen3-0.6B", sum)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s kept after a bad checksum", p)
		}
	}
	if _, err := os.Stat(filepath.Join(h.Cache.RepoDir("Qwen/Qwen3-0.6B"), "refs", "main")); !os.IsNotExist(err) {
		t.Error("refs/main written for a failed pull")
	}
	// Fixed upstream, the next pull succeeds.
	f.Corrupt(sum, false)
	if _, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
}

func TestGatedRepo(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("meta-llama/Llama-3.2-1B-Instruct", qwenLike())
	f.Repo("meta-llama/Llama-3.2-1B-Instruct").Gated = true
	h := newTestHub(t, f)
	_, err := h.Pull(context.Background(), "llama3.2:1b")
	if !errors.Is(err, ErrGated) || !IsAuthError(err) {
		t.Fatalf("err = %v, want ErrGated", err)
	}
	for _, want := range []string{"meta-llama/Llama-3.2-1B-Instruct", "HF_TOKEN", "license", "401"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	h.Client.Token = "hf_wrong"
	if _, err = h.Pull(context.Background(), "llama3.2:1b"); !errors.Is(err, ErrGated) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("wrong token: %v", err)
	}
	h.Client.Token = f.Token
	if _, err := h.Pull(context.Background(), "llama3.2:1b"); err != nil {
		t.Fatal(err)
	}
}

func TestNotFoundErrors(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("Qwen/Qwen3-0.6B", qwenLike())
	f.AddCommit("secret/model", qwenLike())
	f.Repo("secret/model").Private = true
	h := newTestHub(t, f)
	ctx := context.Background()
	cases := []struct {
		model string
		is    error
		says  []string
	}{
		{"nobody/nothing", ErrRepoNotFound, []string{"nobody/nothing", "HF_TOKEN"}},
		{"secret/model", ErrRepoNotFound, []string{"secret/model", "private"}},
		{"Qwen/Qwen3-0.6B@v9", ErrRevisionNotFound, []string{`"v9"`}},
		{"Qwen/Qwen3-0.6B:missing.gguf", ErrFileNotFound, []string{"missing.gguf"}},
		{"Qwen/Qwen3-0.6B:missing.json", ErrFileNotFound, []string{"missing.json"}},
	}
	for _, c := range cases {
		_, err := h.Pull(ctx, c.model)
		if !errors.Is(err, c.is) {
			t.Errorf("%s: err = %v, want %v", c.model, err, c.is)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q lacks %q", c.model, err, s)
			}
		}
	}
	_, err := h.Client.FileMetadata(ctx, "Qwen/Qwen3-0.6B", "main", "nope.txt")
	if !errors.Is(err, ErrFileNotFound) || !strings.Contains(err.Error(), "nope.txt") || !strings.Contains(err.Error(), "EntryNotFound") {
		t.Errorf("HEAD of a missing file: %v", err)
	}
}

func TestFileMetadataHeaders(t *testing.T) {
	f := hubtest.New(t)
	files := map[string]string{"config.json": "{}", "model.safetensors": "0123456789"}
	commit := f.AddCommit("org/m", files)
	f.Repo("org/m").Commits[commit]["config.json"] = hubtest.File{Data: []byte("{}"), WeakETag: true}
	c := &Client{Endpoint: f.URL}
	ctx := context.Background()

	m, err := c.FileMetadata(ctx, "org/m", "main", "model.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if m.ETag != sha256Hex([]byte("0123456789")) || m.Size != 10 || m.Commit != commit || !strings.HasPrefix(m.Location, f.CDNURL+"/cdn/") {
		t.Fatalf("LFS metadata %+v", m)
	}
	m, err = c.FileMetadata(ctx, "org/m", "main", "config.json")
	if err != nil {
		t.Fatal(err)
	}
	if m.ETag != gitSHA1([]byte("{}")) || m.Size != 2 || m.Location != c.ResolveURL("org/m", "main", "config.json") {
		t.Fatalf("git metadata %+v (weak ETag not normalised?)", m)
	}
	// A renamed repo answers with a relative redirect, which is followed.
	f.Rename("old/m", "org/m")
	m, err = c.FileMetadata(ctx, "old/m", "main", "config.json")
	if err != nil || m.Commit != commit {
		t.Fatalf("renamed repo: %+v, %v", m, err)
	}
}

func TestRevisionWithSlashIsEscaped(t *testing.T) {
	f := hubtest.New(t)
	commit := f.AddCommit("org/m", map[string]string{"config.json": "{}", "model.safetensors": "w"})
	f.Repo("org/m").Refs["refs/pr/1"] = commit
	h := newTestHub(t, f)
	res, err := h.Pull(context.Background(), "org/m@refs/pr/1")
	if err != nil {
		t.Fatal(err)
	}
	if ref, err := os.ReadFile(filepath.Join(h.Cache.RepoDir("org/m"), "refs", "refs", "pr", "1")); err != nil || string(ref) != commit {
		t.Fatalf("nested ref: %q %v", ref, err)
	}
	p, err := Resolve(context.Background(), "org/m@refs/pr/1", ResolveOptions{Hub: h})
	if err != nil || p != res.Path {
		t.Fatalf("resolve %s, %v", p, err)
	}
}

func TestPullGGUFQuantAndSplit(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("unsloth/Qwen3-0.6B-GGUF", map[string]string{
		"README.md":                           "x",
		"Qwen3-0.6B-Q4_K_M.gguf":              "GGUF q4km",
		"Qwen3-0.6B-Q4_K.gguf":                "GGUF q4k",
		"Qwen3-0.6B-UD-Q4_K_XL.gguf":          "GGUF ud",
		"Qwen3-0.6B-Q8_0.gguf":                "GGUF q8",
		"mmproj-F16.gguf":                     "GGUF proj",
		"big/Qwen3-0.6B-Q4_K_M.gguf":          "GGUF nested",
		"Qwen3-0.6B-BF16-00001-of-00003.gguf": "GGUF p1",
		"Qwen3-0.6B-BF16-00002-of-00003.gguf": "GGUF p2",
		"Qwen3-0.6B-BF16-00003-of-00003.gguf": "GGUF p3",
	})
	h := newTestHub(t, f)
	ctx := context.Background()
	cases := []struct {
		model string
		files []string
	}{
		{"qwen3:0.6b-q4_k_m", []string{"Qwen3-0.6B-Q4_K_M.gguf"}},
		{"unsloth/Qwen3-0.6B-GGUF:Q4_K", []string{"Qwen3-0.6B-Q4_K.gguf"}},
		{"unsloth/Qwen3-0.6B-GGUF:ud-q4_k_xl", []string{"Qwen3-0.6B-UD-Q4_K_XL.gguf"}},
		{"unsloth/Qwen3-0.6B-GGUF", []string{"Qwen3-0.6B-Q4_K_M.gguf"}}, // the default quantisation
		{"unsloth/Qwen3-0.6B-GGUF:Qwen3-0.6B-Q8_0.gguf", []string{"Qwen3-0.6B-Q8_0.gguf"}},
		{"unsloth/Qwen3-0.6B-GGUF:bf16", []string{"Qwen3-0.6B-BF16-00001-of-00003.gguf", "Qwen3-0.6B-BF16-00002-of-00003.gguf", "Qwen3-0.6B-BF16-00003-of-00003.gguf"}},
		{"unsloth/Qwen3-0.6B-GGUF:Qwen3-0.6B-BF16-00002-of-00003.gguf", []string{"Qwen3-0.6B-BF16-00001-of-00003.gguf", "Qwen3-0.6B-BF16-00002-of-00003.gguf", "Qwen3-0.6B-BF16-00003-of-00003.gguf"}},
	}
	for _, c := range cases {
		res, err := h.Pull(ctx, c.model)
		if err != nil {
			t.Errorf("%s: %v", c.model, err)
			continue
		}
		if !reflect.DeepEqual(res.Files, c.files) {
			t.Errorf("%s: files %v, want %v", c.model, res.Files, c.files)
		}
		if filepath.Base(res.Path) != c.files[0] {
			t.Errorf("%s: path %s", c.model, res.Path)
		}
	}
	_, err := h.Pull(ctx, "unsloth/Qwen3-0.6B-GGUF:Q2_K")
	if !errors.Is(err, ErrFileNotFound) || !strings.Contains(err.Error(), "Q8_0") {
		t.Errorf("missing quant: %v (want the available ones listed)", err)
	}
}

func TestSplitGGUFMissingPartIsAnError(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("org/m-GGUF", map[string]string{
		"m-Q4_K_M-00001-of-00002.gguf": "GGUF 1",
	})
	h := newTestHub(t, f)
	_, err := h.Pull(context.Background(), "org/m-GGUF:Q4_K_M")
	if !errors.Is(err, ErrFileNotFound) || !strings.Contains(err.Error(), "m-Q4_K_M-00002-of-00002.gguf") {
		t.Fatalf("err = %v", err)
	}
}

func TestPullRejectsPickleOnlyRepo(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("old/bert", map[string]string{"config.json": "{}", "pytorch_model.bin": "pickle", "vocab.txt": "a"})
	h := newTestHub(t, f)
	_, err := h.Pull(context.Background(), "old/bert")
	if err == nil || !strings.Contains(err.Error(), "pytorch_model.bin") || !strings.Contains(err.Error(), "safetensors") {
		t.Fatalf("err = %v", err)
	}
}

func TestProgressPlainLinesAreFew(t *testing.T) {
	f := hubtest.New(t)
	f.AddCommit("Qwen/Qwen3-0.6B", qwenLike())
	h := newTestHub(t, f)
	var buf bytes.Buffer
	h.Progress = &buf
	if _, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// One line per file and a summary; periodic total lines come at most
	// every 10 s, which this pull does not last.
	if len(lines) != len(qwenWanted)+1 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	if !strings.Contains(buf.String(), "model.safetensors") || !strings.Contains(lines[len(lines)-1], "10 files") {
		t.Fatalf("output:\n%s", buf.String())
	}
	if strings.Contains(buf.String(), "\x1b[") {
		t.Fatal("terminal escapes in plain output")
	}
}

// Two pulls of one model into one cache at once (two processes, or Python
// beside Ferrum) serialise on the blob locks and both succeed.
func TestConcurrentPullsShareTheCache(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	f.AddCommit("Qwen/Qwen3-0.6B", files)
	h1 := newTestHub(t, f)
	h2 := New(Config{Endpoint: f.URL, CacheDir: h1.Cache.Dir})
	errs := make(chan error, 2)
	for _, h := range []*Hub{h1, h2} {
		go func() {
			_, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	p, err := h1.ResolveCached(Ref{Repo: "Qwen/Qwen3-0.6B"})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(p, "model.safetensors")); string(b) != files["model.safetensors"] {
		t.Fatal("content differs")
	}
}

// A connection that hangs mid-body is dropped after StallTimeout and the
// transfer resumes.
func TestStalledTransferResumes(t *testing.T) {
	f := hubtest.New(t)
	files := qwenLike()
	f.AddCommit("Qwen/Qwen3-0.6B", files)
	data := []byte(files["model.safetensors"])
	f.StallAfter(sha256Hex(data), 1000)
	h := newTestHub(t, f)
	h.StallTimeout = 200 * time.Millisecond
	res, err := h.Pull(context.Background(), "Qwen/Qwen3-0.6B")
	if err != nil {
		t.Fatal(err)
	}
	resumed := false
	for _, g := range f.CDNGets() {
		resumed = resumed || strings.HasPrefix(g.Range, "bytes=")
	}
	if !resumed {
		t.Fatalf("no resume after the stall: %v", f.CDNGets())
	}
	if b, _ := os.ReadFile(filepath.Join(res.Path, "model.safetensors")); !bytes.Equal(b, data) {
		t.Fatal("content differs")
	}
}
