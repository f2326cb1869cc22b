package hub

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeHub answers like huggingface.co for the calls Ferrum makes: the
// revision API with ?blobs=true, HEAD/GET on resolve/{rev}/{path} (302 to a
// CDN on another host for LFS files, with X-Linked-Etag/X-Linked-Size on the
// redirect), error headers X-Error-Code/X-Error-Message, gated and private
// repos, renamed repos (relative 307), and a CDN that honours Range and can
// be told to cut a transfer or corrupt it.
type fakeHub struct {
	t   *testing.T
	hub *httptest.Server
	cdn *httptest.Server

	mu       sync.Mutex
	repos    map[string]*fakeRepo
	renamed  map[string]string // old repo id -> new
	token    string            // the one valid token
	log      []fakeRequest
	cutAfter map[string][]int // sha256 -> bytes to send before cutting, one entry per GET
	corrupt  map[string]bool  // sha256 -> serve different bytes
	noRange  bool             // the CDN ignores Range, answering 200 with everything
}

type fakeRepo struct {
	gated, private bool
	refs           map[string]string              // branch/tag -> commit
	commits        map[string]map[string]fakeFile // commit -> path -> file
}

type fakeFile struct {
	data     []byte
	lfs      bool
	weakETag bool // answer with W/"..." as proxies sometimes rewrite it
}

type fakeRequest struct {
	Method, Host, Path, Range, Auth, AcceptEncoding string
}

func newFakeHub(t *testing.T) *fakeHub {
	f := &fakeHub{t: t, repos: map[string]*fakeRepo{}, renamed: map[string]string{}, token: "hf_good",
		cutAfter: map[string][]int{}, corrupt: map[string]bool{}}
	f.hub = httptest.NewServer(http.HandlerFunc(f.serveHub))
	f.cdn = httptest.NewServer(http.HandlerFunc(f.serveCDN))
	t.Cleanup(func() { f.hub.Close(); f.cdn.Close() })
	return f
}

// addCommit adds a commit with these files to repo on branch "main" and
// returns its hash. LFS is used for weights, as the hub's .gitattributes do.
func (f *fakeHub) addCommit(repo string, files map[string]string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.repos[repo]
	if r == nil {
		r = &fakeRepo{refs: map[string]string{}, commits: map[string]map[string]fakeFile{}}
		f.repos[repo] = r
	}
	h := sha1.New()
	fmt.Fprintf(h, "%s %d", repo, len(r.commits))
	commit := hex.EncodeToString(h.Sum(nil))
	fs := map[string]fakeFile{}
	var names []string
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		lfs := false
		for _, ext := range []string{".safetensors", ".gguf", ".bin", ".onnx", ".pth"} {
			lfs = lfs || strings.HasSuffix(p, ext)
		}
		fs[p] = fakeFile{data: []byte(files[p]), lfs: lfs}
	}
	r.commits[commit] = fs
	r.refs["main"] = commit
	return commit
}

func (f *fakeHub) repo(id string) *fakeRepo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.repos[id]
}

func gitSHA1(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// pointer is the git-LFS pointer file the repo stores in place of the data.
func pointer(data []byte) []byte {
	return []byte(fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", sha256Hex(data), len(data)))
}

func (f *fakeHub) record(r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fakeRequest{Method: r.Method, Host: r.Host, Path: r.URL.Path, Range: r.Header.Get("Range"),
		Auth: r.Header.Get("Authorization"), AcceptEncoding: r.Header.Get("Accept-Encoding")})
}

func (f *fakeHub) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.log...)
}

// cdnGets returns the CDN GETs so far.
func (f *fakeHub) cdnGets() []fakeRequest {
	var out []fakeRequest
	for _, r := range f.requests() {
		if strings.HasPrefix(r.Path, "/cdn/") {
			out = append(out, r)
		}
	}
	return out
}

func hubError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Error-Code", code)
	w.Header().Set("X-Error-Message", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (f *fakeHub) authOK(r *http.Request) bool {
	return r.Header.Get("Authorization") == "Bearer "+f.token
}

// splitEscaped splits the escaped path so that %2F inside a revision stays
// one segment, as on the hub.
func splitEscaped(r *http.Request) []string {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	return segs
}

// lookup finds repo and revision, answering the hub's errors itself.
func (f *fakeHub) lookup(w http.ResponseWriter, r *http.Request, id, rev string) (*fakeRepo, string, bool) {
	repo := f.repo(id)
	if repo == nil || repo.private && !f.authOK(r) {
		// The hub does not reveal whether a repo exists to those who may
		// not see it.
		status := http.StatusNotFound
		if r.Header.Get("Authorization") == "" {
			status = http.StatusUnauthorized
		}
		hubError(w, status, "RepoNotFound", "Repository not found")
		return nil, "", false
	}
	commit := rev
	if c, ok := repo.refs[rev]; ok {
		commit = c
	}
	if _, ok := repo.commits[commit]; !ok {
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
		return nil, "", false
	}
	return repo, commit, true
}

func (f *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	segs := splitEscaped(r)
	// GET /api/models/{org}/{name}/revision/{rev}
	if len(segs) == 6 && segs[0] == "api" && segs[1] == "models" && segs[4] == "revision" && r.Method == http.MethodGet {
		id := segs[2] + "/" + segs[3]
		repo, commit, ok := f.lookup(w, r, id, segs[5])
		if !ok {
			return
		}
		type lfs struct {
			SHA256      string `json:"sha256"`
			Size        int    `json:"size"`
			PointerSize int    `json:"pointerSize"`
		}
		type sib struct {
			RFilename string `json:"rfilename"`
			BlobID    string `json:"blobId"`
			Size      int    `json:"size"`
			LFS       *lfs   `json:"lfs,omitempty"`
		}
		var sibs []sib
		for p, file := range repo.commits[commit] {
			s := sib{RFilename: p, BlobID: gitSHA1(file.data), Size: len(file.data)}
			if file.lfs {
				ptr := pointer(file.data)
				s.BlobID = gitSHA1(ptr)
				s.LFS = &lfs{SHA256: sha256Hex(file.data), Size: len(file.data), PointerSize: len(ptr)}
			}
			sibs = append(sibs, s)
		}
		sort.Slice(sibs, func(i, j int) bool { return sibs[i].RFilename < sibs[j].RFilename })
		gated := any(false)
		if repo.gated {
			gated = "manual"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"_id": "x", "id": id, "modelId": id, "sha": commit,
			"lastModified": "2025-07-26T03:26:47.000Z", "private": repo.private, "gated": gated, "siblings": sibs})
		return
	}
	// HEAD/GET /{org}/{name}/resolve/{rev}/{path...}
	if len(segs) >= 5 && segs[2] == "resolve" {
		id := segs[0] + "/" + segs[1]
		f.mu.Lock()
		newID, moved := f.renamed[id]
		f.mu.Unlock()
		if moved {
			http.Redirect(w, r, "/"+newID+strings.TrimPrefix(r.URL.EscapedPath(), "/"+id), http.StatusTemporaryRedirect)
			return
		}
		repo, commit, ok := f.lookup(w, r, id, segs[3])
		if !ok {
			return
		}
		if repo.gated && !f.authOK(r) {
			status := http.StatusUnauthorized
			if r.Header.Get("Authorization") != "" {
				status = http.StatusForbidden
			}
			hubError(w, status, "GatedRepo", "Access to model "+id+" is restricted and you are not in the authorized list. Visit https://huggingface.co/"+id+" to ask for access.")
			return
		}
		file, ok := repo.commits[commit][strings.Join(segs[4:], "/")]
		if !ok {
			hubError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
			return
		}
		w.Header().Set("X-Repo-Commit", commit)
		if file.lfs {
			sum := sha256Hex(file.data)
			w.Header().Set("ETag", `"`+gitSHA1(pointer(file.data))+`"`)
			w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
			w.Header().Set("X-Linked-Size", strconv.Itoa(len(file.data)))
			w.Header().Set("Location", f.cdn.URL+"/cdn/"+sum+"?X-Amz-Signature=abc")
			w.WriteHeader(http.StatusFound)
			return
		}
		etag := `"` + gitSHA1(file.data) + `"`
		if file.weakETag {
			etag = "W/" + etag
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Length", strconv.Itoa(len(file.data)))
		if r.Method == http.MethodGet {
			w.Write(file.data)
		}
		return
	}
	hubError(w, http.StatusNotFound, "", "no such endpoint "+r.URL.Path)
}

// serveCDN serves LFS content by SHA-256, with Range, cuts and corruption.
func (f *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	sum := strings.TrimPrefix(r.URL.Path, "/cdn/")
	var data []byte
	f.mu.Lock()
	for _, repo := range f.repos {
		for _, files := range repo.commits {
			for _, file := range files {
				if file.lfs && sha256Hex(file.data) == sum {
					data = file.data
				}
			}
		}
	}
	cut := -1
	if cuts := f.cutAfter[sum]; len(cuts) > 0 {
		cut, f.cutAfter[sum] = cuts[0], cuts[1:]
	}
	corrupt, noRange := f.corrupt[sum], f.noRange
	f.mu.Unlock()
	if data == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if corrupt {
		data = append([]byte(nil), data...)
		data[len(data)/2] ^= 0xff
	}
	start := 0
	if rg := r.Header.Get("Range"); rg != "" && !noRange {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
		if err != nil || n < 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n >= len(data) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start = n
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(data)-1, len(data)))
	}
	body := data[start:]
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if start > 0 {
		w.WriteHeader(http.StatusPartialContent)
	}
	if cut >= 0 && cut < len(body) {
		w.Write(body[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}
	w.Write(body)
}

// newTestHub is a Hub on a fresh cache talking to the fake hub.
func (f *fakeHub) newTestHub(t *testing.T) *Hub {
	h := New(Config{Endpoint: f.hub.URL, CacheDir: t.TempDir()})
	h.RetryDelay = 1 // a nanosecond: retries must not slow the tests
	return h
}

// A listing whose paths would escape the snapshot folder is refused.
func TestHostileListingRefused(t *testing.T) {
	f := newFakeHub(t)
	commit := f.addCommit("org/m", map[string]string{"config.json": "{}"})
	f.repo("org/m").commits[commit]["../../../evil.json"] = fakeFile{data: []byte("x")}
	h := f.newTestHub(t)
	_, err := h.Pull(t.Context(), "org/m")
	if err == nil || !strings.Contains(err.Error(), "evil.json") {
		t.Fatalf("err = %v", err)
	}
}
