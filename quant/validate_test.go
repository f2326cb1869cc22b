package quant

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	// Every sized type with good data passes.
	for typ := range types {
		data := make([]byte, 3*typ.TypeSize())
		if err := Validate(typ, data); err != nil {
			t.Errorf("%v: zero blocks: %v", typ, err)
		}
		if typ.TypeSize() > 1 {
			if err := Validate(typ, data[1:]); err == nil {
				t.Errorf("%v: partial block accepted", typ)
			}
		}
	}
	bad := []struct {
		typ  Type
		data func() []byte
		want string
	}{
		{F32, func() []byte {
			b := make([]byte, 12)
			binary.LittleEndian.PutUint32(b[8:], math.Float32bits(float32(math.Inf(-1))))
			return b
		}, "F32 value 2 is infinite"},
		{F16, func() []byte { return []byte{0, 0, 0x01, 0x7c} }, "F16 value 1 is NaN"},
		{BF16, func() []byte { return []byte{0x80, 0x7f} }, "BF16 value 0 is infinite"},
		{Q4_1, func() []byte {
			b := make([]byte, 40)
			binary.LittleEndian.PutUint16(b[22:], 0xfe00)
			return b
		}, "Q4_1 block 1 has a scale that is NaN"},
		{Q2_K, func() []byte {
			b := make([]byte, 84)
			binary.LittleEndian.PutUint16(b[82:], 0x7c00)
			return b
		}, "Q2_K block 0 has a scale that is infinite"},
		{Q6_K, func() []byte {
			b := make([]byte, 210)
			binary.LittleEndian.PutUint16(b[208:], 0x7c00)
			return b
		}, "Q6_K block 0 has a scale that is infinite"},
		{Q8_K, func() []byte {
			b := make([]byte, 292)
			binary.LittleEndian.PutUint32(b, 0x7fc00000)
			return b
		}, "Q8_K block 0 has a scale that is NaN"},
		{MXFP4, func() []byte {
			b := make([]byte, 34)
			b[17] = 0xff
			return b
		}, "MXFP4 block 1"},
		{IQ1_M, func() []byte {
			b := make([]byte, 56)
			// The f16 scale's four nibbles sit in the top nibbles of the
			// four scale words, lowest first: 0x7c00 is 0, 0, 0xc, 0x7.
			binary.LittleEndian.PutUint16(b[52:], 0xc000)
			binary.LittleEndian.PutUint16(b[54:], 0x7000)
			return b
		}, "IQ1_M block 0 has a scale that is infinite"},
	}
	for _, tc := range bad {
		err := Validate(tc.typ, tc.data())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.typ, err, tc.want)
		}
	}
	if err := Validate(Type(99), nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unknown type: %v", err)
	}
}
