package safetensors

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The file names transformers gives a single-file and a sharded checkpoint.
const (
	SingleFileName = "model.safetensors"
	IndexFileName  = "model.safetensors.index.json"
)

// Checkpoint is a set of safetensors files (shards) seen as one namespace
// of tensor names.
type Checkpoint struct {
	files []*File
	names []string
	where map[string]*File
}

// OpenCheckpoint opens a checkpoint from
//   - a shard index file (*.json with a weight_map), opening the shards it names;
//   - a single .safetensors file;
//   - a folder, using the first of: model.safetensors.index.json,
//     model.safetensors, the only *.safetensors.index.json, all *.safetensors.
//
// A tensor name present in two shards is an error, as is a weight_map entry
// whose shard lacks the tensor or a shard file that is missing.
func OpenCheckpoint(path string) (*Checkpoint, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if strings.HasSuffix(path, ".json") {
			return openIndex(path)
		}
		return OpenFiles(path)
	}
	if p := filepath.Join(path, IndexFileName); exists(p) {
		return openIndex(p)
	}
	if p := filepath.Join(path, SingleFileName); exists(p) {
		return OpenFiles(p)
	}
	indexes, _ := filepath.Glob(filepath.Join(globEscape(path), "*.safetensors.index.json"))
	switch len(indexes) {
	case 0:
	case 1:
		return openIndex(indexes[0])
	default:
		return nil, fmt.Errorf("%s: several shard indexes (%s); open one of them", path, baseNames(indexes))
	}
	files, _ := filepath.Glob(filepath.Join(globEscape(path), "*.safetensors"))
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no .safetensors files", path)
	}
	sort.Strings(files)
	return OpenFiles(files...)
}

// OpenFiles opens the given files as the shards of one checkpoint.
func OpenFiles(paths ...string) (*Checkpoint, error) {
	c := &Checkpoint{where: map[string]*File{}}
	for _, p := range paths {
		f, err := Open(p)
		if err != nil {
			c.Close()
			return nil, err
		}
		if err := c.add(f); err != nil {
			f.Close()
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

func (c *Checkpoint) add(f *File) error {
	for _, t := range f.tensors {
		if other, dup := c.where[t.Name]; dup {
			return fmt.Errorf("tensor %q is in two shards: %s and %s", t.Name, other.path, f.path)
		}
	}
	c.files = append(c.files, f)
	for _, t := range f.tensors {
		c.where[t.Name] = f
		c.names = append(c.names, t.Name)
	}
	return nil
}

func openIndex(path string) (*Checkpoint, error) {
	entries, err := readIndex(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	firstTensor := map[string]string{} // shard -> a tensor naming it, for errors
	var shards []string
	for _, e := range entries {
		if _, ok := firstTensor[e.shard]; !ok {
			firstTensor[e.shard] = e.tensor
			shards = append(shards, e.shard)
		}
	}
	sort.Strings(shards)
	paths := make([]string, len(shards))
	for i, s := range shards {
		paths[i] = filepath.Join(dir, s)
		if !exists(paths[i]) {
			return nil, fmt.Errorf("%s: shard %s (holding tensor %q) is missing", path, s, firstTensor[s])
		}
	}
	c, err := OpenFiles(paths...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, e := range entries {
		want := filepath.Join(dir, e.shard)
		if f, ok := c.where[e.tensor]; !ok || f.path != want {
			c.Close()
			return nil, fmt.Errorf("%s: weight_map puts tensor %q in %s, which does not hold it", path, e.tensor, e.shard)
		}
	}
	return c, nil
}

// Names lists every tensor: shards in file-name order, each in data order.
func (c *Checkpoint) Names() []string { return append([]string(nil), c.names...) }

// Info describes a tensor; Begin and End are relative to its shard's data.
func (c *Checkpoint) Info(name string) (TensorInfo, bool) {
	f, ok := c.where[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.Info(name)
}

// Data returns the tensor's bytes from its shard's mapping (see File.Data).
func (c *Checkpoint) Data(name string) ([]byte, error) {
	f, ok := c.where[name]
	if !ok {
		return nil, fmt.Errorf("tensor %q: %w", name, ErrNotFound)
	}
	return f.Data(name)
}

// Float32 decodes a float tensor into a new []float32.
func (c *Checkpoint) Float32(name string) ([]float32, error) {
	f, ok := c.where[name]
	if !ok {
		return nil, fmt.Errorf("tensor %q: %w", name, ErrNotFound)
	}
	return f.Float32(name)
}

// Files are the shards, in Names order.
func (c *Checkpoint) Files() []*File { return append([]*File(nil), c.files...) }

// Close unmaps every shard.
func (c *Checkpoint) Close() error {
	var errs []error
	for _, f := range c.files {
		errs = append(errs, f.Close())
	}
	c.files, c.where, c.names = nil, map[string]*File{}, nil
	return errors.Join(errs...)
}

func exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// globEscape quotes glob metacharacters in a folder name.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func baseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}
