package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// fetchFile makes snapshots/<commit>/<file> point at a complete, verified
// blob, downloading it unless some revision already holds that blob.
func (h *Hub) fetchFile(ctx context.Context, repo, commit, file string, sib *Sibling, bar *fileBar) error {
	if h.Cache.hasFile(repo, commit, file) {
		if fi, err := os.Stat(h.Cache.pointerPath(repo, commit, file)); err == nil {
			bar.setSize(fi.Size())
			bar.setBytes(fi.Size())
		}
		bar.setState(barCached)
		return nil
	}
	meta, err := h.Client.FileMetadata(ctx, repo, commit, file)
	if err != nil {
		return err
	}
	if meta.Commit != commit {
		return fmt.Errorf("%s: %s: the hub answered for commit %s while %s was asked for", repo, file, meta.Commit, commit)
	}
	if meta.Size >= 0 {
		bar.setSize(meta.Size)
	}
	blob := h.Cache.blobPath(repo, meta.ETag)
	if fi, err := os.Stat(blob); err == nil && (meta.Size < 0 || fi.Size() == meta.Size) {
		bar.setBytes(fi.Size())
		bar.setState(barCached)
		return h.Cache.link(repo, commit, file, meta.ETag)
	}

	unlock, err := lockFile(ctx, h.Cache.lockPath(repo, meta.ETag))
	if err != nil {
		return fmt.Errorf("%s: %s: locking the blob: %w", repo, file, err)
	}
	defer unlock()
	// Someone (another ferrum, or Python) may have finished it meanwhile.
	if fi, err := os.Stat(blob); err == nil && (meta.Size < 0 || fi.Size() == meta.Size) {
		bar.setBytes(fi.Size())
		bar.setState(barCached)
		return h.Cache.link(repo, commit, file, meta.ETag)
	}
	bar.setState(barActive)
	if err := h.downloadBlob(ctx, repo, file, meta, expectedSum(meta, sib), bar); err != nil {
		bar.setState(barFailed)
		return err
	}
	bar.setState(barDone)
	return h.Cache.link(repo, commit, file, meta.ETag)
}

// checksum is what a blob must hash to: the LFS SHA-256 (which is the ETag
// the hub sends for LFS files), or the git blob SHA-1 of a regular file
// when the listing's blob id agrees with the ETag.
type checksum struct {
	kind string // "sha256", "git-sha1" or "" (not checked)
	want string
}

func expectedSum(meta *FileMetadata, sib *Sibling) checksum {
	if isHex(meta.ETag, 64) {
		return checksum{"sha256", strings.ToLower(meta.ETag)}
	}
	if sib != nil && sib.LFS != nil && isHex(sib.LFS.SHA256, 64) {
		return checksum{"sha256", strings.ToLower(sib.LFS.SHA256)}
	}
	if isHex(meta.ETag, 40) && sib != nil && strings.EqualFold(sib.BlobID, meta.ETag) && meta.Size >= 0 {
		return checksum{"git-sha1", strings.ToLower(meta.ETag)}
	}
	return checksum{}
}

func (c checksum) newHash(size int64) hash.Hash {
	switch c.kind {
	case "sha256":
		return sha256.New()
	case "git-sha1":
		h := sha1.New()
		fmt.Fprintf(h, "blob %d\x00", size)
		return h
	}
	return nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// blobWriter appends to a partial blob and hashes what it holds, so a
// resumed download is verified over the whole file.
type blobWriter struct {
	f    *os.File
	sum  checksum
	size int64
	h    hash.Hash // nil when there is nothing to check
	n    int64     // bytes in f
}

func (w *blobWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if w.h != nil {
		w.h.Write(p[:n])
	}
	w.n += int64(n)
	return n, err
}

func (w *blobWriter) reset() error {
	if err := w.f.Truncate(0); err != nil {
		return err
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w.h = w.sum.newHash(w.size)
	w.n = 0
	return nil
}

// downloadBlob fills blobs/<etag>.incomplete, resuming from its size with a
// Range request and retrying interrupted transfers, then verifies it and
// renames it to blobs/<etag>. A checksum mismatch removes the partial file:
// resuming bad bytes would never succeed.
func (h *Hub) downloadBlob(ctx context.Context, repo, file string, meta *FileMetadata, sum checksum, bar *fileBar) error {
	partial := h.Cache.incompletePath(repo, meta.ETag)
	if err := os.MkdirAll(filepath.Dir(partial), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()

	w := &blobWriter{f: f, sum: sum, size: meta.Size, h: sum.newHash(meta.Size)}
	if w.n, err = f.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	if meta.Size >= 0 && w.n > meta.Size {
		if err := w.reset(); err != nil {
			return err
		}
	}
	if w.h != nil && w.n > 0 {
		if _, err := io.Copy(w.h, io.NewSectionReader(f, 0, w.n)); err != nil {
			return fmt.Errorf("%s: %s: reading partial download %s: %w", repo, file, partial, err)
		}
	}
	bar.setBytes(w.n)

	delay := h.retryDelay()
	for attempt := 1; meta.Size < 0 || w.n != meta.Size; attempt++ {
		complete, err := h.getRange(ctx, meta.Location, w, bar, repo, file)
		if err == nil && (complete || meta.Size < 0) {
			break
		}
		if err == nil {
			err = fmt.Errorf("the transfer ended early")
		}
		if isFatal(err) || ctx.Err() != nil || attempt >= h.maxAttempts() {
			return fmt.Errorf("%s: %s: download stopped at %s of %s after %d attempts: %w (the partial file %s is kept; run again to resume)",
				repo, file, HumanBytes(w.n), HumanBytes(meta.Size), attempt, err, partial)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}

	if meta.Size >= 0 && w.n != meta.Size {
		return fmt.Errorf("%s: %s: downloaded %d bytes, the hub announced %d", repo, file, w.n, meta.Size)
	}
	if w.h != nil {
		if got := hex.EncodeToString(w.h.Sum(nil)); got != sum.want {
			f.Close()
			os.Remove(partial)
			return fmt.Errorf("%w: %s: %s: %s is %s, the hub says %s; the download was removed, run again to fetch it anew",
				ErrChecksum, repo, file, sum.kind, got, sum.want)
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(partial, h.Cache.blobPath(repo, meta.ETag))
}

// fatalError marks answers that retrying cannot fix (4xx).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func isFatal(err error) bool {
	var fe *fatalError
	return errors.As(err, &fe) || errors.Is(err, fs.ErrPermission)
}

// getRange GETs u from w's current size and appends to w. It reports
// whether the body was as long as the server said. A server that ignores
// Range (200 instead of 206) restarts the file from byte 0.
func (h *Hub) getRange(ctx context.Context, u string, w *blobWriter, bar *fileBar, repo, file string) (bool, error) {
	// A connection that stays open but sends nothing would hang forever:
	// a watchdog cancels the request when no byte came for StallTimeout,
	// and the retry resumes where it stopped.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stalled atomic.Bool
	watchdog := time.AfterFunc(h.stallTimeout(), func() { stalled.Store(true); cancel() })
	defer watchdog.Stop()
	complete, err := h.getRangeWatched(ctx, u, w, bar, repo, file, func() { watchdog.Reset(h.stallTimeout()) })
	if err != nil && stalled.Load() {
		err = fmt.Errorf("no data for %s: %w", h.stallTimeout(), err)
	}
	return complete, err
}

func (h *Hub) getRangeWatched(ctx context.Context, u string, w *blobWriter, bar *fileBar, repo, file string, alive func()) (bool, error) {
	req, err := h.Client.newRequest(ctx, http.MethodGet, u)
	if err != nil {
		return false, &fatalError{err}
	}
	req.Header.Set("Accept-Encoding", "identity")
	if w.n > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(w.n, 10)+"-")
	}
	resp, err := h.Client.httpClient().Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		start, _, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != w.n {
			return false, fmt.Errorf("asked for bytes from %d, got Content-Range %q", w.n, resp.Header.Get("Content-Range"))
		}
	case resp.StatusCode == http.StatusOK:
		if w.n > 0 {
			if err := w.reset(); err != nil {
				return false, &fatalError{err}
			}
			bar.setBytes(0)
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		// The partial file is as long as the file or longer: start over;
		// the size check and the checksum decide the next time.
		from := w.n
		if err := w.reset(); err != nil {
			return false, &fatalError{err}
		}
		bar.setBytes(0)
		return false, fmt.Errorf("HTTP 416 for a resume from byte %d", from)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return false, fmt.Errorf("HTTP %d from %s", resp.StatusCode, u)
	default:
		if err := checkResponse(resp, h.Client.Token != "", repo, "", file); err != nil {
			return false, &fatalError{err}
		}
		return false, &fatalError{fmt.Errorf("unexpected HTTP %d from %s", resp.StatusCode, u)}
	}
	n, err := io.Copy(w, &countingReader{r: resp.Body, bar: bar, alive: alive})
	return err == nil && (resp.ContentLength < 0 || n == resp.ContentLength), err
}

type countingReader struct {
	r     io.Reader
	bar   *fileBar
	alive func()
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.alive()
	}
	c.bar.addBytes(int64(n))
	return n, err
}

// parseContentRange reads "bytes START-END/SIZE" (SIZE may be "*").
func parseContentRange(s string) (start, size int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, total, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false
	}
	size = -1
	if total != "*" {
		if size, err = strconv.ParseInt(total, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, size, true
}
