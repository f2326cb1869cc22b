package cpu

import "github.com/ferrum-go/ferrum/quant"

//go:noescape
func q5_0DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q5_0DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q5_0DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

func init() {
	if !hasVNNI {
		return
	}
	qk := qKernels[quant.Q5_0]
	qk.w4 = func(w []byte, stride int, a *actBuf, r, nb int, out *[64]float32) {
		q5_0DotW4(&w[0], stride, nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
	}
	setFast(qk, 2, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q5_0DotX1(&w[0], nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
	}, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q5_0DotX4(&w[0], nb/2, &a.qs[r*a.qsStride], a.qsStride, &a.f[r*a.fStride], &a.i[r*a.iStride], 4*a.fStride, out)
	})
}
