package gguf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ValueType is a metadata value type id, as stored in the file.
type ValueType uint32

// The ids are ggml's (gguf.h, enum gguf_type).
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"}

// String returns the type's name ("uint32", "string", ...).
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("value_type(%d)", uint32(t))
}

// valid reports whether t is a type id the format defines.
func (t ValueType) valid() bool { return t <= TypeFloat64 }

// fixedSize is the encoded size of a scalar of type t, 0 for strings and arrays.
func (t ValueType) fixedSize() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// minSize is the fewest bytes one encoded value of type t can take; the
// reader multiplies it by a claimed element count to reject absurd counts
// before allocating.
func (t ValueType) minSize() int {
	switch t {
	case TypeString:
		return 8 // length prefix
	case TypeArray:
		return 12 // element type + count
	}
	return t.fixedSize()
}

// Value is one typed metadata value. Any returns it as the Go type that
// matches its ValueType: uint8, int8, uint16, int16, uint32, int32, float32,
// bool, string, uint64, int64, float64, or for arrays a slice of those
// ([]string, []int32, ...), with []Value for an array of arrays.
type Value struct {
	typ  ValueType
	elem ValueType // element type, for arrays
	v    any
}

// NewValue wraps a Go value, choosing the GGUF type from the Go type. It
// accepts the scalar and slice types listed on Value; plain int is stored as
// int64, uint as uint64 ([]int and []uint likewise). A []Value must hold only
// arrays.
func NewValue(x any) (Value, error) {
	switch x := x.(type) {
	case Value:
		if !x.wellFormed() {
			return Value{}, fmt.Errorf("malformed Value (use NewValue to make one)")
		}
		return x, nil
	case uint8:
		return Value{typ: TypeUint8, v: x}, nil
	case int8:
		return Value{typ: TypeInt8, v: x}, nil
	case uint16:
		return Value{typ: TypeUint16, v: x}, nil
	case int16:
		return Value{typ: TypeInt16, v: x}, nil
	case uint32:
		return Value{typ: TypeUint32, v: x}, nil
	case int32:
		return Value{typ: TypeInt32, v: x}, nil
	case float32:
		return Value{typ: TypeFloat32, v: x}, nil
	case bool:
		return Value{typ: TypeBool, v: x}, nil
	case string:
		return Value{typ: TypeString, v: x}, nil
	case uint64:
		return Value{typ: TypeUint64, v: x}, nil
	case int64:
		return Value{typ: TypeInt64, v: x}, nil
	case float64:
		return Value{typ: TypeFloat64, v: x}, nil
	case int:
		return Value{typ: TypeInt64, v: int64(x)}, nil
	case uint:
		return Value{typ: TypeUint64, v: uint64(x)}, nil
	case []int:
		s := make([]int64, len(x))
		for i, e := range x {
			s[i] = int64(e)
		}
		return arrayValue(TypeInt64, s), nil
	case []uint:
		s := make([]uint64, len(x))
		for i, e := range x {
			s[i] = uint64(e)
		}
		return arrayValue(TypeUint64, s), nil
	case []Value:
		for i, e := range x {
			if e.typ != TypeArray {
				return Value{}, fmt.Errorf("element %d of an array of arrays is a %s", i, e.typ)
			}
			if !e.wellFormed() {
				return Value{}, fmt.Errorf("element %d of an array of arrays is malformed", i)
			}
		}
		return arrayValue(TypeArray, x), nil
	}
	if et, ok := sliceElemType(x); ok {
		return arrayValue(et, x), nil
	}
	return Value{}, fmt.Errorf("no GGUF type for Go type %T", x)
}

// wellFormed reports whether v's Go value matches its types, which holds
// for every Value from NewValue or the reader but not for a zero Value.
func (v Value) wellFormed() bool {
	if v.typ != TypeArray {
		w, err := NewValue(v.v)
		return err == nil && w.typ == v.typ
	}
	et, ok := sliceElemType(v.v)
	if !ok || et != v.elem {
		return false
	}
	if inner, nested := v.v.([]Value); nested {
		for _, e := range inner {
			if e.typ != TypeArray || !e.wellFormed() {
				return false
			}
		}
	}
	return true
}

func arrayValue(elem ValueType, s any) Value { return Value{typ: TypeArray, elem: elem, v: s} }

// sliceElemType maps the supported slice types to their element type.
func sliceElemType(x any) (ValueType, bool) {
	switch x.(type) {
	case []uint8:
		return TypeUint8, true
	case []int8:
		return TypeInt8, true
	case []uint16:
		return TypeUint16, true
	case []int16:
		return TypeInt16, true
	case []uint32:
		return TypeUint32, true
	case []int32:
		return TypeInt32, true
	case []float32:
		return TypeFloat32, true
	case []bool:
		return TypeBool, true
	case []string:
		return TypeString, true
	case []uint64:
		return TypeUint64, true
	case []int64:
		return TypeInt64, true
	case []float64:
		return TypeFloat64, true
	case []Value:
		return TypeArray, true
	}
	return 0, false
}

// Type is the value's type; TypeArray for arrays.
func (v Value) Type() ValueType { return v.typ }

// ElemType is an array's element type (TypeArray for an array of arrays).
func (v Value) ElemType() ValueType { return v.elem }

// Any returns the Go value (see Value).
func (v Value) Any() any { return v.v }

// IsArray reports whether the value is an array.
func (v Value) IsArray() bool { return v.typ == TypeArray }

// Len is an array's element count, or 0 for a scalar.
func (v Value) Len() int {
	switch s := v.v.(type) {
	case []uint8:
		return len(s)
	case []int8:
		return len(s)
	case []uint16:
		return len(s)
	case []int16:
		return len(s)
	case []uint32:
		return len(s)
	case []int32:
		return len(s)
	case []float32:
		return len(s)
	case []bool:
		return len(s)
	case []string:
		return len(s)
	case []uint64:
		return len(s)
	case []int64:
		return len(s)
	case []float64:
		return len(s)
	case []Value:
		return len(s)
	}
	return 0
}

// Index returns element i of an array as a Value. It reports false when v
// is not an array or i is out of range.
func (v Value) Index(i int) (Value, bool) {
	if i < 0 || i >= v.Len() {
		return Value{}, false
	}
	var x any
	switch s := v.v.(type) {
	case []uint8:
		x = s[i]
	case []int8:
		x = s[i]
	case []uint16:
		x = s[i]
	case []int16:
		x = s[i]
	case []uint32:
		x = s[i]
	case []int32:
		x = s[i]
	case []float32:
		x = s[i]
	case []bool:
		x = s[i]
	case []string:
		x = s[i]
	case []uint64:
		x = s[i]
	case []int64:
		x = s[i]
	case []float64:
		x = s[i]
	case []Value:
		return s[i], true
	}
	return Value{typ: v.elem, v: x}, true
}

// TypeName describes the type for messages: "uint32", "array[string]",
// "array[array]".
func (v Value) TypeName() string {
	if v.typ == TypeArray {
		return "array[" + v.elem.String() + "]"
	}
	return v.typ.String()
}

// asInt64 returns an integer value of any width as int64.
func (v Value) asInt64() (int64, bool) {
	switch x := v.v.(type) {
	case uint8:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

// isInteger reports whether t is one of the integer types.
func (t ValueType) isInteger() bool {
	switch t {
	case TypeUint8, TypeInt8, TypeUint16, TypeInt16, TypeUint32, TypeInt32, TypeUint64, TypeInt64:
		return true
	}
	return false
}

// String formats the value for people: strings quoted, arrays in brackets,
// arrays longer than 8 elements shortened with their length.
func (v Value) String() string {
	var b strings.Builder
	v.format(&b, 8)
	return b.String()
}

func (v Value) format(b *strings.Builder, maxElems int) {
	switch x := v.v.(type) {
	case string:
		b.WriteString(strconv.Quote(x))
		return
	case float32:
		b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
		return
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		return
	}
	if v.typ != TypeArray {
		fmt.Fprint(b, v.v)
		return
	}
	n := v.Len()
	b.WriteByte('[')
	for i := 0; i < n && i < maxElems; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		e, _ := v.Index(i)
		e.format(b, maxElems)
	}
	if n > maxElems {
		fmt.Fprintf(b, ", ... (%d elements)", n)
	}
	b.WriteByte(']')
}
