package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Removal is what `ferrum rm` will delete, worked out before anything is
// deleted so the user can confirm it.
type Removal struct {
	Repo  string
	What  string // the repo, or the GGUF file(s), in words
	Whole bool   // the whole repo folder goes
	Bytes int64  // disk space freed

	cache    Cache
	pointers []string // snapshot links to delete (not Whole)
	blobs    []string // blobs no remaining link uses (not Whole)
}

// PlanRemove works out what removing MODEL from the cache deletes: a repo
// id or alias removes the repo with all its revisions; a GGUF ref
// (org/name:file.gguf, org/name:Q4_K_M, alias-q4_k_m) removes that GGUF
// (all parts, every revision) and the blobs no other file uses. A model
// that is not cached is an error wrapping ErrNotCached.
func (h *Hub) PlanRemove(model string) (*Removal, error) {
	ref, err := ParseRef(model)
	if err != nil {
		return nil, err
	}
	c := h.Cache
	dir := c.RepoDir(ref.Repo)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, &notCachedError{what: ref.Repo, cacheDir: c.Dir, why: "`ferrum list` shows what is cached"}
	}
	r := &Removal{Repo: ref.Repo, cache: c}
	if !ref.GGUF() && ref.File == "" {
		r.Whole, r.What, r.Bytes = true, ref.Repo, diskUsage(filepath.Join(dir, "blobs"))
		return r, nil
	}

	snaps, _ := os.ReadDir(filepath.Join(dir, "snapshots"))
	removed := map[string]bool{}
	total := 0
	for _, s := range snaps {
		files, err := c.SnapshotFiles(ref.Repo, s.Name())
		if err != nil {
			continue
		}
		total += len(files)
		var sel []string
		if ref.File != "" && !isGGUF(ref.File) {
			for _, f := range files {
				if f == ref.File {
					sel = []string{f}
				}
			}
		} else if parts, err := selectGGUF(ref, files); err == nil {
			sel = parts
		}
		for _, f := range sel {
			p := c.pointerPath(ref.Repo, s.Name(), f)
			removed[p] = true
			r.pointers = append(r.pointers, p)
		}
	}
	if len(r.pointers) == 0 {
		return nil, &notCachedError{what: ref.String(), cacheDir: c.Dir, why: "the repo is cached but not this file; `ferrum list` shows what is"}
	}
	if len(r.pointers) == total {
		r.Whole, r.What, r.Bytes = true, ref.Repo+" (its only files are "+ref.String()+")", diskUsage(filepath.Join(dir, "blobs"))
		return r, nil
	}
	kept := map[string]bool{}
	for _, s := range snaps {
		filepath.WalkDir(filepath.Join(dir, "snapshots", s.Name()), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !removed[p] {
				if b, err := filepath.EvalSymlinks(p); err == nil {
					kept[b] = true
				}
			}
			return nil
		})
	}
	seen := map[string]bool{}
	for _, p := range r.pointers {
		b, err := filepath.EvalSymlinks(p)
		if err != nil || kept[b] || seen[b] || filepath.Dir(b) != filepath.Join(dir, "blobs") {
			continue
		}
		seen[b] = true
		r.blobs = append(r.blobs, b)
		if fi, err := os.Stat(b); err == nil {
			r.Bytes += fi.Size()
		}
	}
	r.What = ref.String()
	return r, nil
}

// Apply deletes what the plan names.
func (r *Removal) Apply() error {
	if r.Whole {
		if err := os.RemoveAll(r.cache.RepoDir(r.Repo)); err != nil {
			return err
		}
		os.RemoveAll(filepath.Join(r.cache.Dir, ".locks", RepoFolderName(r.Repo)))
		return nil
	}
	var errs []error
	for _, p := range r.pointers {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		removeEmptyDirs(filepath.Dir(p), filepath.Join(r.cache.RepoDir(r.Repo), "snapshots"))
	}
	for _, b := range r.blobs {
		if err := os.Remove(b); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Removal) String() string {
	return fmt.Sprintf("%s (%s)", r.What, HumanBytes(r.Bytes))
}

// removeEmptyDirs removes dir and its parents while empty, stopping at stop.
func removeEmptyDirs(dir, stop string) {
	for dir != stop && len(dir) > len(stop) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// diskUsage adds up regular files (blobs, partial downloads) under dir; the
// snapshot links take no space of their own.
func diskUsage(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
