package cpu

import "math"

//go:noescape
func sumSquaresF32AVX2(x *float32, n int) float32

//go:noescape
func scaleMulF32AVX2(dst, x, w *float32, s float32, n int)

func init() {
	if !hasAVX2 || hasAVX512 {
		return
	}
	rmsNormRow = rmsNormRowAVX2
}

// rmsNormRowAVX2 is norm_amd64.go's rmsNormRow on the AVX2 kernels.
func rmsNormRowAVX2(dst, x, w []float32, eps float32) {
	if len(x) == 0 {
		return
	}
	dst, w = dst[:len(x)], w[:len(x)]
	ss := sumSquaresF32AVX2(&x[0], len(x))
	inv := float32(1 / math.Sqrt(float64(ss)/float64(len(x))+float64(eps)))
	scaleMulF32AVX2(&dst[0], &x[0], &w[0], inv, len(x))
}
