package cpu

import "encoding/binary"

// q3KScales unpacks Q3_K's 12 bytes of 6-bit scales (4 low bits in bytes
// 0..7, 2 high bits in bytes 8..11) to signed values.
func q3KScales(sb []byte) (sc [16]int32) {
	a0, a1 := binary.LittleEndian.Uint32(sb), binary.LittleEndian.Uint32(sb[4:])
	t := binary.LittleEndian.Uint32(sb[8:])
	const m4, m2 = 0x0f0f0f0f, 0x03030303
	aux := [4]uint32{
		a0&m4 | (t&m2)<<4,
		a1&m4 | (t>>2&m2)<<4,
		a0>>4&m4 | (t>>4&m2)<<4,
		a1>>4&m4 | (t>>6&m2)<<4,
	}
	for i := range sc {
		sc[i] = int32(aux[i/4]>>(8*(i%4))&0xff) - 32
	}
	return sc
}

// dotQ3_KRef: Q3_K blocks (110 bytes: hmask[32], 64 bytes of 2-bit quants
// laid out as Q2_K's, 12 scale bytes, d) hold q in -4..3: the low bits
// of value 128h+32j+l at bits 2j of qs[32h+l], and 4 subtracted where bit
// 4h+j of hmask[l] is clear. The kernels use q+4 in 0..7 and take
// 4*scale*bs16 back out of the integer sum.
func dotQ3_KRef(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	ds := a.f[r*a.fStride:]
	bs := a.i[r*a.iStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[110*b : 110*b+110]
		sc := q3KScales(blk[96:108])
		hm := blk[0:32]
		x := qs[256*b:]
		var si int32
		for h := 0; h < 2; h++ {
			q := blk[32+32*h : 64+32*h]
			for j := 0; j < 4; j++ {
				for s := 0; s < 2; s++ {
					var d int32
					for l := 16 * s; l < 16*s+16; l++ {
						v := int32(q[l]>>(2*j)&3) | int32(hm[l]>>(4*h+j)&1)<<2
						d += v * int32(x[128*h+32*j+l])
					}
					i := 8*h + 2*j + s
					si += sc[i] * (d - 4*bs[32*b+i])
				}
			}
		}
		sum += ds[b] * f16At(blk[108:]) * float32(si)
	}
	return sum
}
