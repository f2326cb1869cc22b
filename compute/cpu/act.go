package cpu

import (
	"math"
	"sync"
)

// Activations are quantized once per MatMul, the way ggml pairs every weight
// type with a "vec_dot" type, so that the inner loops are integer dot
// products. The layout here is ours (not a ggml block format): it is shaped
// for the kernels, with the per-block values they need already expanded.
//
// Q8 blocks (paired with Q4_0 and Q8_0 weights): each 32 values x get
// d = max|x|/127 and q = round(x/d). Per block the kernels read
//
//	qs:  32 int8
//	scl: 8 float32, all d (a whole 256-bit lane, so a pair of blocks is one
//	     512-bit operand)
//	cor: 8 int32, the first -k*sum(q), the others 0: the start value of the
//	     block's integer accumulator. Weight quants are stored unsigned
//	     (Q4_0: q+8 with k=8; Q8_0: q+128 with k=128 after a sign flip) and
//	     vpdpbusd multiplies unsigned by signed bytes, so the offset comes
//	     back out through this term.
//
// Q8_K super-blocks (paired with the k-quants): 256 values x get one
// d = max|x|/127. Per super-block:
//
//	qs:   256 int8
//	d:    1 float32
//	bs16: 16 int32, sums of each 16 quants (Q6_K's sub-blocks)
//	bs32: 16 int32, 8 zeros then the sums of each 32 quants (Q4_K's
//	      sub-blocks, lined up with the mins in the upper half of the
//	      kernel's scale/min vector)
type actBuf struct {
	rows, cols int
	qs         []int8
	f          []float32 // scl (Q8) or d (Q8_K)
	i          []int32   // cor (Q8) or bs16+bs32 (Q8_K)
	qsStride   int       // bytes per row in qs
	fStride    int       // float32s per row in f
	iStride    int       // int32s per row in i
}

var actPool = sync.Pool{New: func() any { return new(actBuf) }}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// shapeQ8 sizes the buffer for Q8 blocks of rows x cols (cols % 32 == 0).
func (a *actBuf) shapeQ8(rows, cols int) {
	nb := cols / 32
	a.rows, a.cols = rows, cols
	a.qsStride, a.fStride, a.iStride = cols, nb*8, nb*8
	a.qs = grow(a.qs, rows*cols)
	a.f = grow(a.f, rows*nb*8)
	a.i = grow(a.i, rows*nb*8)
}

// quantizeQ8Row fills row r from x with offset constant k (through the
// quantQ8Row slot, which SIMD code may replace).
func (a *actBuf) quantizeQ8Row(r int, x []float32, k int32) { quantQ8Row(a, r, x, k) }

var quantQ8Row = quantQ8RowGeneric

func quantQ8RowGeneric(a *actBuf, r int, x []float32, k int32) {
	nb := a.cols / 32
	qs := a.qs[r*a.qsStride : r*a.qsStride+a.cols]
	scl := a.f[r*a.fStride : r*a.fStride+nb*8]
	cor := a.i[r*a.iStride : r*a.iStride+nb*8]
	for b := 0; b < nb; b++ {
		xb := x[32*b : 32*b+32]
		d, id := q8ScaleOf(xb)
		var s int32
		for j, v := range xb {
			q := int32(roundHalfAway(v * id))
			qs[32*b+j] = int8(q)
			s += q
		}
		for j := 0; j < 8; j++ {
			scl[8*b+j] = d
			cor[8*b+j] = 0
		}
		cor[8*b] = -k * s
	}
}

// shapeQ8K sizes the buffer for Q8_K super-blocks (cols % 256 == 0).
func (a *actBuf) shapeQ8K(rows, cols int) {
	nsb := cols / 256
	a.rows, a.cols = rows, cols
	a.qsStride, a.fStride, a.iStride = cols, nsb, nsb*32
	a.qs = grow(a.qs, rows*cols)
	a.f = grow(a.f, rows*nsb)
	a.i = grow(a.i, rows*nsb*32)
}

func (a *actBuf) quantizeQ8KRow(r int, x []float32) { quantQ8KRow(a, r, x) }

var quantQ8KRow = quantQ8KRowGeneric

func quantQ8KRowGeneric(a *actBuf, r int, x []float32) {
	nsb := a.cols / 256
	qs := a.qs[r*a.qsStride : r*a.qsStride+a.cols]
	ds := a.f[r*a.fStride : r*a.fStride+nsb]
	bs := a.i[r*a.iStride : r*a.iStride+nsb*32]
	for b := 0; b < nsb; b++ {
		xb := x[256*b : 256*b+256]
		d, id := q8ScaleOf(xb)
		ds[b] = d
		s16 := bs[32*b : 32*b+16]
		s32 := bs[32*b+16 : 32*b+32]
		clear(s16)
		clear(s32)
		for j, v := range xb {
			q := int32(roundHalfAway(v * id))
			qs[256*b+j] = int8(q)
			s16[j/16] += q
			s32[8+j/32] += q
		}
	}
}

// q8ScaleOf maps the largest magnitude to 127.
func q8ScaleOf(x []float32) (d, id float32) {
	var amax float32
	for _, v := range x {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	d = amax / 127
	if d != 0 {
		id = 1 / d
	}
	return d, id
}

func roundHalfAway(v float32) float32 { return float32(math.Round(float64(v))) }
