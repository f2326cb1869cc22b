package cpu

import "github.com/ferrum-go/ferrum/quant"

// The AVX2+FMA twins of fdot_amd64.go's kernels (same signatures, same
// lane structure, bit-identical results); they take the slots only where
// no AVX-512 kernel did.

//go:noescape
func f32RowX1AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f16RowX1AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func bf16RowX1AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f32RowX4AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f16RowX4AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func bf16RowX4AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)

//go:noescape
func f32Tile4x4AVX2(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)

//go:noescape
func f16Tile4x4AVX2(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)

//go:noescape
func bf16Tile4x4AVX2(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)

//go:noescape
func f32RowW4AVX2(w *byte, wStride int, n int, x *float32, out *[64]float32)

//go:noescape
func f16RowW4AVX2(w *byte, wStride int, n int, x *float32, out *[64]float32)

//go:noescape
func bf16RowW4AVX2(w *byte, wStride int, n int, x *float32, out *[64]float32)

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

//go:noescape
func axpyF32AVX2(a float32, x, y *float32, n int)

// avx2FloatRows are the MatMul row kernels per float weight type.
var avx2FloatRows = map[quant.Type]floatRowKernel{
	quant.F32:  {x1: f32RowX1AVX2, x4: f32RowX4AVX2, t44: f32Tile4x4AVX2, w4: f32RowW4AVX2, bytes: 4},
	quant.F16:  {x1: f16RowX1AVX2, x4: f16RowX4AVX2, t44: f16Tile4x4AVX2, w4: f16RowW4AVX2, bytes: 2},
	quant.BF16: {x1: bf16RowX1AVX2, x4: bf16RowX4AVX2, t44: bf16Tile4x4AVX2, w4: bf16RowW4AVX2, bytes: 2},
}

func init() {
	if !hasAVX2 || hasAVX512 {
		return
	}
	dot, axpy = dotAVX2, axpyAVX2
	for t, k := range avx2FloatRows {
		floatRows[t] = k
	}
}

// dotAVX2 is dot: the assembly takes whole 16s (as the AVX-512 dot does,
// so both give the same sums), Go the tail.
func dotAVX2(a, b []float32) float32 {
	n := len(a) &^ 15
	b = b[:len(a)]
	var s float32
	if n > 0 {
		s = dotF32AVX2(&a[0], &b[0], n)
	}
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// axpyAVX2 is axpy, split like dotAVX2.
func axpyAVX2(a float32, x, y []float32) {
	n := len(x) &^ 15
	y = y[:len(x)]
	if n > 0 {
		axpyF32AVX2(a, &x[0], &y[0], n)
	}
	for i := n; i < len(x); i++ {
		y[i] += a * x[i]
	}
}
