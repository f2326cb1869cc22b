package cpu

//go:noescape
func dotsF16(q *float32, k *uint16, kStride, n, hd int, scale float32, out *float32)

//go:noescape
func axpysF16(acc *float32, v *uint16, vStride int, w *float32, n, hd int)

func init() {
	if !hasAVX512 {
		return
	}
	generic16, accum16 := scoreRunF16, accumRunF16
	scoreRunF16 = func(out, q []float32, k []uint16, stride, n int, scale float32) {
		hd := len(q)
		if hd%16 != 0 || n == 0 {
			generic16(out, q, k, stride, n, scale)
			return
		}
		_ = k[(n-1)*stride+hd-1]
		_ = out[n-1]
		dotsF16(&q[0], &k[0], 2*stride, n, hd, scale, &out[0])
	}
	accumRunF16 = func(acc []float32, v []uint16, stride int, w []float32) {
		hd, n := len(acc), len(w)
		if hd%16 != 0 || n == 0 {
			accum16(acc, v, stride, w)
			return
		}
		_ = v[(n-1)*stride+hd-1]
		axpysF16(&acc[0], &v[0], 2*stride, &w[0], n, hd)
	}
}
