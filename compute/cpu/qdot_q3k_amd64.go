package cpu

import "github.com/ferrum-go/ferrum/quant"

//go:noescape
func q3_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)

//go:noescape
func q3_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)

func init() {
	if !hasVNNI {
		return
	}
	setFast(qKernels[quant.Q3_K], 1, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q3_KDotX1(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], (*[16]float32)(out[:16]))
	}, func(w []byte, a *actBuf, r, nb int, out *[64]float32) {
		q3_KDotX4(&w[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], out)
	})
}
