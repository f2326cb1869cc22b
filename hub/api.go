package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ferrum-go/ferrum/internal/version"
)

// Client speaks the parts of the hub's HTTP API that downloads need.
type Client struct {
	Endpoint string       // e.g. https://huggingface.co, no trailing slash
	Token    string       // sent as "Authorization: Bearer" to Endpoint's host only
	HTTP     *http.Client // nil: a client with connect and header timeouts, no body timeout
}

// RepoInfo is the part of GET /api/models/{repo}/revision/{rev}?blobs=true
// that a download needs.
type RepoInfo struct {
	ID           string    `json:"id"`
	SHA          string    `json:"sha"` // the commit the revision points at
	LastModified time.Time `json:"lastModified"`
	Gated        any       `json:"gated"` // false, "auto" or "manual"
	Siblings     []Sibling `json:"siblings"`
}

// Sibling is one file of the repo at that commit.
type Sibling struct {
	Path   string   `json:"rfilename"`
	BlobID string   `json:"blobId"` // git SHA-1 of the file (of the pointer, for LFS files)
	Size   int64    `json:"size"`
	LFS    *LFSInfo `json:"lfs,omitempty"`
}

// LFSInfo describes a file stored in LFS; its SHA-256 is the blob's name in
// the cache and the checksum the download is verified against.
type LFSInfo struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	PointerSize int64  `json:"pointerSize"`
}

// FileMetadata is what a HEAD on resolve/{rev}/{file} says about a file.
type FileMetadata struct {
	Commit   string // X-Repo-Commit
	ETag     string // normalised X-Linked-Etag (LFS: the SHA-256), else ETag (git SHA-1)
	Size     int64  // X-Linked-Size, else Content-Length; -1 when unknown
	Location string // where to GET the content: the CDN for LFS files, else the resolve URL
}

var defaultHTTP = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	ForceAttemptHTTP2:     true,
	MaxIdleConnsPerHost:   16,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   15 * time.Second,
	ResponseHeaderTimeout: 60 * time.Second,
}}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func (c *Client) userAgent() string {
	return "ferrum/" + strings.TrimPrefix(version.String(), "ferrum ") + "; hf_hub-compatible"
}

func (c *Client) newRequest(ctx context.Context, method, u string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.userAgent())
	if c.Token != "" && sameHost(u, c.Endpoint) {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	return req, nil
}

// sameHost keeps the token away from CDNs and other hosts a redirect names.
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Host, ub.Host)
}

// escapeRepoPath escapes each segment of a path inside a repo, keeping '/'.
func escapeRepoPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// ResolveURL is the download URL of a file, as huggingface_hub's
// hf_hub_url builds it (the revision escaped whole, so refs/pr/1 works).
func (c *Client) ResolveURL(repo, rev, file string) string {
	return c.Endpoint + "/" + repo + "/resolve/" + url.PathEscape(rev) + "/" + escapeRepoPath(file)
}

// RepoInfo lists a repo's files at a revision, with sizes and LFS hashes.
func (c *Client) RepoInfo(ctx context.Context, repo, rev string) (*RepoInfo, error) {
	u := c.Endpoint + "/api/models/" + repo + "/revision/" + url.PathEscape(rev) + "?blobs=true"
	req, err := c.newRequest(ctx, http.MethodGet, u)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("listing %s@%s: %w", repo, rev, err)
	}
	defer resp.Body.Close()
	if err := checkResponse(resp, c.Token != "", repo, rev, ""); err != nil {
		return nil, err
	}
	var info RepoInfo
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("listing %s@%s: bad JSON from %s: %w", repo, rev, u, err)
	}
	if !isCommitHash(info.SHA) {
		return nil, fmt.Errorf("listing %s@%s: the hub answered commit %q, not a 40-hex-digit hash", repo, rev, info.SHA)
	}
	for _, s := range info.Siblings {
		if err := validRepoPath(s.Path); err != nil {
			return nil, fmt.Errorf("listing %s@%s: %w", repo, rev, err)
		}
	}
	return &info, nil
}

// FileMetadata asks the hub where a file is and what it is, with a HEAD
// that does not follow redirects: the LFS headers (X-Linked-Etag,
// X-Linked-Size) are on the redirect to the CDN, not on the CDN's answer.
// Relative redirects (a renamed repo) are followed, as huggingface_hub does.
func (c *Client) FileMetadata(ctx context.Context, repo, rev, file string) (*FileMetadata, error) {
	u := c.ResolveURL(repo, rev, file)
	noFollow := *c.httpClient()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for hops := 0; ; hops++ {
		req, err := c.newRequest(ctx, http.MethodHead, u)
		if err != nil {
			return nil, err
		}
		// Compressed answers would make Content-Length the compressed size.
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := noFollow.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s@%s: %s: %w", repo, rev, file, err)
		}
		resp.Body.Close()
		if err := checkResponse(resp, c.Token != "", repo, rev, file); err != nil {
			return nil, err
		}
		loc := resp.Header.Get("Location")
		isRedirect := resp.StatusCode >= 300 && resp.StatusCode < 400
		if isRedirect && strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && hops < 5 {
			base, _ := url.Parse(u)
			next, err := base.Parse(loc)
			if err != nil {
				return nil, fmt.Errorf("%s: bad redirect %q: %w", u, loc, err)
			}
			u = next.String()
			continue
		}
		return parseFileMetadata(resp, u, repo, file)
	}
}

func parseFileMetadata(resp *http.Response, u, repo, file string) (*FileMetadata, error) {
	h := resp.Header
	m := &FileMetadata{Commit: h.Get("X-Repo-Commit"), Size: -1, Location: u}
	etag := h.Get("X-Linked-Etag")
	if etag == "" {
		etag = h.Get("ETag")
	}
	m.ETag = normalizeETag(etag)
	size := h.Get("X-Linked-Size")
	if size == "" {
		size = h.Get("Content-Length")
	}
	if n, err := strconv.ParseInt(size, 10, 64); err == nil && n >= 0 {
		m.Size = n
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc := h.Get("Location")
		if loc == "" {
			return nil, fmt.Errorf("%s: redirect (HTTP %d) without a Location", u, resp.StatusCode)
		}
		base, _ := url.Parse(u)
		abs, err := base.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("%s: bad redirect %q: %w", u, loc, err)
		}
		m.Location = abs.String()
	}
	if m.ETag == "" {
		return nil, fmt.Errorf("%s: %s: the hub sent no ETag, so the file cannot be cached", repo, file)
	}
	if err := validRelPath(m.ETag); err != nil || strings.Contains(m.ETag, "/") {
		return nil, fmt.Errorf("%s: %s: ETag %q cannot name a cache blob", repo, file, m.ETag)
	}
	if !isCommitHash(m.Commit) {
		return nil, fmt.Errorf("%s: %s: the hub sent X-Repo-Commit %q, not a commit hash", repo, file, m.Commit)
	}
	return m, nil
}

// normalizeETag turns an ETag header into a blob name the way
// huggingface_hub does: drop a weak-validator W/ prefix and the quotes.
func normalizeETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}

// checkResponse turns the hub's error answers into errors that say what to
// do. The hub names the cause in X-Error-Code (RepoNotFound,
// RevisionNotFound, EntryNotFound, GatedRepo) and explains in
// X-Error-Message; a 401 without a code is what a private or missing repo
// looks like to an anonymous client.
func checkResponse(resp *http.Response, haveToken bool, repo, rev, file string) error {
	if resp.StatusCode < 400 {
		return nil
	}
	code := resp.Header.Get("X-Error-Code")
	msg := resp.Header.Get("X-Error-Message")
	herr := &HTTPError{URL: resp.Request.URL.String(), Status: resp.StatusCode, Code: code, Message: msg}
	tokenHint := "set HF_TOKEN to a token with read access"
	if haveToken {
		tokenHint = "check that HF_TOKEN is valid and its account has access"
	}
	switch {
	case code == "GatedRepo" || (resp.StatusCode == 403 && strings.Contains(strings.ToLower(msg), "gated")):
		return fmt.Errorf("%w: %s is gated: accept its license at https://huggingface.co/%s while logged in, then %s (%v)", ErrGated, repo, repo, tokenHint, herr)
	case code == "RevisionNotFound":
		return fmt.Errorf("%w: %s has no revision %q (%v)", ErrRevisionNotFound, repo, rev, herr)
	case code == "EntryNotFound" || (resp.StatusCode == 404 && file != "" && code == ""):
		return fmt.Errorf("%w: %s@%s has no file %q (%v)", ErrFileNotFound, repo, rev, file, herr)
	case code == "RepoNotFound" || resp.StatusCode == 404:
		return fmt.Errorf("%w: %s does not exist on the hub, or it is private or gated: %s (%v)", ErrRepoNotFound, repo, tokenHint, herr)
	case resp.StatusCode == 401 || resp.StatusCode == 403:
		return fmt.Errorf("%w: %s: %s (%v)", ErrUnauthorized, repo, tokenHint, herr)
	}
	return herr
}

// IsAuthError reports whether err means the hub wants credentials, so
// callers can tell the user about HF_TOKEN.
func IsAuthError(err error) bool {
	return errors.Is(err, ErrGated) || errors.Is(err, ErrUnauthorized)
}
