package cpu

import "github.com/ferrum-go/ferrum/quant"

//go:noescape
func q4_1DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q5_1DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)

//go:noescape
func q4_1DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q5_1DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)

//go:noescape
func q4_1DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

//go:noescape
func q5_1DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)

func init() {
	if !hasVNNI {
		return
	}
	for typ, k := range map[quant.Type]struct {
		x1 func(*byte, int, *int8, *float32, *int32, *[16]float32)
		x4 func(*byte, int, *int8, int, *float32, *int32, int, *[64]float32)
		w4 func(*byte, int, int, *int8, *float32, *int32, *[64]float32)
	}{quant.Q4_1: {q4_1DotX1, q4_1DotX4, q4_1DotW4}, quant.Q5_1: {q5_1DotX1, q5_1DotX4, q5_1DotW4}} {
		x1, x4, w4 := k.x1, k.x4, k.w4
		qKernels[typ].w4 = func(w []byte, stride int, a *actBuf, r, nb int, out *[64]float32) {
			w4(&w[0], stride, nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
		}
		setFast(qKernels[typ], 2, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
			x1(&w[0], nb/2, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
		}, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
			x4(&w[0], nb/2, &a.qs[r*a.qsStride], a.qsStride, &a.f[r*a.fStride], &a.i[r*a.iStride], 4*a.fStride, out)
		})
	}
}
