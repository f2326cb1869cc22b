package hub

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// CachedModel is one row of `ferrum list`: a safetensors model (a repo
// snapshot) or one GGUF model (all its parts) inside a snapshot.
type CachedModel struct {
	Name     string    `json:"name"`           // what to pass as MODEL: org/name or org/name:file.gguf
	Repo     string    `json:"repo"`           // org/name
	File     string    `json:"file,omitempty"` // GGUF rows: the (first) GGUF file
	Parts    int       `json:"parts,omitempty"`
	Size     int64     `json:"size"`     // bytes of the files the row covers
	Refs     []string  `json:"refs"`     // branches/tags pointing at Commit
	Commit   string    `json:"commit"`   // snapshot commit
	Modified time.Time `json:"modified"` // newest blob among the row's files
	Path     string    `json:"path"`     // local path of the model
	Complete bool      `json:"complete"` // loadable: nothing the model needs is missing
}

// Revision is the row's revision as people say it: its refs, else the
// short commit.
func (m CachedModel) Revision() string {
	if len(m.Refs) > 0 {
		return strings.Join(m.Refs, ",")
	}
	if len(m.Commit) > 12 {
		return m.Commit[:12]
	}
	return m.Commit
}

// List scans the cache for model repos, whoever downloaded them, sorted by
// name. Folders that are not model repos (datasets, spaces, .locks) and
// snapshots without files are skipped.
func (h *Hub) List() ([]CachedModel, error) {
	entries, err := os.ReadDir(h.Cache.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []CachedModel
	for _, e := range entries {
		repo, ok := repoFromFolder(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		refs := h.Cache.refsByCommit(repo)
		snaps, _ := os.ReadDir(filepath.Join(h.Cache.RepoDir(repo), "snapshots"))
		for _, s := range snaps {
			if !s.IsDir() {
				continue
			}
			out = append(out, h.snapshotRows(repo, s.Name(), refs[s.Name()])...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Modified.After(out[j].Modified)
	})
	return out, nil
}

// refsByCommit reads refs/ (nested names such as refs/pr/1 included).
func (c Cache) refsByCommit(repo string) map[string][]string {
	out := map[string][]string{}
	root := filepath.Join(c.RepoDir(repo), "refs")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		commit := strings.TrimSpace(string(b))
		name, _ := filepath.Rel(root, p)
		out[commit] = append(out[commit], filepath.ToSlash(name))
		return nil
	})
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

func (h *Hub) snapshotRows(repo, commit string, refs []string) []CachedModel {
	files, err := h.Cache.SnapshotFiles(repo, commit)
	if err != nil || len(files) == 0 {
		return nil
	}
	base := CachedModel{Repo: repo, Refs: refs, Commit: commit}
	if base.Refs == nil {
		base.Refs = []string{}
	}
	var rows []CachedModel
	inGGUF := map[string]bool{}
	for _, m := range ggufModels(ggufFiles(files)) {
		var parts []string
		for _, f := range ggufFiles(files) {
			if ggufModel(f) == m {
				parts = append(parts, f)
			}
		}
		sort.Strings(parts)
		r := base
		r.File, r.Parts = parts[0], len(parts)
		r.Name = repo + ":" + parts[0]
		r.Path = h.Cache.pointerPath(repo, commit, parts[0])
		r.Size, r.Modified = h.Cache.filesSize(repo, commit, parts)
		_, err := splitParts(repo, parts[0], files)
		r.Complete = err == nil
		for _, p := range parts {
			inGGUF[p] = true
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 || hasSafetensors(files) {
		var rest []string
		for _, f := range files {
			if !inGGUF[f] {
				rest = append(rest, f)
			}
		}
		r := base
		r.Name = repo
		r.Path = h.Cache.SnapshotDir(repo, commit)
		r.Size, r.Modified = h.Cache.filesSize(repo, commit, rest)
		r.Complete = h.incompleteModel(repo, commit, files) == ""
		rows = append(rows, r)
	}
	return rows
}

// filesSize adds up the blobs behind snapshot files and finds the newest.
func (c Cache) filesSize(repo, commit string, files []string) (int64, time.Time) {
	var size int64
	var newest time.Time
	for _, f := range files {
		fi, err := os.Stat(c.pointerPath(repo, commit, f))
		if err != nil {
			continue
		}
		size += fi.Size()
		if fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return size, newest
}
