package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Path returns the path of a file holding the embedded GGUF, under
// os.UserCacheDir()/ferrum (or os.TempDir()/ferrum when there is no usable
// cache folder), writing it if it is missing or not byte-identical.
func Path() (string, error) {
	var dirs []string
	if d, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "ferrum"))
	}
	dirs = append(dirs, filepath.Join(os.TempDir(), "ferrum"))
	var errs []error
	for _, d := range dirs {
		p, err := PathIn(d)
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("demo model: %w", errors.Join(errs...))
}

// PathIn is Path with the folder given. The file's name carries the start of
// the content hash, so binaries with different demo models never share a
// file; an existing file is reused only when its hash matches, and a new one
// appears atomically (written to a temporary name, then renamed), so
// concurrent processes never see a partial file.
func PathIn(dir string) (string, error) {
	p := filepath.Join(dir, fmt.Sprintf("%s-%s.gguf", FileName[:len(FileName)-len(".gguf")], SHA256()[:12]))
	if same, err := matches(p); err == nil && same {
		return p, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cache folder for the demo model: %w", err)
	}
	if err := writeAtomic(p, ggufBytes); err != nil {
		return "", err
	}
	return p, nil
}

// matches reports whether the file at p holds exactly the embedded GGUF.
func matches(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() != int64(len(ggufBytes)) {
		return false, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == SHA256(), nil
}

func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".ferrum-demo-*.tmp")
	if err != nil {
		return fmt.Errorf("writing the demo model to %s: %w", filepath.Dir(p), err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("writing the demo model to %s: %w", p, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(name, p); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing the demo model to %s: %w", p, err)
	}
	return nil
}
