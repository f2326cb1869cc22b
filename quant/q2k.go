package quant

// Q2_K: 256 values in 16 sub-blocks of 16, x = d*sc*q - dmin*m with 2-bit
// q and 4-bit sc, m per sub-block.
// Block: scales[16] (sc low nibble, m high), qs[64] (four 2-bit values per
// byte, see packQ2), f16 d, f16 dmin.

const q2KBytes = 84

func dequantQ2_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*q2KBytes : (i+1)*q2KBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		scales, qs := b[0:16], b[16:80]
		d, dmin := getF16(b[80:]), getF16(b[82:])
		is := 0
		for half := 0; half < 2; half++ {
			q := qs[32*half : 32*half+32]
			for shift := uint(0); shift < 8; shift += 2 {
				for sub := 0; sub < 2; sub++ {
					sc := scales[is]
					is++
					dl, ml := d*float32(sc&0xf), float32(dmin*float32(sc>>4))
					out := y[:16]
					y = y[16:]
					for l := range out {
						out[l] = float32(dl*float32((q[16*sub+l]>>shift)&3)) - ml
					}
				}
			}
		}
	}
}

// packQ2 stores 2-bit levels: byte l of each 32-byte group holds values
// l, l+32, l+64, l+96 of its 128 values, lowest bits first.
func packQ2(qs []byte, L []uint8) {
	for j := 0; j < QK_K; j += 128 {
		for l := 0; l < 32; l++ {
			qs[j/4+l] = L[j+l] | L[j+l+32]<<2 | L[j+l+64]<<4 | L[j+l+96]<<6
		}
	}
}

func quantQ2_K(src []float32, dst []byte) {
	const q4scale = 15
	var (
		L       [QK_K]uint8
		laux    [16]uint8
		weights [16]float32
		mins    [16]float32
		scales  [16]float32
	)
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[i*QK_K : (i+1)*QK_K]
		b := dst[i*q2KBytes : (i+1)*q2KBytes]
		sb := b[0:16]
		var maxScale, maxMin float32
		for j := 0; j < 16; j++ {
			xs := x[16*j : 16*j+16]
			for l, v := range xs {
				weights[l] = fabsf(v)
			}
			scales[j], mins[j] = makeQKX2Quants(3, xs, weights[:], L[16*j:16*j+16], laux[:], -0.5, 0.1, 15, true)
			if scales[j] > maxScale {
				maxScale = scales[j]
			}
			if mins[j] > maxMin {
				maxMin = mins[j]
			}
		}
		if maxScale > 0 {
			iscale := q4scale / maxScale
			for j := range sb {
				sb[j] = uint8(nearestInt(iscale * scales[j]))
			}
			putF16(b[80:], maxScale/q4scale)
		} else {
			for j := range sb {
				sb[j] = 0
			}
			putF16(b[80:], 0)
		}
		if maxMin > 0 {
			iscale := q4scale / maxMin
			for j := range sb {
				sb[j] |= uint8(nearestInt(iscale*mins[j]) << 4)
			}
			putF16(b[82:], maxMin/q4scale)
		} else {
			putF16(b[82:], 0)
		}
		q2Finish(x, b, &L)
	}
}

// q2Finish recomputes levels against the stored scales and mins (keeping
// the search's levels where a scale rounded to zero) and packs them.
func q2Finish(x []float32, b []byte, L *[QK_K]uint8) {
	sb := b[0:16]
	d, dmin := getF16(b[80:]), getF16(b[82:])
	for j := 0; j < 16; j++ {
		dj := d * float32(sb[j]&0xf)
		if dj == 0 {
			continue
		}
		mj := float32(dmin * float32(sb[j]>>4)) // rounded: it feeds an add
		for ii := 0; ii < 16; ii++ {
			L[16*j+ii] = uint8(clampI(nearestInt((x[16*j+ii]+mj)/dj), 0, 3))
		}
	}
	packQ2(b[16:80], L[:])
}
