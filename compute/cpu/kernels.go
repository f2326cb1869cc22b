package cpu

import (
	"github.com/ferrum-go/ferrum/quant"
)

// The kernel slots. Each is a package variable or table entry so that the
// SIMD/assembly kernels of a later change replace exactly one (op, dtype)
// without touching the loops around them; compute/ref stays the yardstick.

// matmulKernel fills dst[r*w.rows+o] for every activation row r of x
// (rows x w.cols) and every weight row o in [lo, hi). A type-specific kernel
// (say, an int8 dot product over Q8_0 blocks) registers here; types without
// one use matmulDequant.
type matmulKernel func(dst, x []float32, rows int, w *tensor, lo, hi int)

var matmulKernels = map[quant.Type]matmulKernel{}

// matmulDequant decodes each weight row once into scratch (F32 weights are
// read in place) and dots it with every activation row.
func matmulDequant(dst, x []float32, rows int, w *tensor, lo, hi int) {
	in, out := w.cols, w.rows
	var scratch []float32
	if w.dtype != quant.F32 {
		buf := floatScratch.get(in)
		defer floatScratch.put(buf)
		scratch = buf.v
	}
	for o := lo; o < hi; o++ {
		var wr []float32
		if w.dtype == quant.F32 {
			wr = w.row(o)
		} else {
			w.deq(w.rawRow(o), scratch)
			wr = scratch
		}
		for r := 0; r < rows; r++ {
			dst[r*out+o] = dot(x[r*in:(r+1)*in], wr)
		}
	}
}

// dot is the inner product at the heart of MatMul and Attention.
var dot = dotGeneric

func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy: y += a*x, the value accumulation of attention.
var axpy = axpyGeneric

func axpyGeneric(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// dequantizers turn one row of a weight's raw bytes into float32s, per
// element type: a fast kernel registered here wins, anything else quant can
// decode goes through quant.Dequantize (bit-exact with ggml). F32 weights
// never go through here; they are used in place.
var dequantizers = map[quant.Type]func(src []byte, dst []float32){}

func dequantizerFor(t quant.Type) (func(src []byte, dst []float32), bool) {
	if f, ok := dequantizers[t]; ok {
		return f, true
	}
	if !quant.CanDequantize(t) {
		return nil, false
	}
	return func(src []byte, dst []float32) {
		// Lengths were checked when the weight was wrapped.
		_ = quant.Dequantize(t, src, dst)
	}, true
}
