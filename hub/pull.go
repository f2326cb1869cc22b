package hub

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

// PullResult says what a pull fetched and where it is.
type PullResult struct {
	Ref    Ref
	Commit string   // the commit the revision resolved to
	Path   string   // the snapshot folder, or the (first) GGUF file in it
	Files  []string // the repo paths pulled
	Bytes  int64    // total size of Files
}

// Pull fetches a model (see ParseRef for the forms) into the cache and
// returns where it is. Files already in the cache are not downloaded again,
// whichever tool put them there; the revision is always asked of the hub,
// so a moved branch brings the new commit.
func (h *Hub) Pull(ctx context.Context, model string) (*PullResult, error) {
	ref, err := ParseRef(model)
	if err != nil {
		return nil, err
	}
	return h.PullRef(ctx, ref)
}

// PullRef is Pull for a parsed Ref.
func (h *Hub) PullRef(ctx context.Context, ref Ref) (*PullResult, error) {
	if h.Offline {
		return nil, fmt.Errorf("cannot pull %s: HF_HUB_OFFLINE is set, so the hub is not contacted", ref)
	}
	info, err := h.Client.RepoInfo(ctx, ref.Repo, ref.Rev())
	if err != nil {
		return nil, err
	}
	files := make([]string, len(info.Siblings))
	sibs := make(map[string]*Sibling, len(info.Siblings))
	for i := range info.Siblings {
		files[i] = info.Siblings[i].Path
		sibs[files[i]] = &info.Siblings[i]
	}
	want, isGGUFPull, err := chooseFiles(ref, files)
	if err != nil {
		return nil, err
	}
	if err := h.download(ctx, ref.Repo, info.SHA, want, sibs); err != nil {
		return nil, err
	}
	if err := h.Cache.writeRef(ref.Repo, ref.Rev(), info.SHA); err != nil {
		return nil, fmt.Errorf("%s: writing ref %s: %w", ref.Repo, ref.Rev(), err)
	}
	res := &PullResult{Ref: ref, Commit: info.SHA, Path: h.Cache.SnapshotDir(ref.Repo, info.SHA), Files: want}
	if isGGUFPull {
		res.Path = h.Cache.pointerPath(ref.Repo, info.SHA, want[0])
	}
	for _, f := range want {
		if s := sibs[f]; s != nil {
			res.Bytes += fileSize(s)
		}
	}
	return res, nil
}

// chooseFiles decides what a ref means in a repo with these files: a GGUF
// (named, by quantisation, or the default one of a GGUF-only repo) or a
// safetensors model.
func chooseFiles(ref Ref, files []string) (want []string, gguf bool, err error) {
	if ref.File != "" && !isGGUF(ref.File) {
		for _, f := range files {
			if f == ref.File {
				return []string{f}, false, nil
			}
		}
		return nil, false, fmt.Errorf("%w: %s@%s has no file %q", ErrFileNotFound, ref.Repo, ref.Rev(), ref.File)
	}
	if ref.GGUF() || (!hasSafetensors(files) && len(ggufFiles(files)) > 0) {
		want, err = selectGGUF(ref, files)
		return want, true, err
	}
	want, err = selectRepoFiles(ref.Repo, files)
	if err == nil && len(want) == 0 {
		err = fmt.Errorf("%s@%s holds no model files (%d files listed)", ref.Repo, ref.Rev(), len(files))
	}
	return want, false, err
}

func hasSafetensors(files []string) bool {
	for _, f := range files {
		if strings.HasSuffix(strings.ToLower(path.Base(f)), ".safetensors") {
			return true
		}
	}
	return false
}

func fileSize(s *Sibling) int64 {
	if s.LFS != nil && s.LFS.Size > 0 {
		return s.LFS.Size
	}
	return s.Size
}

// download fetches files with at most Concurrency transfers at once, the
// largest first so the long ones start early. The first failure cancels
// the rest; their partial files stay for the next run to resume.
func (h *Hub) download(ctx context.Context, repo, commit string, files []string, sibs map[string]*Sibling) error {
	order := append([]string(nil), files...)
	sort.SliceStable(order, func(i, j int) bool { return sizeOf(sibs, order[i]) > sizeOf(sibs, order[j]) })

	prog := newProgress(h.Progress)
	bars := make(map[string]*fileBar, len(order))
	for _, f := range order {
		size := int64(-1)
		if s := sibs[f]; s != nil {
			size = fileSize(s)
		}
		bars[f] = prog.add(f, size)
	}
	prog.begin()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		slots    = make(chan struct{}, h.concurrency())
	)
	for _, f := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-slots }()
			if ctx.Err() != nil {
				return
			}
			if err := h.fetchFile(ctx, repo, commit, f, sibs[f], bars[f]); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	prog.finish(firstErr)
	return firstErr
}

func sizeOf(sibs map[string]*Sibling, f string) int64 {
	if s := sibs[f]; s != nil {
		return fileSize(s)
	}
	return 0
}
