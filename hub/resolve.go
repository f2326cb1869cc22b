package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// ResolveOptions say what Resolve may do beyond looking in the cache.
type ResolveOptions struct {
	// Download fetches what the cache lacks. Ignored (treated as false)
	// when the Hub is offline.
	Download bool
	// Progress receives download progress (usually os.Stderr); nil is silent.
	Progress io.Writer
	// Hub to use; nil means FromEnv().
	Hub *Hub
}

// Resolve turns MODEL into a local path that the loaders open:
//
//   - an existing file or folder is returned as given;
//   - a repo id or alias resolves to its snapshot folder in the cache;
//   - a GGUF ref (org/name:file.gguf, org/name:Q4_K_M, alias-q4_k_m)
//     resolves to the GGUF file (the first part of a split GGUF).
//
// A model found whole in the cache is returned without contacting the hub.
// Otherwise it is downloaded when opts.Download is set and the hub is not
// offline; else the error says how to get it.
func Resolve(ctx context.Context, model string, opts ResolveOptions) (string, error) {
	if strings.HasPrefix(model, "~/") {
		model = expandHome(model) // quoted, so the shell left it alone
	}
	if _, err := os.Stat(model); err == nil {
		return model, nil
	}
	if looksLikePath(model) {
		return "", fmt.Errorf("model %q: no such file or directory", model)
	}
	ref, err := ParseRef(model)
	if err != nil {
		return "", err
	}
	h := opts.Hub
	if h == nil {
		h = FromEnv()
	}
	p, cacheErr := h.ResolveCached(ref)
	if cacheErr == nil {
		return p, nil
	}
	if !errors.Is(cacheErr, ErrNotCached) {
		return "", cacheErr
	}
	reason := ""
	var nc *notCachedError
	if errors.As(cacheErr, &nc) {
		reason = nc.why + "; "
	}
	if h.Offline {
		return "", &notCachedError{what: ref.String(), cacheDir: h.Cache.Dir, why: reason + "HF_HUB_OFFLINE is set, so nothing is downloaded; unset it or run `ferrum pull " + model + "` while online"}
	}
	if !opts.Download {
		return "", &notCachedError{what: ref.String(), cacheDir: h.Cache.Dir, why: reason + "run `ferrum pull " + model + "` first"}
	}
	hh := *h
	hh.Progress = opts.Progress
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "pulling %s from %s into %s\n", ref, h.Client.Endpoint, h.Cache.Dir)
	}
	res, err := hh.PullRef(ctx, ref)
	if err != nil {
		return "", err
	}
	return res.Path, nil
}

// looksLikePath catches what the user meant as a path, so that a typo gets
// "no such file" rather than a hub lookup.
func looksLikePath(s string) bool {
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "~") || s == "." || s == ".." {
		return true
	}
	return !strings.Contains(s, ":") && (isGGUF(s) || strings.HasSuffix(s, ".safetensors"))
}

// ResolveCached finds a ref in the cache without the network. It returns
// an error wrapping ErrNotCached when the revision, the snapshot or any
// file the model needs is missing.
func (h *Hub) ResolveCached(ref Ref) (string, error) {
	commit, err := h.Cache.ResolveRevision(ref.Repo, ref.Rev())
	if err != nil {
		return "", err
	}
	files, err := h.Cache.SnapshotFiles(ref.Repo, commit)
	if err != nil {
		return "", err
	}
	missing := func(why string) error {
		return &notCachedError{what: ref.String(), cacheDir: h.Cache.Dir, why: why}
	}
	if ref.File != "" && !isGGUF(ref.File) {
		if h.Cache.hasFile(ref.Repo, commit, ref.File) {
			return h.Cache.pointerPath(ref.Repo, commit, ref.File), nil
		}
		return "", missing("the snapshot lacks " + ref.File)
	}
	if ref.GGUF() || (!hasSafetensors(files) && len(ggufFiles(files)) > 0) {
		parts, err := selectGGUF(ref, files)
		if err != nil {
			return "", missing(err.Error())
		}
		return h.Cache.pointerPath(ref.Repo, commit, parts[0]), nil
	}
	if why := h.incompleteModel(ref.Repo, commit, files); why != "" {
		return "", missing(why)
	}
	return h.Cache.SnapshotDir(ref.Repo, commit), nil
}

// incompleteModel says why a cached snapshot cannot load as a safetensors
// model — Python tools often cache just config.json or a tokenizer — or ""
// when config.json and every weight shard are there.
func (h *Hub) incompleteModel(repo, commit string, files []string) string {
	has := map[string]bool{}
	for _, f := range files {
		has[f] = true
	}
	if !has["config.json"] {
		return "the snapshot has no config.json"
	}
	if has["model.safetensors"] {
		return ""
	}
	if has["model.safetensors.index.json"] {
		b, err := os.ReadFile(h.Cache.pointerPath(repo, commit, "model.safetensors.index.json"))
		if err != nil {
			return err.Error()
		}
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if err := json.Unmarshal(b, &idx); err != nil {
			return "model.safetensors.index.json: " + err.Error()
		}
		for _, shard := range idx.WeightMap {
			if !has[path.Clean(shard)] {
				return "the snapshot lacks shard " + shard
			}
		}
		return ""
	}
	if hasSafetensors(files) {
		return ""
	}
	return "the snapshot has no .safetensors weights"
}
