package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/ferrum-go/ferrum/internal/mmap"
)

// MaxHeaderSize caps the JSON header, as the reference implementation does;
// a larger length field means a corrupt or hostile file.
const MaxHeaderSize = 100_000_000

// ErrNotFound is wrapped by lookups of a tensor name a file or checkpoint
// does not have.
var ErrNotFound = errors.New("no such tensor")

// TensorInfo describes one tensor of a file. Begin and End are byte offsets
// into the data region (after the header), as written in data_offsets.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int64
	Begin int64
	End   int64
}

// NumElements is the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is one parsed safetensors file. Its tensor data stays in the mapping.
type File struct {
	path     string
	m        *mmap.File // nil when parsed from caller-owned bytes
	buf      []byte     // the whole file
	dataOff  int64      // where the data region starts in buf
	tensors  []TensorInfo
	byName   map[string]int
	metadata map[string]string
}

// Open maps the file at path and validates its header.
func Open(path string) (*File, error) {
	m, err := mmap.Open(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(path, m.Bytes())
	if err != nil {
		m.Close()
		return nil, err
	}
	f.m = m
	return f, nil
}

// Parse reads a safetensors image held in memory; name is used in errors.
// Data slices alias buf.
func Parse(name string, buf []byte) (*File, error) {
	f, err := parse(name, buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

func parse(name string, buf []byte) (*File, error) {
	if len(buf) < 8 {
		return nil, fmt.Errorf("file of %d bytes is too short for the 8-byte header length", len(buf))
	}
	n := binary.LittleEndian.Uint64(buf)
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("header length %d is over the %d limit (corrupt file?)", n, MaxHeaderSize)
	}
	if n > uint64(len(buf)-8) {
		return nil, fmt.Errorf("header length %d runs past the end of the %d-byte file (truncated?)", n, len(buf))
	}
	tensors, metadata, err := parseHeader(buf[8 : 8+n])
	if err != nil {
		return nil, err
	}
	f := &File{
		path:     name,
		buf:      buf,
		dataOff:  int64(8 + n),
		tensors:  tensors,
		byName:   make(map[string]int, len(tensors)),
		metadata: metadata,
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	for i, t := range f.tensors {
		f.byName[t.Name] = i
	}
	return f, nil
}

// validate checks every tensor against the data region, then sorts the
// tensors into data order and rejects overlaps. Gaps and trailing bytes are
// tolerated (the reference reader refuses them), since they cannot make one
// name read another's bytes.
func (f *File) validate() error {
	dataLen := int64(len(f.buf)) - f.dataOff
	for _, t := range f.tensors {
		if t.DType.Size() == 0 {
			return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
		}
		if t.Begin > t.End {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] begin after end", t.Name, t.Begin, t.End)
		}
		if t.End > dataLen {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] past the %d-byte data region (truncated?)",
				t.Name, t.Begin, t.End, dataLen)
		}
		want, ok := numBytes(t.DType, t.Shape, dataLen)
		if !ok {
			return fmt.Errorf("tensor %q: shape %v of %s needs more bytes than the %d-byte data region",
				t.Name, t.Shape, t.DType, dataLen)
		}
		if want != t.End-t.Begin {
			return fmt.Errorf("tensor %q: shape %v of %s needs %d bytes but data_offsets [%d, %d] hold %d",
				t.Name, t.Shape, t.DType, want, t.Begin, t.End, t.End-t.Begin)
		}
	}
	sort.SliceStable(f.tensors, func(i, j int) bool {
		a, b := f.tensors[i], f.tensors[j]
		return a.Begin < b.Begin || a.Begin == b.Begin && a.End < b.End
	})
	var last *TensorInfo // the non-empty tensor reaching furthest so far
	for i := range f.tensors {
		t := &f.tensors[i]
		if t.Begin == t.End {
			continue
		}
		if last != nil && t.Begin < last.End {
			return fmt.Errorf("tensors %q [%d, %d] and %q [%d, %d] overlap",
				last.Name, last.Begin, last.End, t.Name, t.Begin, t.End)
		}
		last = t
	}
	return nil
}

// Path is the name the file was opened with.
func (f *File) Path() string { return f.path }

// Tensors lists the tensors in data order (the order a writer stored them).
// The infos are copies; their Shape slices must not be modified.
func (f *File) Tensors() []TensorInfo {
	return append([]TensorInfo(nil), f.tensors...)
}

// Info looks up one tensor.
func (f *File) Info(name string) (TensorInfo, bool) {
	i, ok := f.byName[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.tensors[i], true
}

// Data returns the tensor's bytes as a read-only slice of the mapping: no
// copy is made, writing to it faults, and it is valid until Close. The data
// region is 8-byte aligned in the file, so each tensor is aligned to its
// offset's alignment; writers that want typed views store large elements
// first, as the reference writer does.
func (f *File) Data(name string) ([]byte, error) {
	if f.buf == nil {
		return nil, fmt.Errorf("%s: tensor %q: file is closed", f.path, name)
	}
	i, ok := f.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: tensor %q: %w", f.path, name, ErrNotFound)
	}
	t := f.tensors[i]
	b, e := f.dataOff+t.Begin, f.dataOff+t.End
	return f.buf[b:e:e], nil
}

// Float32 decodes a float tensor into a new []float32 (see DecodeFloat32).
func (f *File) Float32(name string) ([]float32, error) {
	data, err := f.Data(name)
	if err != nil {
		return nil, err
	}
	info, _ := f.Info(name)
	out, err := ToFloat32(info.DType, data)
	if err != nil {
		return nil, fmt.Errorf("%s: tensor %q: %w", f.path, name, err)
	}
	return out, nil
}

// Metadata is the header's __metadata__ map (empty when absent). The map is
// the file's own; treat it as read-only.
func (f *File) Metadata() map[string]string { return f.metadata }

// DataOffset is the file offset of the data region, for callers that read
// tensors with their own I/O (Begin/End are relative to it).
func (f *File) DataOffset() int64 { return f.dataOff }

// Close unmaps the file. Slices returned by Data must not be used after it.
func (f *File) Close() error {
	f.buf = nil
	if f.m == nil {
		return nil
	}
	err := f.m.Close()
	f.m = nil
	return err
}
