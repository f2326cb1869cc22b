package quant

// Q5_K: Q4_K with a fifth bit per value. Block: f16 d, f16 dmin,
// scales[12], qh[32] (value 32*s+l has its high bit at bit s of qh[l]),
// qs[128] nibbles laid out as in Q4_K.

const q5KBytes = 176

func dequantQ5_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*q5KBytes : (i+1)*q5KBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d, dmin := getF16(b), getF16(b[2:])
		sb, qh := b[4:16], b[16:48]
		for g := 0; g < 4; g++ {
			ql := b[48+32*g : 48+32*g+32]
			sc, m := kScaleMin(2*g, sb)
			d1, m1 := d*float32(sc), float32(dmin*float32(m))
			sc, m = kScaleMin(2*g+1, sb)
			d2, m2 := d*float32(sc), float32(dmin*float32(m))
			u1, u2 := uint8(1)<<(2*g), uint8(2)<<(2*g)
			lo, hi := y[64*g:64*g+32], y[64*g+32:64*g+64]
			for l := range lo {
				v1, v2 := int32(ql[l]&0xf), int32(ql[l]>>4)
				if qh[l]&u1 != 0 {
					v1 += 16
				}
				if qh[l]&u2 != 0 {
					v2 += 16
				}
				lo[l] = float32(d1*float32(v1)) - m1
				hi[l] = float32(d2*float32(v2)) - m2
			}
		}
	}
}

func quantQ5_K(src []float32, dst []byte) {
	var (
		L            [QK_K]uint8
		scales, mins [8]float32
	)
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[i*QK_K : (i+1)*QK_K]
		b := dst[i*q5KBytes : (i+1)*q5KBytes]
		maxScale, maxMin := kSubScales(x, 31, -0.5, 0.1, 15, &L, &scales, &mins)
		kSuperScales(b[4:16], b[0:4], &scales, &mins, maxScale, maxMin)
		kRequantize(x, b, 31, &L)
		packQ5K(b[16:48], b[48:176], &L)
	}
}

// packQ5K stores 5-bit levels: nibbles as in Q4_K, and the fifth bit of
// value 32*s+l at bit s of qh[l].
func packQ5K(qh, qs []byte, L *[QK_K]uint8) {
	for l := range qh {
		qh[l] = 0
	}
	for g := 0; g < 4; g++ {
		ql := qs[32*g : 32*g+32]
		for l := range ql {
			l1, l2 := L[64*g+l], L[64*g+32+l]
			if l1 > 15 {
				l1 -= 16
				qh[l] |= 1 << (2 * g)
			}
			if l2 > 15 {
				l2 -= 16
				qh[l] |= 2 << (2 * g)
			}
			ql[l] = l1 | l2<<4
		}
	}
}
