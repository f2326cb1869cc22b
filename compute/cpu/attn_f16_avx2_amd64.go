package cpu

//go:noescape
func dotsF16AVX2(q *float32, k *uint16, kStride, n, hd int, scale float32, out *float32)

//go:noescape
func axpysF16AVX2(acc *float32, v *uint16, vStride int, w *float32, n, hd int)

func init() {
	if !hasAVX2 || hasAVX512 {
		return
	}
	scoreRunF16, accumRunF16 = scoreRunF16AVX2, accumRunF16AVX2
}

// scoreRunF16AVX2 and accumRunF16AVX2 are attn_f16_amd64.go's slots on the
// AVX2 kernels (head sizes that are not a multiple of 16 stay in Go).
func scoreRunF16AVX2(out, q []float32, k []uint16, stride, n int, scale float32) {
	hd := len(q)
	if hd%16 != 0 || n == 0 {
		scoreRunF16Generic(out, q, k, stride, n, scale)
		return
	}
	_ = k[(n-1)*stride+hd-1]
	_ = out[n-1]
	dotsF16AVX2(&q[0], &k[0], 2*stride, n, hd, scale, &out[0])
}

func accumRunF16AVX2(acc []float32, v []uint16, stride int, w []float32) {
	hd, n := len(acc), len(w)
	if hd%16 != 0 || n == 0 {
		accumRunF16Generic(acc, v, stride, w)
		return
	}
	_ = v[(n-1)*stride+hd-1]
	axpysF16AVX2(&acc[0], &v[0], 2*stride, &w[0], n, hd)
}
