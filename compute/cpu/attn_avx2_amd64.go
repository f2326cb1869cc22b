package cpu

//go:noescape
func dotsF32AVX2(q, k *float32, kStride, n, hd int, scale float32, out *float32)

//go:noescape
func axpysF32AVX2(acc, v *float32, vStride int, w *float32, n, hd int)

func init() {
	if !hasAVX2 || hasAVX512 {
		return
	}
	scoreRun, accumRun = scoreRunAVX2, accumRunAVX2
}

// scoreRunAVX2 and accumRunAVX2 are attn_amd64.go's slots on the AVX2
// kernels (head sizes that are not a multiple of 16 stay in Go).
func scoreRunAVX2(out, q, k []float32, stride, n int, scale float32) {
	hd := len(q)
	if hd%16 != 0 || n == 0 {
		scoreRunGeneric(out, q, k, stride, n, scale)
		return
	}
	_ = k[(n-1)*stride+hd-1]
	_ = out[n-1]
	dotsF32AVX2(&q[0], &k[0], 4*stride, n, hd, scale, &out[0])
}

func accumRunAVX2(acc, v []float32, stride int, w []float32) {
	hd, n := len(acc), len(w)
	if hd%16 != 0 || n == 0 {
		accumRunGeneric(acc, v, stride, w)
		return
	}
	_ = v[(n-1)*stride+hd-1]
	axpysF32AVX2(&acc[0], &v[0], 4*stride, &w[0], n, hd)
}
