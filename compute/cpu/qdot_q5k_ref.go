package cpu

// dotQ5_KRef is Q4_K's dot product with a fifth bit per quant: Q5_K blocks
// (176 bytes: d, dmin, 12 bytes of scales/mins, 32 bytes qh, 128 bytes of
// nibbles) hold q in 0..31, the bit of value 32*s+l at bit s of qh[l].
func dotQ5_KRef(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	ds := a.f[r*a.fStride:]
	bs := a.i[r*a.iStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[176*b : 176*b+176]
		sc, m := kScales(blk[4:16])
		qh := blk[16:48]
		var si, sm int32
		for g := 0; g < 4; g++ {
			q := blk[48+32*g : 80+32*g]
			a0 := qs[256*b+64*g:]
			var lo, hi int32
			for l := 0; l < 32; l++ {
				vl := int32(q[l]&15) | int32(qh[l]>>(2*g)&1)<<4
				vh := int32(q[l]>>4) | int32(qh[l]>>(2*g+1)&1)<<4
				lo += vl * int32(a0[l])
				hi += vh * int32(a0[32+l])
			}
			si += sc[2*g]*lo + sc[2*g+1]*hi
		}
		for j := 0; j < 8; j++ {
			sm += m[j] * bs[32*b+16+8+j]
		}
		sum += ds[b] * (f16At(blk)*float32(si) - f16At(blk[2:])*float32(sm))
	}
	return sum
}
