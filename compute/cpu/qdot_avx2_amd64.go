package cpu

import "github.com/ferrum-go/ferrum/quant"

// AVX2+FMA integer MatMul kernels (qdot_avx2_amd64.s): what CPUs without
// AVX512-VNNI (AMD Zen 1-3, Intel client parts) run instead of the plain-Go
// dot products. They take the slots only where no VNNI kernel did, and they
// read the same activation layouts, so either quantizer (AVX-512 or AVX2)
// feeds them.

//go:noescape
func q8_0DotX1Avx2(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q8_0DotX4Avx2(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q8_0DotW4Avx2(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

//go:noescape
func q4_0DotX1Avx2(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q4_0DotX4Avx2(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q4_0DotW4Avx2(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

//go:noescape
func q4_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

//go:noescape
func q4_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

//go:noescape
func q6_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

//go:noescape
func q6_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

//go:noescape
func q5_0DotX1Avx2(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q5_0DotX4Avx2(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q5_0DotW4Avx2(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

//go:noescape
func q4_1DotX1Avx2(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q4_1DotX4Avx2(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q4_1DotW4Avx2(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

//go:noescape
func q5_1DotX1Avx2(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q5_1DotX4Avx2(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q5_1DotW4Avx2(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

//go:noescape
func q5_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

//go:noescape
func q5_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

//go:noescape
func q2_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

//go:noescape
func q2_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

//go:noescape
func q3_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

//go:noescape
func q3_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

// avx2Kernel is one weight type's AVX2 kernels in qKernel's shapes.
type avx2Kernel struct {
	step int
	x1   func(w []byte, a *actBuf, r, nb int, out *[64]float32)
	x4   func(w []byte, a *actBuf, r, nb int, out *[64]float32)
	w4   func(w []byte, stride int, a *actBuf, r, nb int, out *[64]float32)
}

// q8Avx2 wraps kernels over pairs of Q8-activation blocks (step 2).
func q8Avx2(x1 func(*byte, int, *int8, *float32, *int32, *[16]float32),
	x4 func(*byte, int, *int8, int, *float32, *int32, int, *[64]float32),
	w4 func(*byte, int, int, *int8, *float32, *int32, *[64]float32)) avx2Kernel {
	k := avx2Kernel{step: 2,
		x1: func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
			x1(&w[0], nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
		},
		x4: func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
			x4(&w[0], nb/2, &a.qs[r*a.qsStride], a.qsStride, &a.f[r*a.fStride], &a.i[r*a.iStride], 4*a.fStride, out)
		},
	}
	if w4 != nil {
		k.w4 = func(w []byte, stride int, a *actBuf, r, nb int, out *[64]float32) {
			w4(&w[0], stride, nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
		}
	}
	return k
}

// kAvx2 wraps k-quant kernels over Q8_K super-blocks (step 1); the x4
// kernels find the other activation rows from nsb, as the VNNI ones do.
func kAvx2(x1 func(*byte, int, *int8, *float32, *int32, *[16]float32),
	x4 func(*byte, int, *int8, *float32, *int32, *[64]float32)) avx2Kernel {
	return avx2Kernel{step: 1,
		x1: func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
			x1(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
		},
		x4: func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
			x4(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
		},
	}
}

// avx2Kernels lists every AVX2 kernel, registered or not (the tests run
// them directly on any AVX2 CPU).
var avx2Kernels = map[quant.Type]avx2Kernel{
	quant.Q8_0: q8Avx2(q8_0DotX1Avx2, q8_0DotX4Avx2, q8_0DotW4Avx2),
	quant.Q4_0: q8Avx2(q4_0DotX1Avx2, q4_0DotX4Avx2, q4_0DotW4Avx2),
	quant.Q4_K: kAvx2(q4_KDotX1Avx2, q4_KDotX4Avx2),
	quant.Q6_K: kAvx2(q6_KDotX1Avx2, q6_KDotX4Avx2),
	quant.Q5_K: kAvx2(q5_KDotX1Avx2, q5_KDotX4Avx2),
	quant.Q2_K: kAvx2(q2_KDotX1Avx2, q2_KDotX4Avx2),
	quant.Q3_K: kAvx2(q3_KDotX1Avx2, q3_KDotX4Avx2),
	quant.Q5_0: q8Avx2(q5_0DotX1Avx2, q5_0DotX4Avx2, q5_0DotW4Avx2),
	quant.Q4_1: q8Avx2(q4_1DotX1Avx2, q4_1DotX4Avx2, q4_1DotW4Avx2),
	quant.Q5_1: q8Avx2(q5_1DotX1Avx2, q5_1DotX4Avx2, q5_1DotW4Avx2),
}

func init() {
	if !hasAVX2 || hasVNNI {
		return
	}
	for typ, k := range avx2Kernels {
		qk := qKernels[typ]
		setFast(qk, k.step, k.x1, k.x4)
		qk.w4 = k.w4
	}
}
