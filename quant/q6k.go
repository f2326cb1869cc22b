package quant

// Q6_K: 256 values in 16 sub-blocks of 16, x = d*sc*(q-32) with 6-bit q
// and int8 sc. Block: ql[128] (low nibbles), qh[64] (top two bits),
// scales[16] int8, f16 d. Each 128-value half uses 64 bytes of ql and 32 of
// qh: byte l of ql holds values l (low nibble) and l+64 (high), byte l+32
// holds l+32 and l+96; qh[l] holds the top bits of l, l+32, l+64, l+96.

const q6KBytes = 210

func dequantQ6_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*q6KBytes : (i+1)*q6KBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b[208:])
		for half := 0; half < 2; half++ {
			ql := b[64*half : 64*half+64]
			qh := b[128+32*half : 128+32*half+32]
			sc := b[192+8*half : 192+8*half+8]
			out := y[128*half : 128*half+128]
			for l := 0; l < 32; l++ {
				is := l / 16
				q1 := int32(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
				q2 := int32(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
				q3 := int32(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
				q4 := int32(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
				out[l] = d * float32(int8(sc[is])) * float32(q1)
				out[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
				out[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
				out[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
			}
		}
	}
}

func quantQ6_K(src []float32, dst []byte) {
	var (
		L      [QK_K]int8
		scales [16]float32
	)
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[i*QK_K : (i+1)*QK_K]
		b := dst[i*q6KBytes : (i+1)*q6KBytes]
		var maxScale, maxAbsScale float32
		for ib := 0; ib < 16; ib++ {
			scales[ib] = makeQXQuants(32, x[16*ib:16*ib+16], L[16*ib:16*ib+16], nil)
			if a := fabsf(scales[ib]); a > maxAbsScale {
				maxAbsScale, maxScale = a, scales[ib]
			}
		}
		q6Finish(x, b, &L, &scales, maxScale, maxAbsScale)
	}
}

// q6Finish quantizes the sub-block scales to int8 against the largest,
// recomputes levels against them (keeping the search's levels where a
// scale rounded to zero) and packs everything.
func q6Finish(x []float32, b []byte, L *[QK_K]int8, scales *[16]float32, maxScale, maxAbsScale float32) {
	if maxAbsScale < groupMaxEps {
		for j := range b {
			b[j] = 0
		}
		return
	}
	iscale := -128 / maxScale
	putF16(b[208:], 1/iscale)
	sc := b[192:208]
	for ib := range sc {
		sc[ib] = byte(int8(minI(127, nearestInt(iscale*scales[ib]))))
	}
	d := getF16(b[208:])
	for j := 0; j < 16; j++ {
		dj := d * float32(int8(sc[j]))
		if dj == 0 {
			continue
		}
		for ii := 0; ii < 16; ii++ {
			L[16*j+ii] = int8(clampI(nearestInt(x[16*j+ii]/dj), -32, 31) + 32)
		}
	}
	for half := 0; half < 2; half++ {
		ql := b[64*half : 64*half+64]
		qh := b[128+32*half : 128+32*half+32]
		v := L[128*half : 128*half+128]
		for l := 0; l < 32; l++ {
			l0, l1, l2, l3 := uint8(v[l]), uint8(v[l+32]), uint8(v[l+64]), uint8(v[l+96])
			ql[l] = l0&0xf | (l2&0xf)<<4
			ql[l+32] = l1&0xf | (l3&0xf)<<4
			qh[l] = l0>>4 | (l1>>4)<<2 | (l2>>4)<<4 | (l3>>4)<<6
		}
	}
}
