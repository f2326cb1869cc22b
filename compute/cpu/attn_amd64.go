package cpu

//go:noescape
func dotsF32(q, k *float32, kStride, n, hd int, scale float32, out *float32)

//go:noescape
func axpysF32(acc, v *float32, vStride int, w *float32, n, hd int)

func init() {
	if !hasAVX512 {
		return
	}
	scoreRun = func(out, q, k []float32, stride, n int, scale float32) {
		hd := len(q)
		if hd%16 != 0 || n == 0 {
			scoreRunGeneric(out, q, k, stride, n, scale)
			return
		}
		_ = k[(n-1)*stride+hd-1]
		_ = out[n-1]
		dotsF32(&q[0], &k[0], 4*stride, n, hd, scale, &out[0])
	}
	accumRun = func(acc, v []float32, stride int, w []float32) {
		hd, n := len(acc), len(w)
		if hd%16 != 0 || n == 0 {
			accumRunGeneric(acc, v, stride, w)
			return
		}
		_ = v[(n-1)*stride+hd-1]
		axpysF32(&acc[0], &v[0], 4*stride, &w[0], n, hd)
	}
}
