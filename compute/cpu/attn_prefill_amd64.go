package cpu

//go:noescape
func scoreTile4(q, k *float32, nkb, hd int, scale float32, out *float32, outStride int)

//go:noescape
func accumTile4(acc, w *float32, wStride int, v *float32, n, hd int)

//go:noescape
func maxF32(x *float32, n int) float32

//go:noescape
func scaleF32(x *float32, n int, c float32)

//go:noescape
func widenF16Rows(dst *float32, src *uint16, srcStride, n, hd int)

// The tiled path must repeat the per-row kernels' arithmetic bit for bit,
// so it exists only beside the AVX-512 dotsF32/dotsF16/axpys kernels it
// mirrors.
func init() {
	if !hasAVX512 {
		return
	}
	maxRun = func(x []float32) float32 {
		if len(x) == 0 {
			return maxRunGeneric(x)
		}
		return maxF32(&x[0], len(x))
	}
	scaleRun = func(x []float32, c float32) {
		n := len(x) &^ 15
		if n > 0 {
			scaleF32(&x[0], n, c)
		}
		scaleRunGeneric(x[n:], c)
	}
	tileKernels = &attnTileKernels{
		score: func(out []float32, outStride int, q, k []float32, nkb, hd int, scale float32) {
			_ = q[4*hd-1]
			_ = k[4*nkb*hd-1]
			_ = out[3*outStride+4*nkb-1]
			scoreTile4(&q[0], &k[0], nkb, hd, scale, &out[0], 4*outStride)
		},
		accum: func(acc, w []float32, wStride int, v []float32, n, hd int) {
			_ = acc[4*hd-1]
			_ = w[3*wStride+n-1]
			_ = v[n*hd-1]
			accumTile4(&acc[0], &w[0], 4*wStride, &v[0], n, hd)
		},
		widen: func(dst []float32, src []uint16, srcStride, n, hd int) {
			_ = dst[n*hd-1]
			_ = src[(n-1)*srcStride+hd-1]
			widenF16Rows(&dst[0], &src[0], 2*srcStride, n, hd)
		},
	}
}
