package quant

// Q3_K: 256 values in 16 sub-blocks of 16, x = d*(sc-32)*(q-4) with 3-bit
// q and 6-bit sc. Block: hmask[32] (the high bit of value j is bit j/32 of
// hmask[j%32]), qs[64] (low two bits, packed as in Q2_K), scales[12] (see
// q3Scale), f16 d.

const q3KBytes = 110

// q3Scale unpacks sub-block j's 6-bit scale: low nibbles in bytes 0..7
// (sub-blocks 8..15 in the high nibbles), top two bits in bytes 8..11.
func q3Scale(sb []byte, j int) int8 {
	var lo uint8
	if j < 8 {
		lo = sb[j] & 0xf
	} else {
		lo = sb[j-8] >> 4
	}
	hi := (sb[8+j%4] >> (2 * (j / 4))) & 3
	return int8(lo | hi<<4)
}

func dequantQ3_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*q3KBytes : (i+1)*q3KBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		hmask, qs, sb := b[0:32], b[32:96], b[96:108]
		d := getF16(b[108:])
		is := 0
		m := uint8(1)
		for half := 0; half < 2; half++ {
			q := qs[32*half : 32*half+32]
			for shift := uint(0); shift < 8; shift += 2 {
				for sub := 0; sub < 2; sub++ {
					dl := d * float32(q3Scale(sb, is)-32)
					is++
					out := y[:16]
					y = y[16:]
					for l := range out {
						v := int32((q[16*sub+l] >> shift) & 3)
						if hmask[16*sub+l]&m == 0 {
							v -= 4
						}
						out[l] = dl * float32(v)
					}
				}
				m <<= 1
			}
		}
	}
}

func quantQ3_K(src []float32, dst []byte) {
	var (
		L      [QK_K]int8
		scales [16]float32
	)
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[i*QK_K : (i+1)*QK_K]
		b := dst[i*q3KBytes : (i+1)*q3KBytes]
		sb := b[96:108]
		var maxScale, amax float32
		for j := 0; j < 16; j++ {
			scales[j] = makeQ3Quants(4, x[16*j:16*j+16], L[16*j:16*j+16])
			if s := fabsf(scales[j]); s > amax {
				amax, maxScale = s, scales[j]
			}
		}
		for j := range sb {
			sb[j] = 0
		}
		if maxScale != 0 {
			iscale := -32 / maxScale
			for j := 0; j < 16; j++ {
				l := uint8(clampI(int32(int8(nearestInt(iscale*scales[j]))), -32, 31) + 32)
				if j < 8 {
					sb[j] = l & 0xf
				} else {
					sb[j-8] |= (l & 0xf) << 4
				}
				sb[j%4+8] |= (l >> 4) << (2 * (j / 4))
			}
			putF16(b[108:], 1/iscale)
		} else {
			putF16(b[108:], 0)
		}
		q3Finish(x, b, &L)
	}
}

// q3Finish recomputes levels against the stored scales (keeping the
// search's levels where a scale rounded to zero), splits off the high bits
// into hmask and packs the rest.
func q3Finish(x []float32, b []byte, L *[QK_K]int8) {
	sb := b[96:108]
	d := getF16(b[108:])
	for j := 0; j < 16; j++ {
		dj := d * float32(q3Scale(sb, j)-32)
		if dj == 0 {
			continue
		}
		for ii := 0; ii < 16; ii++ {
			L[16*j+ii] = int8(clampI(nearestInt(x[16*j+ii]/dj), -4, 3) + 4)
		}
	}
	hmask := b[0:32]
	var low [QK_K]uint8
	for j := range hmask {
		hmask[j] = 0
	}
	for j := 0; j < QK_K; j++ {
		l := uint8(L[j])
		if l > 3 {
			hmask[j%32] |= 1 << (j / 32)
			l -= 4
		}
		low[j] = l
	}
	packQ2(b[32:96], low[:])
}
