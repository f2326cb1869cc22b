package cpu

import "github.com/ferrum-go/ferrum/quant"

//go:noescape
func f32RowX1(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f16RowX1(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func bf16RowX1(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f32RowX4(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f16RowX4(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func bf16RowX4(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f32Tile4x4(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)

//go:noescape
func f16Tile4x4(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)

//go:noescape
func bf16Tile4x4(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)

//go:noescape
func f32RowW4(w *byte, wStride int, n int, x *float32, out *[64]float32)

//go:noescape
func f16RowW4(w *byte, wStride int, n int, x *float32, out *[64]float32)

//go:noescape
func bf16RowW4(w *byte, wStride int, n int, x *float32, out *[64]float32)

//go:noescape
func dotF32(a, b *float32, n int) float32

//go:noescape
func axpyF32(a float32, x, y *float32, n int)

func init() {
	if !hasAVX512 {
		return
	}
	dot = func(a, b []float32) float32 {
		n := len(a) &^ 15
		b = b[:len(a)]
		var s float32
		if n > 0 {
			s = dotF32(&a[0], &b[0], n)
		}
		for i := n; i < len(a); i++ {
			s += a[i] * b[i]
		}
		return s
	}
	axpy = func(a float32, x, y []float32) {
		n := len(x) &^ 15
		y = y[:len(x)]
		if n > 0 {
			axpyF32(a, &x[0], &y[0], n)
		}
		for i := n; i < len(x); i++ {
			y[i] += a * x[i]
		}
	}
	floatRows[quant.F32] = floatRowKernel{x1: f32RowX1, x4: f32RowX4, t44: f32Tile4x4, w4: f32RowW4, bytes: 4}
	floatRows[quant.F16] = floatRowKernel{x1: f16RowX1, x4: f16RowX4, t44: f16Tile4x4, w4: f16RowW4, bytes: 2}
	floatRows[quant.BF16] = floatRowKernel{x1: bf16RowX1, x4: bf16RowX4, t44: bf16Tile4x4, w4: bf16RowW4, bytes: 2}
}
