package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// maxArrayDepth bounds arrays of arrays: each level costs a hostile file only
// 12 bytes but costs the decoder a stack frame.
const maxArrayDepth = 64

// cursor reads little-endian values from a byte slice, never past its end.
// Its errors say what was being read and at which offset.
type cursor struct {
	b   []byte
	off int
}

func (c *cursor) remaining() int { return len(c.b) - c.off }

func (c *cursor) take(n int, what string) ([]byte, error) {
	if n < 0 || n > c.remaining() {
		return nil, fmt.Errorf("truncated at offset %d: %s needs %d bytes, %d left", c.off, what, n, c.remaining())
	}
	p := c.b[c.off : c.off+n]
	c.off += n
	return p, nil
}

func (c *cursor) u8(what string) (uint8, error) {
	p, err := c.take(1, what)
	if err != nil {
		return 0, err
	}
	return p[0], nil
}

func (c *cursor) u16(what string) (uint16, error) {
	p, err := c.take(2, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(p), nil
}

func (c *cursor) u32(what string) (uint32, error) {
	p, err := c.take(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(p), nil
}

func (c *cursor) u64(what string) (uint64, error) {
	p, err := c.take(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(p), nil
}

// str reads a length-prefixed string, checking the length against the bytes
// left before copying.
func (c *cursor) str(what string) (string, error) {
	n, err := c.u64(what + " length")
	if err != nil {
		return "", err
	}
	if n > uint64(c.remaining()) {
		return "", fmt.Errorf("%s length %d at offset %d exceeds the %d bytes left in the file", what, n, c.off-8, c.remaining())
	}
	p, _ := c.take(int(n), what)
	return string(p), nil
}

// count reads an element count and rejects it unless count*minSize bytes
// remain, so a claimed count never drives an allocation the file can't back.
func (c *cursor) count(what string, minSize int) (int, error) {
	n, err := c.u64(what)
	if err != nil {
		return 0, err
	}
	if minSize < 1 {
		minSize = 1
	}
	if n > uint64(c.remaining()/minSize) {
		return 0, fmt.Errorf("%s %d at offset %d is impossible: %d bytes left in the file hold at most %d", what, n, c.off-8, c.remaining(), c.remaining()/minSize)
	}
	return int(n), nil
}

func (c *cursor) valueType(what string) (ValueType, error) {
	t, err := c.u32(what)
	if err != nil {
		return 0, err
	}
	if !ValueType(t).valid() {
		return 0, fmt.Errorf("unknown value type %d at offset %d", t, c.off-4)
	}
	return ValueType(t), nil
}

// value reads one value of type t (after its type id).
func (c *cursor) value(t ValueType, depth int) (Value, error) {
	switch t {
	case TypeArray:
		return c.array(depth + 1)
	case TypeString:
		s, err := c.str("string")
		return Value{typ: t, v: s}, err
	case TypeBool:
		b, err := c.boolean()
		return Value{typ: t, v: b}, err
	}
	p, err := c.take(t.fixedSize(), t.String())
	if err != nil {
		return Value{}, err
	}
	var x any
	switch t {
	case TypeUint8:
		x = p[0]
	case TypeInt8:
		x = int8(p[0])
	case TypeUint16:
		x = binary.LittleEndian.Uint16(p)
	case TypeInt16:
		x = int16(binary.LittleEndian.Uint16(p))
	case TypeUint32:
		x = binary.LittleEndian.Uint32(p)
	case TypeInt32:
		x = int32(binary.LittleEndian.Uint32(p))
	case TypeFloat32:
		x = math.Float32frombits(binary.LittleEndian.Uint32(p))
	case TypeUint64:
		x = binary.LittleEndian.Uint64(p)
	case TypeInt64:
		x = int64(binary.LittleEndian.Uint64(p))
	case TypeFloat64:
		x = math.Float64frombits(binary.LittleEndian.Uint64(p))
	}
	return Value{typ: t, v: x}, nil
}

// boolean reads a bool byte; the spec allows only 0 and 1.
func (c *cursor) boolean() (bool, error) {
	b, err := c.u8("bool")
	if err != nil {
		return false, err
	}
	if b > 1 {
		return false, fmt.Errorf("bool at offset %d is %d, want 0 or 1", c.off-1, b)
	}
	return b == 1, nil
}

func (c *cursor) array(depth int) (Value, error) {
	if depth > maxArrayDepth {
		return Value{}, fmt.Errorf("arrays nested more than %d deep at offset %d", maxArrayDepth, c.off)
	}
	et, err := c.valueType("array element type")
	if err != nil {
		return Value{}, err
	}
	n, err := c.count("array length", et.minSize())
	if err != nil {
		return Value{}, err
	}
	var s any
	switch et {
	case TypeUint8:
		s, err = fixedSlice(c, n, func(p []byte) uint8 { return p[0] })
	case TypeInt8:
		s, err = fixedSlice(c, n, func(p []byte) int8 { return int8(p[0]) })
	case TypeUint16:
		s, err = fixedSlice(c, n, binary.LittleEndian.Uint16)
	case TypeInt16:
		s, err = fixedSlice(c, n, func(p []byte) int16 { return int16(binary.LittleEndian.Uint16(p)) })
	case TypeUint32:
		s, err = fixedSlice(c, n, binary.LittleEndian.Uint32)
	case TypeInt32:
		s, err = fixedSlice(c, n, func(p []byte) int32 { return int32(binary.LittleEndian.Uint32(p)) })
	case TypeFloat32:
		s, err = fixedSlice(c, n, func(p []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(p)) })
	case TypeUint64:
		s, err = fixedSlice(c, n, binary.LittleEndian.Uint64)
	case TypeInt64:
		s, err = fixedSlice(c, n, func(p []byte) int64 { return int64(binary.LittleEndian.Uint64(p)) })
	case TypeFloat64:
		s, err = fixedSlice(c, n, func(p []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(p)) })
	case TypeBool:
		bs := make([]bool, n)
		for i := range bs {
			if bs[i], err = c.boolean(); err != nil {
				return Value{}, fmt.Errorf("element %d: %w", i, err)
			}
		}
		s = bs
	case TypeString:
		s, err = c.strings(n)
	case TypeArray:
		vs := make([]Value, n)
		for i := range vs {
			if vs[i], err = c.array(depth + 1); err != nil {
				return Value{}, fmt.Errorf("element %d: %w", i, err)
			}
		}
		s = vs
	}
	if err != nil {
		return Value{}, err
	}
	return arrayValue(et, s), nil
}

// fixedSlice decodes n fixed-size elements; count already checked that the
// bytes are there.
func fixedSlice[T any](c *cursor, n int, dec func([]byte) T) ([]T, error) {
	var zero T
	size := int(sizeOf(zero))
	p, err := c.take(n*size, "array data")
	if err != nil {
		return nil, err
	}
	out := make([]T, n)
	for i := range out {
		out[i] = dec(p[i*size:])
	}
	return out, nil
}

func sizeOf(x any) uintptr {
	switch x.(type) {
	case uint8, int8:
		return 1
	case uint16, int16:
		return 2
	case uint32, int32, float32:
		return 4
	}
	return 8
}

// strings reads n length-prefixed strings. A vocabulary holds ~150k of
// them, so they are copied in one allocation and sliced out of it, rather
// than allocated one by one.
func (c *cursor) strings(n int) ([]string, error) {
	start := c.off
	for i := 0; i < n; i++ {
		l, err := c.u64("string length")
		if err == nil && l > uint64(c.remaining()) {
			err = fmt.Errorf("string length %d at offset %d exceeds the %d bytes left in the file", l, c.off-8, c.remaining())
		}
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		c.off += int(l)
	}
	blob := string(c.b[start:c.off])
	out := make([]string, n)
	pos := 0
	for i := range out {
		l := int(binary.LittleEndian.Uint64(c.b[start+pos:]))
		out[i] = blob[pos+8 : pos+8+l]
		pos += 8 + l
	}
	return out, nil
}
