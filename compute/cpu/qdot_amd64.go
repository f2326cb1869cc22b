package cpu

import "github.com/ferrum-go/ferrum/quant"

//go:noescape
func q8_0DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q4_0DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q8_0DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q4_0DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q8_0DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

//go:noescape
func q4_0DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

func init() {
	if !hasVNNI {
		return
	}
	qKernels[quant.Q8_0].w4 = func(w []byte, stride int, a *actBuf, r, nb int, out *[64]float32) {
		q8_0DotW4(&w[0], stride, nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
	}
	qKernels[quant.Q4_0].w4 = func(w []byte, stride int, a *actBuf, r, nb int, out *[64]float32) {
		q4_0DotW4(&w[0], stride, nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
	}
	setFast(qKernels[quant.Q8_0], 2, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q8_0DotX1(&w[0], nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
	}, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q8_0DotX4(&w[0], nb/2, &a.qs[r*a.qsStride], a.qsStride, &a.f[r*a.fStride], &a.i[r*a.iStride], 4*a.fStride, out)
	})
	setFast(qKernels[quant.Q4_0], 2, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q4_0DotX1(&w[0], nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
	}, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q4_0DotX4(&w[0], nb/2, &a.qs[r*a.qsStride], a.qsStride, &a.f[r*a.fStride], &a.i[r*a.iStride], 4*a.fStride, out)
	})
}

//go:noescape
func q4_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

//go:noescape
func q4_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

//go:noescape
func q6_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

//go:noescape
func q6_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

func init() {
	if !hasVNNI {
		return
	}
	setFast(qKernels[quant.Q4_K], 1, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q4_KDotX1(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
	}, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q4_KDotX4(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
	})
	setFast(qKernels[quant.Q6_K], 1, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q6_KDotX1(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
	}, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q6_KDotX4(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
	})
}
