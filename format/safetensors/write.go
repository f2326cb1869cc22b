package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Tensor is one tensor to write: little-endian element bytes in row-major
// order.
type Tensor struct {
	Name  string
	DType DType
	Shape []int64
	Data  []byte
}

// Write stores the tensors, in the order given and back to back, after a
// header laid out like the reference writer's: compact JSON with
// __metadata__ first (omitted when empty, keys sorted), padded with spaces
// so the data region starts on an 8-byte boundary.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("tensor %q: %w", t.Name, err)
		}
	}
	return nil
}

// WriteFile writes to a temporary file beside path and renames it into
// place, so a failed write never leaves a truncated checkpoint behind.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = Write(bw, tensors, metadata); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func encodeHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	var h bytes.Buffer
	h.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h.WriteString(`"` + metadataKey + `":{`)
		for i, k := range keys {
			if !utf8.ValidString(k) || !utf8.ValidString(metadata[k]) {
				return nil, fmt.Errorf("metadata key %q: key or value is not valid UTF-8", k)
			}
			if i > 0 {
				h.WriteByte(',')
			}
			quote(&h, k)
			h.WriteByte(':')
			quote(&h, metadata[k])
		}
		h.WriteByte('}')
	}
	seen := make(map[string]bool, len(tensors))
	var offset int64
	for i, t := range tensors {
		if err := checkTensor(t, seen); err != nil {
			return nil, err
		}
		if i > 0 || len(metadata) > 0 {
			h.WriteByte(',')
		}
		quote(&h, t.Name)
		h.WriteString(`:{"dtype":`)
		quote(&h, string(t.DType))
		h.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.FormatInt(d, 10))
		}
		end := offset + int64(len(t.Data))
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > MaxHeaderSize {
		return nil, fmt.Errorf("header of %d bytes is over the %d limit readers accept", h.Len(), MaxHeaderSize)
	}
	return h.Bytes(), nil
}

func checkTensor(t Tensor, seen map[string]bool) error {
	switch {
	case t.Name == metadataKey:
		return fmt.Errorf("tensor %q: name is reserved for metadata", t.Name)
	case !utf8.ValidString(t.Name):
		return fmt.Errorf("tensor %q: name is not valid UTF-8", t.Name)
	case seen[t.Name]:
		return fmt.Errorf("tensor %q: duplicate name", t.Name)
	case t.DType.Size() == 0:
		return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	seen[t.Name] = true
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", t.Name, t.Shape)
		}
	}
	want, ok := numBytes(t.DType, t.Shape, math.MaxInt64)
	if !ok {
		return fmt.Errorf("tensor %q: shape %v of %s overflows int64 bytes", t.Name, t.Shape, t.DType)
	}
	if want != int64(len(t.Data)) {
		return fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, have %d",
			t.Name, t.Shape, t.DType, want, len(t.Data))
	}
	return nil
}

// quote writes s as a JSON string escaped the way serde_json (the reference
// writer) does: only quotes, backslashes and control characters, so names
// with '<', '&' or U+2028 come out byte-identical.
func quote(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
