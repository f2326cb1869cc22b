package quant

// Q4_K: 256 values in 8 sub-blocks of 32, x = d*sc*q - dmin*m with 4-bit
// q and 6-bit sc, m per sub-block. Block: f16 d, f16 dmin, scales[12]
// (see kScaleMin), qs[128]: each 32-byte group holds two sub-blocks, the
// first in the low nibbles.

const q4KBytes = 144

func dequantQ4_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*q4KBytes : (i+1)*q4KBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d, dmin := getF16(b), getF16(b[2:])
		sb := b[4:16]
		for g := 0; g < 4; g++ {
			q := b[16+32*g : 16+32*g+32]
			sc, m := kScaleMin(2*g, sb)
			d1, m1 := d*float32(sc), float32(dmin*float32(m))
			sc, m = kScaleMin(2*g+1, sb)
			d2, m2 := d*float32(sc), float32(dmin*float32(m))
			lo, hi := y[64*g:64*g+32], y[64*g+32:64*g+64]
			for l := range lo {
				lo[l] = float32(d1*float32(q[l]&0xf)) - m1
				hi[l] = float32(d2*float32(q[l]>>4)) - m2
			}
		}
	}
}

// kSubScales runs the Q4_K/Q5_K reference search for the 8 sub-blocks of
// one super-block: weights av_x + |x|, then make_qkx2_quants with the
// type's parameters. L receives levels.
func kSubScales(x []float32, nmax int32, rmin, rdelta float32, nstep int,
	L *[QK_K]uint8, scales, mins *[8]float32) (maxScale, maxMin float32) {
	var weights [32]float32
	var laux [32]uint8
	for j := 0; j < 8; j++ {
		xs := x[32*j : 32*j+32]
		var sumX2 float32
		for _, v := range xs {
			sumX2 += float32(v * v)
		}
		avX := sqrtf(sumX2 / 32)
		for l, v := range xs {
			weights[l] = avX + fabsf(v)
		}
		scales[j], mins[j] = makeQKX2Quants(nmax, xs, weights[:], L[32*j:32*j+32], laux[:], rmin, rdelta, nstep, false)
		if scales[j] > maxScale {
			maxScale = scales[j]
		}
		if mins[j] > maxMin {
			maxMin = mins[j]
		}
	}
	return maxScale, maxMin
}

// kSuperScales quantizes the sub-block scales and mins to 6 bits against
// their maxima, packs them into sb (12 bytes) and stores f16 d and dmin
// into dm (4 bytes).
func kSuperScales(sb, dm []byte, scales, mins *[8]float32, maxScale, maxMin float32) {
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	var ls, lm [8]uint8
	for j := 0; j < 8; j++ {
		ls[j] = min(63, uint8(nearestInt(invScale*scales[j])))
		lm[j] = min(63, uint8(nearestInt(invMin*mins[j])))
	}
	putKScaleMin(sb, &ls, &lm)
	putF16(dm, maxScale/63)
	putF16(dm[2:], maxMin/63)
}

// kRequantize recomputes levels 0..nmax against the stored (rounded)
// scales and mins; sub-blocks whose scale rounded to zero keep the levels
// the search found.
func kRequantize(x []float32, b []byte, nmax int32, L *[QK_K]uint8) {
	d, dmin := getF16(b), getF16(b[2:])
	for j := 0; j < 8; j++ {
		sc, m := kScaleMin(j, b[4:16])
		dj := d * float32(sc)
		if dj == 0 {
			continue
		}
		mj := float32(dmin * float32(m)) // rounded: it feeds an add
		for ii := 0; ii < 32; ii++ {
			L[32*j+ii] = uint8(clampI(nearestInt((x[32*j+ii]+mj)/dj), 0, nmax))
		}
	}
}

func quantQ4_K(src []float32, dst []byte) {
	var (
		L            [QK_K]uint8
		scales, mins [8]float32
	)
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[i*QK_K : (i+1)*QK_K]
		b := dst[i*q4KBytes : (i+1)*q4KBytes]
		maxScale, maxMin := kSubScales(x, 15, -1, 0.1, 20, &L, &scales, &mins)
		kSuperScales(b[4:16], b[0:4], &scales, &mins, maxScale, maxMin)
		kRequantize(x, b, 15, &L)
		packQ4K(b[16:144], &L)
	}
}

// packQ4K stores 4-bit levels: each 32 bytes hold 64 values, the first 32
// in the low nibbles.
func packQ4K(qs []byte, L *[QK_K]uint8) {
	for g := 0; g < 4; g++ {
		q := qs[32*g : 32*g+32]
		for l := range q {
			q[l] = L[64*g+l] | L[64*g+32+l]<<4
		}
	}
}
