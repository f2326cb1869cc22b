package safetensors

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// indexEntry is one weight_map line of a shard index.
type indexEntry struct{ tensor, shard string }

// readIndex reads the weight_map of a transformers shard index
// ({"metadata": {...}, "weight_map": {tensor: shard file}}). Shard paths are
// relative to the index and may not leave its folder.
func readIndex(path string) ([]indexEntry, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxHeaderSize {
		return nil, fmt.Errorf("%s: index of %d bytes is over the %d limit", path, st.Size(), MaxHeaderSize)
	}
	js, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	entries, err := parseIndex(js)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, nil
}

func parseIndex(js []byte) ([]indexEntry, error) {
	if !utf8.Valid(js) {
		return nil, fmt.Errorf("index is not valid UTF-8")
	}
	w := newWalker(js)
	var entries []indexEntry
	found := false
	err := w.object("index", func(key string) error {
		if key != "weight_map" {
			return w.skip(key)
		}
		found = true
		return w.object("weight_map", func(tensor string) error {
			what := fmt.Sprintf("weight_map tensor %q", tensor)
			shard, err := w.str(what)
			if err != nil {
				return err
			}
			if !filepath.IsLocal(shard) || strings.ContainsRune(shard, 0) {
				return fmt.Errorf("%s: shard path %q is not a file inside the index's folder", what, shard)
			}
			entries = append(entries, indexEntry{tensor, filepath.Clean(shard)})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if err := w.end(); err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("index has no weight_map")
	}
	return entries, nil
}
