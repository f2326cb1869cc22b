package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/ferrum-go/ferrum/quant"
)

// MaxNameLen is the longest tensor name ggml loads (GGML_MAX_NAME - 1); the
// writer refuses longer ones so its output always loads in llama.cpp.
const MaxNameLen = 63

// Writer builds a GGUF v3 file laid out as ggml writes one: metadata in the
// order set, tensor infos in the order added, then each tensor's data padded
// to the alignment. Set general.alignment (a uint32 power of two) to change
// the alignment from 32.
type Writer struct {
	meta    *Metadata
	tensors []pendingTensor
	names   map[string]bool
}

type pendingTensor struct {
	info  TensorInfo
	write func(io.Writer) error
}

// NewWriter returns an empty writer.
func NewWriter() *Writer {
	return &Writer{meta: newMetadata("gguf writer", 0), names: map[string]bool{}}
}

// Set stores a metadata value (see NewValue for the Go types accepted). A key
// set twice keeps its first position and takes the new value.
func (w *Writer) Set(key string, x any) error {
	v, err := NewValue(x)
	if err != nil {
		return fmt.Errorf("gguf: metadata key %q: %w", key, err)
	}
	if key == "" {
		return fmt.Errorf("gguf: empty metadata key")
	}
	if key == KeyAlignment {
		if _, err := checkAlignment(v); err != nil {
			return fmt.Errorf("gguf: %w", err)
		}
	}
	w.meta.set(key, v)
	return nil
}

// Metadata returns the metadata set so far.
func (w *Writer) Metadata() *Metadata { return w.meta }

func (w *Writer) alignment() int64 {
	if v, ok := w.meta.Get(KeyAlignment); ok {
		return int64(v.v.(uint32)) // Set checked the type
	}
	return DefaultAlignment
}

// AddTensor adds a tensor whose bytes are data (which may be a slice of a
// mapped file; it is read only during WriteTo). dims are in ne order.
func (w *Writer) AddTensor(name string, typ quant.Type, dims []int64, data []byte) error {
	return w.AddTensorFunc(name, typ, dims, func(out io.Writer) error {
		_, err := out.Write(data)
		return err
	}, int64(len(data)))
}

// AddTensorFunc adds a tensor whose bytes are produced during WriteTo by
// write, so a converter need not hold every tensor in memory. write must
// produce exactly size bytes, the size implied by typ and dims.
func (w *Writer) AddTensorFunc(name string, typ quant.Type, dims []int64, write func(io.Writer) error, size int64) error {
	if name == "" {
		return fmt.Errorf("gguf: empty tensor name")
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("gguf: tensor name %q is %d bytes; ggml loads at most %d", name, len(name), MaxNameLen)
	}
	if w.names[name] {
		return fmt.Errorf("gguf: duplicate tensor name %q", name)
	}
	if len(dims) == 0 || len(dims) > MaxDims {
		return fmt.Errorf("gguf: tensor %q has %d dimensions, want 1 to %d", name, len(dims), MaxDims)
	}
	elems := int64(1)
	for i, d := range dims {
		if d < 0 {
			return fmt.Errorf("gguf: tensor %q: dimension %d is negative (%d)", name, i, d)
		}
		if d != 0 && elems > math.MaxInt64/d {
			return fmt.Errorf("gguf: tensor %q: element count of %v overflows int64", name, dims)
		}
		elems *= d
	}
	if !typ.Known() {
		return fmt.Errorf("gguf: tensor %q: unknown tensor type id %d", name, uint32(typ))
	}
	if _, err := quant.RowBytes(typ, dims[0]); err != nil {
		return fmt.Errorf("gguf: tensor %q: first dimension %d: %w", name, dims[0], err)
	}
	want, err := quant.RowBytes(typ, elems)
	if err != nil {
		return fmt.Errorf("gguf: tensor %q: %w", name, err)
	}
	if size != want {
		return fmt.Errorf("gguf: tensor %q: %d bytes of data, but %s %v takes %d", name, size, typ, dims, want)
	}
	w.names[name] = true
	w.tensors = append(w.tensors, pendingTensor{
		info:  TensorInfo{Name: name, Type: typ, Dims: append([]int64(nil), dims...), Size: size},
		write: write,
	})
	return nil
}

// WriteTo writes the file to out.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	cw := &countingWriter{w: bufio.NewWriterSize(out, 1<<20)}
	err := w.write(cw)
	if err == nil {
		err = cw.w.(*bufio.Writer).Flush()
	}
	return cw.n, err
}

// WriteFile writes the file to path through a temporary file in the same
// folder, renamed into place only when complete.
func (w *Writer) WriteFile(path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = w.WriteTo(tmp); err != nil {
		return fmt.Errorf("gguf: writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("gguf: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	return nil
}

func (w *Writer) write(cw *countingWriter) error {
	align := w.alignment()
	var offset int64
	for i := range w.tensors {
		w.tensors[i].info.Offset = offset
		offset += alignUp(w.tensors[i].info.Size, align)
	}
	e := encoder{cw}
	e.raw([]byte(Magic))
	e.u32(Version)
	e.u64(uint64(len(w.tensors)))
	e.u64(uint64(w.meta.Len()))
	for _, kv := range w.meta.KVs() {
		e.str(kv.Key)
		e.u32(uint32(kv.Value.typ))
		e.value(kv.Value)
	}
	for _, t := range w.tensors {
		e.str(t.info.Name)
		e.u32(uint32(len(t.info.Dims)))
		for _, d := range t.info.Dims {
			e.u64(uint64(d))
		}
		e.u32(uint32(t.info.Type))
		e.u64(uint64(t.info.Offset))
	}
	e.pad(align)
	if cw.err != nil {
		return cw.err
	}
	for _, t := range w.tensors {
		start := cw.n
		if err := t.write(cw); err != nil {
			return fmt.Errorf("tensor %q: %w", t.info.Name, err)
		}
		if got := cw.n - start; got != t.info.Size {
			return fmt.Errorf("tensor %q: wrote %d bytes, want %d", t.info.Name, got, t.info.Size)
		}
		e.pad(align)
		if cw.err != nil {
			return cw.err
		}
	}
	return nil
}

// countingWriter counts bytes and keeps the first error, so the encoder
// can write without checking every call.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

type encoder struct{ w *countingWriter }

func (e encoder) raw(p []byte) { e.w.Write(p) }

func (e encoder) u32(x uint32) { e.raw(binary.LittleEndian.AppendUint32(nil, x)) }
func (e encoder) u64(x uint64) { e.raw(binary.LittleEndian.AppendUint64(nil, x)) }

func (e encoder) str(s string) {
	e.u64(uint64(len(s)))
	io.WriteString(e.w, s)
}

func (e encoder) pad(align int64) {
	if n := alignUp(e.w.n, align) - e.w.n; n > 0 {
		e.raw(make([]byte, n))
	}
}

// value writes a value's payload (its type id is written by the caller).
func (e encoder) value(v Value) {
	var b []byte
	le := binary.LittleEndian
	switch x := v.v.(type) {
	case uint8:
		b = []byte{x}
	case int8:
		b = []byte{byte(x)}
	case uint16:
		b = le.AppendUint16(nil, x)
	case int16:
		b = le.AppendUint16(nil, uint16(x))
	case uint32:
		b = le.AppendUint32(nil, x)
	case int32:
		b = le.AppendUint32(nil, uint32(x))
	case float32:
		b = le.AppendUint32(nil, math.Float32bits(x))
	case bool:
		b = []byte{boolByte(x)}
	case string:
		e.str(x)
		return
	case uint64:
		b = le.AppendUint64(nil, x)
	case int64:
		b = le.AppendUint64(nil, uint64(x))
	case float64:
		b = le.AppendUint64(nil, math.Float64bits(x))
	default:
		e.array(v)
		return
	}
	e.raw(b)
}

func (e encoder) array(v Value) {
	e.u32(uint32(v.elem))
	n := v.Len()
	e.u64(uint64(n))
	for i := 0; i < n; i++ {
		el, _ := v.Index(i)
		e.value(el) // an inner array is written without a type id of its own
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
