package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
)

var linkSeq atomic.Int64

// Cache is a huggingface_hub cache directory (the one holding models--*).
type Cache struct {
	Dir string
}

// RepoFolderName is the cache folder of a model repo: "models--org--name".
func RepoFolderName(repo string) string {
	return "models--" + strings.ReplaceAll(repo, "/", "--")
}

// repoFromFolder inverts RepoFolderName; ok is false for datasets, spaces
// and anything else that is not a model folder.
func repoFromFolder(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "models--")
	if !ok || rest == "" {
		return "", false
	}
	return strings.ReplaceAll(rest, "--", "/"), true
}

// RepoDir is where a repo lives in the cache.
func (c Cache) RepoDir(repo string) string { return filepath.Join(c.Dir, RepoFolderName(repo)) }

func (c Cache) blobPath(repo, etag string) string {
	return filepath.Join(c.RepoDir(repo), "blobs", etag)
}

func (c Cache) incompletePath(repo, etag string) string {
	return c.blobPath(repo, etag) + ".incomplete"
}

// SnapshotDir is the folder of one commit; files in it are symlinks to blobs.
func (c Cache) SnapshotDir(repo, commit string) string {
	return filepath.Join(c.RepoDir(repo), "snapshots", commit)
}

func (c Cache) pointerPath(repo, commit, file string) string {
	return filepath.Join(c.SnapshotDir(repo, commit), filepath.FromSlash(file))
}

func (c Cache) refPath(repo, rev string) string {
	return filepath.Join(c.RepoDir(repo), "refs", filepath.FromSlash(rev))
}

// lockPath is where huggingface_hub puts its per-blob lock: outside the repo
// folder, so deleting a repo never deletes a lock someone holds.
func (c Cache) lockPath(repo, etag string) string {
	return filepath.Join(c.Dir, ".locks", RepoFolderName(repo), etag+".lock")
}

// isCommitHash reports whether rev is a full git commit id, which
// huggingface_hub uses as a snapshot name directly, without a ref file.
func isCommitHash(rev string) bool {
	if len(rev) != 40 {
		return false
	}
	for _, c := range rev {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ResolveRevision maps a branch, tag or commit to the commit whose snapshot
// the cache holds. A missing ref is ErrNotCached.
func (c Cache) ResolveRevision(repo, rev string) (string, error) {
	if isCommitHash(rev) {
		return rev, nil
	}
	if err := validRevision(rev); err != nil {
		return "", err
	}
	b, err := os.ReadFile(c.refPath(repo, rev))
	if errors.Is(err, fs.ErrNotExist) {
		return "", &notCachedError{what: repo + "@" + rev, cacheDir: c.Dir, why: "no ref " + filepath.Join(RepoFolderName(repo), "refs", rev)}
	}
	if err != nil {
		return "", err
	}
	commit := strings.TrimSpace(string(b))
	if !isCommitHash(commit) {
		return "", fmt.Errorf("cache ref %s holds %q, not a commit hash", c.refPath(repo, rev), commit)
	}
	return commit, nil
}

// writeRef records which commit a branch or tag pointed at, as
// huggingface_hub does: only for names, never for commit hashes, and with
// no trailing newline.
func (c Cache) writeRef(repo, rev, commit string) error {
	if rev == commit {
		return nil
	}
	p := c.refPath(repo, rev)
	if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(commit), 0o644)
}

// SnapshotFiles lists the repo paths (slash-separated, sorted) present in a
// snapshot. Dangling links (a blob deleted by hand) are left out.
func (c Cache) SnapshotFiles(repo, commit string) ([]string, error) {
	root := c.SnapshotDir(repo, commit)
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &notCachedError{what: repo + "@" + commit, cacheDir: c.Dir, why: "no snapshot folder"}
	}
	sort.Strings(files)
	return files, err
}

// hasFile reports whether a snapshot holds file with its content present.
func (c Cache) hasFile(repo, commit, file string) bool {
	fi, err := os.Stat(c.pointerPath(repo, commit, file))
	return err == nil && !fi.IsDir()
}

// link points snapshots/<commit>/<file> at blobs/<etag> with a relative
// symlink, as huggingface_hub does, replacing whatever was there atomically.
func (c Cache) link(repo, commit, file, etag string) error {
	ptr := c.pointerPath(repo, commit, file)
	dir := filepath.Dir(ptr)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	target, err := filepath.Rel(dir, c.blobPath(repo, etag))
	if err != nil {
		return err
	}
	if cur, err := os.Readlink(ptr); err == nil && cur == target {
		return nil
	}
	// A name of its own, so concurrent pulls never rename each other's link.
	tmp := fmt.Sprintf("%s.ferrum-link-%d-%d", ptr, os.Getpid(), linkSeq.Add(1))
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, ptr); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
