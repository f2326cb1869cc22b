package cpu

//go:noescape
func quantQ8Blocks(x *float32, nb int, qs *int8, scl *float32, cor *int32, k int32)

func init() {
	if !hasAVX512 {
		return
	}
	quantQ8Row = func(a *actBuf, r int, x []float32, k int32) {
		nb := a.cols / 32
		if nb == 0 {
			return
		}
		_ = x[nb*32-1]
		_ = a.qs[r*a.qsStride+nb*32-1]
		_ = a.f[r*a.fStride+nb*8-1]
		_ = a.i[r*a.iStride+nb*8-1]
		quantQ8Blocks(&x[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], k)
	}
}
