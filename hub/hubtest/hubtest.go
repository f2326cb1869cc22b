// Package hubtest is a fake Hugging Face Hub for tests: an httptest server
// that answers the revision API, HEAD/GET on resolve/{rev}/{path} with the
// hub's headers and errors, and a CDN on another host that serves LFS
// content with Range, and can cut a transfer or corrupt it on request.
package hubtest

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Hub answers like huggingface.co for the calls Ferrum makes: the
// revision API with ?blobs=true, HEAD/GET on resolve/{rev}/{path} (302 to a
// CDN on another host for LFS files, with X-Linked-Etag/X-Linked-Size on the
// redirect), error headers X-Error-Code/X-Error-Message, gated and private
// repos, renamed repos (relative 307), and a CDN that honours Range and can
// be told to cut a transfer or corrupt it.
type Hub struct {
	URL    string // the hub endpoint, for HF_ENDPOINT
	CDNURL string // where LFS files are served from
	Token  string // the one token the hub accepts (for gated and private repos)

	hub *httptest.Server
	cdn *httptest.Server

	mu         sync.Mutex
	repos      map[string]*Repo
	renamed    map[string]string // old repo id -> new
	log        []Request
	cutAfter   map[string][]int // sha256 -> bytes to send before cutting, one entry per GET
	stallAfter map[string][]int // sha256 -> bytes to send before hanging, one entry per GET
	corrupt    map[string]bool  // sha256 -> serve different bytes
	noRange    bool             // the CDN ignores Range, answering 200 with everything
}

type Repo struct {
	Gated   bool                       // files need the token (401 without, 403 with another)
	Private bool                       // everything needs the token; others see RepoNotFound
	Refs    map[string]string          // branch/tag -> commit
	Commits map[string]map[string]File // commit -> path -> file
}

// File is one file of a commit.
type File struct {
	Data     []byte
	LFS      bool // stored in LFS: 302 to the CDN, X-Linked-Etag is its SHA-256
	WeakETag bool // answer with W/"..." as proxies sometimes rewrite it
}

// Request is what the fake saw of one request.
type Request struct {
	Method, Host, Path, Range, Auth, AcceptEncoding string
}

// New starts a fake hub (and its CDN) closed when the test ends.
func New(t testing.TB) *Hub {
	f := &Hub{Token: "hf_good", repos: map[string]*Repo{}, renamed: map[string]string{},
		cutAfter: map[string][]int{}, stallAfter: map[string][]int{}, corrupt: map[string]bool{}}
	f.hub = httptest.NewServer(http.HandlerFunc(f.serveHub))
	f.cdn = httptest.NewServer(http.HandlerFunc(f.serveCDN))
	f.URL, f.CDNURL = f.hub.URL, f.cdn.URL
	t.Cleanup(func() { f.hub.Close(); f.cdn.Close() })
	return f
}

// AddCommit adds a commit with these files to repo on branch "main" and
// returns its hash. LFS is used for weights, as the hub's .gitattributes do.
func (f *Hub) AddCommit(repo string, files map[string]string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.repos[repo]
	if r == nil {
		r = &Repo{Refs: map[string]string{}, Commits: map[string]map[string]File{}}
		f.repos[repo] = r
	}
	h := sha1.New()
	fmt.Fprintf(h, "%s %d", repo, len(r.Commits))
	commit := hex.EncodeToString(h.Sum(nil))
	fs := map[string]File{}
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
		fs[p] = File{Data: []byte(files[p]), LFS: lfs}
	}
	r.Commits[commit] = fs
	r.Refs["main"] = commit
	return commit
}

// Repo returns a repo to change (Gated, Private, Refs, Commits) before
// requests are made; nil if absent.
func (f *Hub) Repo(id string) *Repo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.repos[id]
}

// GitSHA1 is the git blob id of data: the hub's ETag for a non-LFS file.
func GitSHA1(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// SHA256Hex is the hex SHA-256 of data: the hub's ETag for an LFS file.
func SHA256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// pointer is the git-LFS pointer file the repo stores in place of the data.
func pointer(data []byte) []byte {
	return []byte(fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", SHA256Hex(data), len(data)))
}

func (f *Hub) record(r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Range: r.Header.Get("Range"),
		Auth: r.Header.Get("Authorization"), AcceptEncoding: r.Header.Get("Accept-Encoding")})
}

// Requests returns every request so far, hub and CDN.
func (f *Hub) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.log...)
}

// CDNGets returns the CDN GETs so far.
func (f *Hub) CDNGets() []Request {
	var out []Request
	for _, r := range f.Requests() {
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

func (f *Hub) authOK(r *http.Request) bool {
	return r.Header.Get("Authorization") == "Bearer "+f.Token
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
func (f *Hub) lookup(w http.ResponseWriter, r *http.Request, id, rev string) (*Repo, string, bool) {
	repo := f.Repo(id)
	if repo == nil || repo.Private && !f.authOK(r) {
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
	if c, ok := repo.Refs[rev]; ok {
		commit = c
	}
	if _, ok := repo.Commits[commit]; !ok {
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rev)
		return nil, "", false
	}
	return repo, commit, true
}

func (f *Hub) serveHub(w http.ResponseWriter, r *http.Request) {
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
		for p, file := range repo.Commits[commit] {
			s := sib{RFilename: p, BlobID: GitSHA1(file.Data), Size: len(file.Data)}
			if file.LFS {
				ptr := pointer(file.Data)
				s.BlobID = GitSHA1(ptr)
				s.LFS = &lfs{SHA256: SHA256Hex(file.Data), Size: len(file.Data), PointerSize: len(ptr)}
			}
			sibs = append(sibs, s)
		}
		sort.Slice(sibs, func(i, j int) bool { return sibs[i].RFilename < sibs[j].RFilename })
		gated := any(false)
		if repo.Gated {
			gated = "manual"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"_id": "x", "id": id, "modelId": id, "sha": commit,
			"lastModified": "2025-07-26T03:26:47.000Z", "private": repo.Private, "gated": gated, "siblings": sibs})
		return
	}
	// GET /api/models/{org}/{name}/tree/{rev}[/{path}]?recursive=true and
	// POST /api/models/{org}/{name}/paths-info/{rev} {"paths": [...]}, the
	// listings huggingface.js uses.
	if len(segs) >= 6 && segs[0] == "api" && segs[1] == "models" && (segs[4] == "tree" || segs[4] == "paths-info") {
		id := segs[2] + "/" + segs[3]
		repo, commit, ok := f.lookup(w, r, id, segs[5])
		if !ok {
			return
		}
		var want func(p string) bool
		if segs[4] == "tree" {
			prefix := strings.Join(segs[6:], "/")
			recursive := r.URL.Query().Get("recursive") == "true"
			want = func(p string) bool {
				rest, ok := strings.CutPrefix(p, prefix)
				if prefix != "" {
					ok = ok && strings.HasPrefix(rest, "/")
					rest = strings.TrimPrefix(rest, "/")
				}
				return ok && (recursive || !strings.Contains(rest, "/"))
			}
		} else {
			var body struct {
				Paths []string `json:"paths"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				hubError(w, http.StatusBadRequest, "", err.Error())
				return
			}
			set := map[string]bool{}
			for _, p := range body.Paths {
				set[p] = true
			}
			want = func(p string) bool { return set[p] }
		}
		json.NewEncoder(w).Encode(treeEntries(repo.Commits[commit], commit, want))
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
		if repo.Gated && !f.authOK(r) {
			status := http.StatusUnauthorized
			if r.Header.Get("Authorization") != "" {
				status = http.StatusForbidden
			}
			hubError(w, status, "GatedRepo", "Access to model "+id+" is restricted and you are not in the authorized list. Visit https://huggingface.co/"+id+" to ask for access.")
			return
		}
		file, ok := repo.Commits[commit][strings.Join(segs[4:], "/")]
		if !ok {
			hubError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
			return
		}
		w.Header().Set("X-Repo-Commit", commit)
		if file.LFS {
			sum := SHA256Hex(file.Data)
			w.Header().Set("ETag", `"`+GitSHA1(pointer(file.Data))+`"`)
			w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
			w.Header().Set("X-Linked-Size", strconv.Itoa(len(file.Data)))
			w.Header().Set("Location", f.cdn.URL+"/cdn/"+sum+"?X-Amz-Signature=abc")
			w.WriteHeader(http.StatusFound)
			return
		}
		etag := `"` + GitSHA1(file.Data) + `"`
		if file.WeakETag {
			etag = "W/" + etag
		}
		w.Header().Set("ETag", etag)
		serveBytes(w, r, file.Data, true, -1)
		return
	}
	hubError(w, http.StatusNotFound, "", "no such endpoint "+r.URL.Path)
}

// serveCDN serves LFS content by SHA-256, with Range, cuts and corruption.
func (f *Hub) serveCDN(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	sum := strings.TrimPrefix(r.URL.Path, "/cdn/")
	var data []byte
	f.mu.Lock()
	for _, repo := range f.repos {
		for _, files := range repo.Commits {
			for _, file := range files {
				if file.LFS && SHA256Hex(file.Data) == sum {
					data = file.Data
				}
			}
		}
	}
	cut := -1
	if cuts := f.cutAfter[sum]; len(cuts) > 0 {
		cut, f.cutAfter[sum] = cuts[0], cuts[1:]
	}
	stall := -1
	if stalls := f.stallAfter[sum]; len(stalls) > 0 {
		stall, f.stallAfter[sum] = stalls[0], stalls[1:]
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
	// A CDN's own ETag (S3's is an MD5), which a client must not take for
	// the blob's name.
	md := md5.Sum(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(md[:])+`"`)
	if stall >= 0 {
		serveStalled(w, r, data, stall)
		return
	}
	serveBytes(w, r, data, !noRange, cut)
}

// serveStalled sends the first n bytes, then nothing until the client
// gives up, as a connection that hangs does.
func serveStalled(w http.ResponseWriter, r *http.Request, data []byte, n int) {
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data[:min(n, len(data))])
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// serveBytes answers a GET as the hub and its CDN do: a satisfiable
// "bytes=A-" or "bytes=A-B" Range gets 206 with Content-Range, one past the
// end gets 416, anything else the whole body. cut >= 0 drops the
// connection after that many body bytes.
func serveBytes(w http.ResponseWriter, r *http.Request, data []byte, honourRange bool, cut int) {
	body := data
	if a, b, ok := parseRange(r.Header.Get("Range")); ok && honourRange {
		if a >= len(data) {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		if b < 0 || b >= len(data) {
			b = len(data) - 1
		}
		body = data[a : b+1]
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, len(data)))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	if r.Method == http.MethodHead {
		return
	}
	if cut >= 0 && cut < len(body) {
		w.Write(body[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}
	w.Write(body)
}

// parseRange reads "bytes=A-" (b = -1) or "bytes=A-B".
func parseRange(h string) (a, b int, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found {
		return 0, 0, false
	}
	from, to, found := strings.Cut(spec, "-")
	a, err := strconv.Atoi(from)
	if !found || err != nil || a < 0 {
		return 0, 0, false
	}
	if to == "" {
		return a, -1, true
	}
	b, err = strconv.Atoi(to)
	if err != nil || b < a {
		return 0, 0, false
	}
	return a, b, true
}

// CutAfter makes the next GETs of the LFS file with this SHA-256 drop the
// connection after so many body bytes, one count per GET.
func (f *Hub) CutAfter(sum string, counts ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cutAfter[sum] = append(f.cutAfter[sum], counts...)
}

// StallAfter makes the next GETs of the LFS file with this SHA-256 send so
// many bytes (of a full, un-ranged answer) and then hang until the client
// gives up, one count per GET.
func (f *Hub) StallAfter(sum string, counts ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stallAfter[sum] = append(f.stallAfter[sum], counts...)
}

// Corrupt makes the CDN serve the LFS file with this SHA-256 with one byte
// flipped (or, with false, correctly again).
func (f *Hub) Corrupt(sum string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.corrupt[sum] = on
}

// IgnoreRange makes the CDN answer 200 with the whole file to Range requests.
func (f *Hub) IgnoreRange(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.noRange = on
}

// Rename makes requests for old answer with a relative redirect to new, as
// the hub does for renamed repos.
func (f *Hub) Rename(old, new string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renamed[old] = new
}

// WriteCache writes, by hand, one commit of a repo into a cache as
// huggingface_hub leaves it (for example after SentenceTransformer(...)): blobs named by ETag,
// refs/main without a newline, relative links (one level deeper for
// 1_Pooling), a .no_exist marker, a lock, and a dataset beside it.
func WriteCache(t testing.TB, dir, repo, commit string, files map[string]string) {
	t.Helper()
	rd := filepath.Join(dir, "models--"+strings.ReplaceAll(repo, "/", "--"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for p, content := range files {
		data := []byte(content)
		etag := GitSHA1(data)
		if strings.HasSuffix(p, ".safetensors") || strings.HasSuffix(p, ".gguf") {
			etag = SHA256Hex(data)
		}
		must(os.MkdirAll(filepath.Join(rd, "blobs"), 0o755))
		must(os.WriteFile(filepath.Join(rd, "blobs", etag), data, 0o644))
		link := filepath.Join(rd, "snapshots", commit, filepath.FromSlash(p))
		must(os.MkdirAll(filepath.Dir(link), 0o755))
		must(os.Symlink(strings.Repeat("../", strings.Count(p, "/")+2)+"blobs/"+etag, link))
	}
	must(os.MkdirAll(filepath.Join(rd, "refs"), 0o755))
	must(os.WriteFile(filepath.Join(rd, "refs", "main"), []byte(commit), 0o644))
	must(os.MkdirAll(filepath.Join(rd, ".no_exist", commit), 0o755))
	must(os.WriteFile(filepath.Join(rd, ".no_exist", commit, "adapter_config.json"), nil, 0o644))
	must(os.MkdirAll(filepath.Join(dir, ".locks", "models--"+strings.ReplaceAll(repo, "/", "--")), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "datasets--org--data", "snapshots"), 0o755))
}

// treeEntries lists files and the folders above them as the tree API does:
// oid is the git blob id (of the pointer for LFS files), lfs.oid the SHA-256.
func treeEntries(files map[string]File, commit string, want func(string) bool) []map[string]any {
	var out []map[string]any
	dirs := map[string]bool{}
	var paths []string
	for p := range files {
		paths = append(paths, p)
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for d := range dirs {
		if want(d) {
			out = append(out, map[string]any{"type": "directory", "oid": GitSHA1([]byte(d)), "size": 0, "path": d})
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		if !want(p) {
			continue
		}
		file := files[p]
		e := map[string]any{"type": "file", "oid": GitSHA1(file.Data), "size": len(file.Data), "path": p,
			"lastCommit": map[string]any{"id": commit, "title": "upload", "date": "2025-07-26T03:26:47.000Z"}}
		if file.LFS {
			ptr := pointer(file.Data)
			e["oid"] = GitSHA1(ptr)
			e["lfs"] = map[string]any{"oid": SHA256Hex(file.Data), "size": len(file.Data), "pointerSize": len(ptr)}
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i]["path"].(string) < out[j]["path"].(string) })
	return out
}
