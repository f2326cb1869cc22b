package gguf

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead: any input parses or fails with an error, never a panic; a
// parsed file's tensor data is in bounds, its getters are safe, and what
// the writer can re-encode reads back the same.
func FuzzRead(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(fixtures, "*.gguf"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, c := range badInputs() {
		f.Add(c.file)
	}
	f.Add(header(2, 0).tensor("a", 0, 64, 16).tensor("b", 0, 0, 16).data(128).Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.gguf", data)
		if err != nil {
			return
		}
		for i := range file.Tensors {
			_ = file.Data(&file.Tensors[i])
		}
		m := file.Metadata
		for _, k := range m.Keys() {
			m.String(k)
			m.Uint(k)
			m.Int(k)
			m.Float(k)
			m.Bool(k)
			m.Strings(k)
			m.Ints(k)
			m.Floats(k)
			v, _ := m.Get(k)
			_ = v.String()
		}
		rewriteAndCompare(t, file)
	})
}

func rewriteAndCompare(t *testing.T, file *File) {
	w := NewWriter()
	for _, kv := range file.Metadata.KVs() {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatalf("re-setting %q: %v", kv.Key, err)
		}
	}
	for i := range file.Tensors {
		ti := &file.Tensors[i]
		if len(ti.Name) > MaxNameLen || len(ti.Dims) == 0 {
			return // valid GGUF the writer declines because ggml would
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Dims, file.Data(ti)); err != nil {
			t.Fatalf("re-adding %q: %v", ti.Name, err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	again, err := Parse("rewritten", buf.Bytes())
	if err != nil {
		t.Fatalf("rewritten file does not parse: %v", err)
	}
	if a, b := contentDump(file), contentDump(again); a != b {
		t.Fatalf("rewritten file differs:\n%s\nvs\n%s", a, b)
	}
}

// contentDump prints what a file holds but not its layout (offsets), which
// rewriting may change.
func contentDump(f *File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "align %d\n", f.Alignment) // the writer always writes v3
	for _, kv := range f.Metadata.KVs() {
		fmt.Fprintf(&b, "%q %s ", kv.Key, kv.Value.TypeName())
		kv.Value.format(&b, math.MaxInt)
		b.WriteByte('\n')
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		h := fnv.New64a()
		h.Write(f.Data(ti))
		fmt.Fprintf(&b, "%q %s %v %d %x\n", ti.Name, ti.Type, ti.Dims, ti.Size, h.Sum64())
	}
	return b.String()
}
