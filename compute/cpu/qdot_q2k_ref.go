package cpu

// dotQ2_KRef: Q2_K blocks (84 bytes: 16 scale bytes, 4-bit scale low and
// 4-bit min high per sub-block of 16; 64 bytes of 2-bit quants; d; dmin)
// hold value 128h+32j+l at bits 2j of qs[32h+l]. Against Q8_K activations
// the mins multiply the sums of 16 quants (bs16).
func dotQ2_KRef(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	ds := a.f[r*a.fStride:]
	bs := a.i[r*a.iStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[84*b : 84*b+84]
		x := qs[256*b:]
		var si, sm int32
		for h := 0; h < 2; h++ {
			q := blk[16+32*h : 48+32*h]
			for j := 0; j < 4; j++ {
				for s := 0; s < 2; s++ {
					var d int32
					for l := 16 * s; l < 16*s+16; l++ {
						d += int32(q[l]>>(2*j)&3) * int32(x[128*h+32*j+l])
					}
					si += int32(blk[8*h+2*j+s]&15) * d
				}
			}
		}
		for i := 0; i < 16; i++ {
			sm += int32(blk[i]>>4) * bs[32*b+i]
		}
		sum += ds[b] * (f16At(blk[80:])*float32(si) - f16At(blk[82:])*float32(sm))
	}
	return sum
}
