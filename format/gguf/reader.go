package gguf

import (
	"fmt"
	"math"
	"math/bits"
	"sort"

	"github.com/ferrum-go/ferrum/internal/mmap"
	"github.com/ferrum-go/ferrum/quant"
)

// Format constants.
const (
	Magic            = "GGUF"
	Version          = 3  // the version the writer emits
	DefaultAlignment = 32 // data alignment when general.alignment is absent
	MaxDims          = 4  // ggml's GGML_MAX_DIMS
	KeyAlignment     = "general.alignment"
)

// TensorInfo describes one tensor.
type TensorInfo struct {
	Name   string
	Type   quant.Type
	Dims   []int64 // ne order: Dims[0] is the innermost dimension
	Offset int64   // from the start of the data section
	Size   int64   // bytes
}

// Elements is the number of elements (1 for a tensor with no dims).
func (t *TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// File is a parsed GGUF file. Its tensor data stays in the (usually mapped)
// bytes it was parsed from. A File is not modified after parsing, so any
// number of goroutines may read it until Close.
type File struct {
	Path       string
	Version    uint32
	Alignment  int
	Metadata   *Metadata
	Tensors    []TensorInfo // in file order
	DataOffset int64        // file offset of the data section

	data   []byte
	byName map[string]int
	mm     *mmap.File
}

// Open maps and parses the file at path. Close releases the mapping.
func Open(path string) (*File, error) {
	mm, err := mmap.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	f, err := Parse(path, mm.Bytes())
	if err != nil {
		mm.Close()
		return nil, err
	}
	f.mm = mm
	return f, nil
}

// Close unmaps a file from Open; slices from Data are invalid afterwards.
func (f *File) Close() error {
	if f.mm == nil {
		return nil
	}
	err := f.mm.Close()
	f.mm, f.data = nil, nil
	return err
}

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.byName[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// Data returns a tensor's bytes, a slice of the file (read-only when mapped).
// t must be one of f.Tensors.
func (f *File) Data(t *TensorInfo) []byte {
	start := f.DataOffset + t.Offset
	return f.data[start : start+t.Size : start+t.Size]
}

// TensorData returns the bytes of the tensor called name.
func (f *File) TensorData(name string) ([]byte, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("%s: no tensor %q", f.Path, name)
	}
	return f.Data(t), nil
}

// Parse reads a GGUF file held in data; name labels errors. The File keeps
// data and returns slices of it from Data.
func Parse(name string, data []byte) (*File, error) {
	f, err := parse(name, data)
	if err != nil {
		return nil, fmt.Errorf("gguf: %s: %w", name, err)
	}
	return f, nil
}

func parse(name string, data []byte) (*File, error) {
	c := &cursor{b: data}
	magic, err := c.take(4, "magic")
	if err != nil {
		return nil, fmt.Errorf("not a GGUF file: %w", err)
	}
	if string(magic) != Magic {
		return nil, fmt.Errorf("not a GGUF file: magic is %q, want %q", magic, Magic)
	}
	version, err := c.u32("version")
	if err != nil {
		return nil, err
	}
	switch {
	case version == 1:
		return nil, fmt.Errorf("GGUF version 1 is not supported (its 32-bit counts were replaced in version 2); convert the file again with a current llama.cpp")
	case version != 0 && version&0xFFFF == 0:
		return nil, fmt.Errorf("GGUF version field is %#x: a big-endian file, which is not supported", version)
	case version != 2 && version != 3:
		return nil, fmt.Errorf("GGUF version %d is not supported (want 2 or 3)", version)
	}
	// A tensor info takes at least 24 bytes, a key/value pair at least 13.
	nTensors, err := c.count("tensor count", 24)
	if err != nil {
		return nil, err
	}
	nKV, err := c.count("metadata key count", 13)
	if err != nil {
		return nil, err
	}
	f := &File{Path: name, Version: version, Alignment: DefaultAlignment, data: data}
	if f.Metadata, err = readMetadata(c, name, nKV); err != nil {
		return nil, err
	}
	if v, ok := f.Metadata.Get(KeyAlignment); ok {
		a, err := checkAlignment(v)
		if err != nil {
			return nil, err
		}
		f.Alignment = a
	}
	if f.Tensors, err = readTensorInfos(c, nTensors); err != nil {
		return nil, err
	}
	f.DataOffset = int64(c.off) // as ggml reports it for a file without tensors
	if nTensors > 0 {
		// The data section starts at the next multiple of the alignment.
		f.DataOffset = alignUp(int64(c.off), int64(f.Alignment))
		if f.DataOffset > int64(len(data)) {
			return nil, fmt.Errorf("truncated: data section would start at offset %d, past the end of the %d-byte file", f.DataOffset, len(data))
		}
	}
	if err := f.checkLayout(); err != nil {
		return nil, err
	}
	f.byName = make(map[string]int, len(f.Tensors))
	for i, t := range f.Tensors {
		f.byName[t.Name] = i
	}
	return f, nil
}

func readMetadata(c *cursor, name string, n int) (*Metadata, error) {
	m := newMetadata(name, n)
	for i := 0; i < n; i++ {
		key, err := c.str("metadata key")
		if err != nil {
			return nil, fmt.Errorf("metadata entry %d: %w", i, err)
		}
		if key == "" {
			return nil, fmt.Errorf("metadata entry %d has an empty key", i)
		}
		if m.Has(key) {
			return nil, fmt.Errorf("duplicate metadata key %q (entry %d)", key, i)
		}
		t, err := c.valueType("value type")
		if err != nil {
			return nil, fmt.Errorf("metadata key %q: %w", key, err)
		}
		v, err := c.value(t, 0)
		if err != nil {
			return nil, fmt.Errorf("metadata key %q: %w", key, err)
		}
		m.set(key, v)
	}
	return m, nil
}

// checkAlignment validates general.alignment as ggml does: a uint32 power of two.
func checkAlignment(v Value) (int, error) {
	a, ok := v.v.(uint32)
	if !ok {
		return 0, fmt.Errorf("metadata key %q is %s, want uint32", KeyAlignment, v.TypeName())
	}
	if a == 0 || a&(a-1) != 0 {
		return 0, fmt.Errorf("metadata key %q is %d, want a power of two", KeyAlignment, a)
	}
	return int(a), nil
}

func readTensorInfos(c *cursor, n int) ([]TensorInfo, error) {
	ts := make([]TensorInfo, n)
	seen := make(map[string]int, n)
	for i := range ts {
		t := &ts[i]
		var err error
		if t.Name, err = c.str("tensor name"); err != nil {
			return nil, fmt.Errorf("tensor %d: %w", i, err)
		}
		if t.Name == "" {
			return nil, fmt.Errorf("tensor %d has an empty name", i)
		}
		if j, dup := seen[t.Name]; dup {
			return nil, fmt.Errorf("duplicate tensor name %q (tensors %d and %d)", t.Name, j, i)
		}
		seen[t.Name] = i
		if err := readTensorInfo(c, t); err != nil {
			return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
		}
	}
	return ts, nil
}

func readTensorInfo(c *cursor, t *TensorInfo) error {
	nDims, err := c.u32("dimension count")
	if err != nil {
		return err
	}
	if nDims > MaxDims {
		return fmt.Errorf("has %d dimensions, at most %d allowed", nDims, MaxDims)
	}
	t.Dims = make([]int64, nDims)
	elems := uint64(1)
	for j := range t.Dims {
		d, err := c.u64("dimension")
		if err != nil {
			return err
		}
		if d > math.MaxInt64 {
			return fmt.Errorf("dimension %d is negative (%d)", j, int64(d))
		}
		t.Dims[j] = int64(d)
		hi, lo := bits.Mul64(elems, d)
		if hi != 0 || lo > math.MaxInt64 {
			return fmt.Errorf("element count of shape %v overflows int64", t.Dims[:j+1])
		}
		elems = lo
	}
	typ, err := c.u32("type")
	if err != nil {
		return err
	}
	t.Type = quant.Type(typ)
	if !t.Type.Known() {
		return fmt.Errorf("unknown tensor type id %d", typ)
	}
	row := int64(1)
	if len(t.Dims) > 0 {
		row = t.Dims[0]
	}
	rowBytes, err := quant.RowBytes(t.Type, row)
	if err != nil {
		return fmt.Errorf("first dimension %d: %w", row, err)
	}
	rows := uint64(1)
	if row != 0 {
		rows = elems / uint64(row)
	}
	hi, size := bits.Mul64(uint64(rowBytes), rows)
	if hi != 0 || size > math.MaxInt64 {
		return fmt.Errorf("byte size of shape %v of %s overflows int64", t.Dims, t.Type)
	}
	if elems == 0 {
		size = 0
	}
	t.Size = int64(size)
	off, err := c.u64("data offset")
	if err != nil {
		return err
	}
	if off > math.MaxInt64 {
		return fmt.Errorf("data offset %d is out of range", off)
	}
	t.Offset = int64(off)
	return nil
}

// checkLayout checks each tensor's bytes are aligned, inside the file, and
// not shared with another tensor. Unlike ggml it does not insist tensors
// are stored in order, only that they don't overlap.
func (f *File) checkLayout() error {
	avail := int64(len(f.data)) - f.DataOffset
	order := make([]int, len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if t.Offset%int64(f.Alignment) != 0 {
			return fmt.Errorf("tensor %q: data offset %d is not a multiple of the alignment %d", t.Name, t.Offset, f.Alignment)
		}
		if t.Offset > avail || t.Size > avail-t.Offset {
			return fmt.Errorf("tensor %q: data [%d, +%d) at file offset %d runs past the end of the file (%d bytes)",
				t.Name, t.Offset, t.Size, f.DataOffset+t.Offset, len(f.data))
		}
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return f.Tensors[order[a]].Offset < f.Tensors[order[b]].Offset })
	var prev *TensorInfo
	for _, i := range order {
		t := &f.Tensors[i]
		if t.Size == 0 {
			continue
		}
		if prev != nil && t.Offset < prev.Offset+prev.Size {
			return fmt.Errorf("tensors %q [%d, %d) and %q [%d, %d) overlap",
				prev.Name, prev.Offset, prev.Offset+prev.Size, t.Name, t.Offset, t.Offset+t.Size)
		}
		prev = t
	}
	return nil
}

func alignUp(n, a int64) int64 { return (n + a - 1) / a * a }
