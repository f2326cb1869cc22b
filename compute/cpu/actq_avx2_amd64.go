package cpu

//go:noescape
func quantQ8BlocksAvx2(x *float32, nb int, qs *int8, scl *float32, cor *int32, k int32)

//go:noescape
func quantQ8KBlocksAvx2(x *float32, nsb int, qs *int8, d *float32, bs *int32)

// The AVX2 activation quantizers (actq_avx2_amd64.s) take the slots where
// the AVX-512 ones did not.
func init() {
	if !hasAVX2 || hasAVX512 {
		return
	}
	quantQ8Row = quantQ8RowAvx2
	quantQ8KRow = quantQ8KRowAvx2
}

func quantQ8RowAvx2(a *actBuf, r int, x []float32, k int32) {
	nb := a.cols / 32
	if nb == 0 {
		return
	}
	_ = x[nb*32-1]
	_ = a.qs[r*a.qsStride+nb*32-1]
	_ = a.f[r*a.fStride+nb*8-1]
	_ = a.i[r*a.iStride+nb*8-1]
	quantQ8BlocksAvx2(&x[0], nb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride], k)
}

func quantQ8KRowAvx2(a *actBuf, r int, x []float32) {
	nsb := a.cols / 256
	if nsb == 0 {
		return
	}
	_ = x[nsb*256-1]
	_ = a.qs[r*a.qsStride+nsb*256-1]
	_ = a.f[r*a.fStride+nsb-1]
	_ = a.i[r*a.iStride+nsb*32-1]
	quantQ8KBlocksAvx2(&x[0], nsb, &a.qs[r*a.qsStride], &a.f[r*a.fStride], &a.i[r*a.iStride])
}
