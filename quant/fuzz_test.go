package quant

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzDequantize feeds arbitrary bytes to every decoder: no panics, and
// exactly the documented errors.
func FuzzDequantize(f *testing.F) {
	f.Add(uint8(Q4_0), make([]byte, 18))
	f.Add(uint8(Q4_K), make([]byte, 144))
	f.Add(uint8(Q3_K), []byte{1, 2, 3})
	f.Add(uint8(IQ4_XS), make([]byte, 272))
	f.Add(uint8(99), make([]byte, 8))
	f.Fuzz(func(t *testing.T, typ uint8, src []byte) {
		ty := Type(typ)
		if !CanDequantize(ty) {
			if err := Dequantize(ty, src, nil); err == nil {
				t.Fatalf("%v: no error", ty)
			}
			return
		}
		whole := len(src) / ty.TypeSize() * ty.TypeSize()
		dst := make([]float32, whole/ty.TypeSize()*ty.BlockSize())
		err := Dequantize(ty, src[:whole], dst)
		if err != nil {
			t.Fatalf("%v on %d bytes: %v", ty, whole, err)
		}
		if whole != len(src) {
			if err := Dequantize(ty, src, dst); err == nil {
				t.Fatalf("%v: partial block accepted", ty)
			}
		}
	})
}

// FuzzQuantize encodes arbitrary floats (NaN and inf included) with every
// encoder: no panics, and a second encoding of the same input is identical.
func FuzzQuantize(f *testing.F) {
	f.Add(uint8(Q4_K), make([]byte, 1024))
	f.Add(uint8(Q8_0), []byte{0, 0, 0x80, 0x7f})
	f.Add(uint8(Q6_K), make([]byte, 2048))
	f.Fuzz(func(t *testing.T, typ uint8, raw []byte) {
		ty := Type(typ)
		if !CanQuantize(ty) {
			return
		}
		n := len(raw) / 4 / ty.BlockSize() * ty.BlockSize()
		x := make([]float32, n)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		a, err := QuantizeRows(ty, x, max(n, ty.BlockSize()))
		if n == 0 {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, len(a))
		if err := Quantize(ty, x, b); err != nil || string(a) != string(b) {
			t.Fatalf("%v: second encoding differs (%v)", ty, err)
		}
		y := make([]float32, n)
		if err := Dequantize(ty, a, y); err != nil {
			t.Fatal(err)
		}
	})
}
