package quant

import "encoding/binary"

// IQ4 encoding as ggml_quantize_chunk does it without an importance matrix
// (quantize_row_iq4_nl_impl with ntry 7). quantize_row_iq4_nl_ref uses
// ntry -1 instead and, for all-zero blocks, leaves levels from the previous
// block in place; real GGUF files come from the chunk path, so that is the
// one reproduced here.

const iq4Tries = 7

// iq4Codebook is kvalues_iq4nl as integers; the index search compares
// against them exactly as ggml's best_index_int8 does.
var iq4Codebook = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// iq4Index returns the codebook entry nearest x; on a tie the upper one.
func iq4Index(x float32) uint8 {
	x = float32(x) // keeps a caller's product from fusing into the subtractions below
	v := &iq4Codebook
	if x <= float32(v[0]) {
		return 0
	}
	if x >= float32(v[15]) {
		return 15
	}
	lo, hi := 0, 15
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if x < float32(v[mid]) {
			hi = mid
		} else {
			lo = mid
		}
	}
	if x-float32(v[hi-1]) < float32(v[hi])-x {
		return uint8(hi - 1)
	}
	return uint8(hi)
}

// iq4Fit finds one 32-value block's scale: start from the largest
// magnitude mapped to the codebook's end, then try 2*ntry+1 nearby inverse
// scales, keeping the best weighted least-squares fit (weights w, or x*x
// when w is nil). It returns 0 for an all-zero block.
func iq4Fit(x []float32, L []uint8, ntry int, w []float32) float32 {
	weight := func(j int) float32 {
		if w != nil {
			return w[j]
		}
		return x[j] * x[j]
	}
	max, amax := absMax(x)
	if amax < groupMaxEps {
		return 0
	}
	v0 := float32(iq4Codebook[0])
	d := max / v0
	if ntry > 0 {
		d = -max / v0
	}
	id := 1 / d
	var sumqx, sumq2 float32
	for j, xv := range x {
		l := iq4Index(id * xv)
		L[j] = l
		q, wj := float32(iq4Codebook[l]), weight(j)
		sumqx += float32(wj * q * xv)
		sumq2 += float32(wj * q * q)
	}
	d = 0
	if sumq2 > 0 {
		d = sumqx / sumq2
	}
	best := d * sumqx
	for itry := -ntry; itry <= ntry; itry++ {
		id = float32(itry+int(iq4Codebook[0])) / max
		sumqx, sumq2 = 0, 0
		for j, xv := range x {
			q, wj := float32(iq4Codebook[iq4Index(id*xv)]), weight(j)
			sumqx += float32(wj * q * xv)
			sumq2 += float32(wj * q * q)
		}
		if sumq2 > 0 && sumqx*sumqx > best*sumq2 {
			d = sumqx / sumq2
			best = d * sumqx
		}
	}
	return d
}

func packIQ4(qs []byte, L []uint8) {
	for i := 0; i < len(L)/32; i++ {
		for j := 0; j < 16; j++ {
			qs[16*i+j] = L[32*i+j] | L[32*i+16+j]<<4
		}
	}
}

func quantIQ4_NL(src []float32, dst []byte) {
	var L [32]uint8
	for i := 0; i < len(src)/32; i++ {
		iq4NLBlock(src[i*32:(i+1)*32], dst[i*iq4NLBytes:(i+1)*iq4NLBytes], nil, L[:])
	}
}

func iq4NLBlock(x []float32, b []byte, w []float32, L []uint8) {
	d := iq4Fit(x, L, iq4Tries, w)
	putF16(b, d)
	// With one sub-block ggml re-maps every value against the unrounded
	// scale, which also fills in all-zero blocks (level 8, the code for 1).
	id := inverse(d)
	for j, xv := range x {
		L[j] = iq4Index(id * xv)
	}
	packIQ4(b[2:18], L)
}

func quantIQ4_XS(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		iq4XSBlock(src[i*QK_K:(i+1)*QK_K], dst[i*iq4XSBytes:(i+1)*iq4XSBytes], nil)
	}
}

// iq4XSBlock encodes one super-block: a scale per sub-block, those scales
// quantized to 6 bits against the largest, then every value re-mapped
// against its sub-block's stored scale. w is nil or 256 weights.
func iq4XSBlock(x []float32, b []byte, w []float32) {
	var (
		L      [QK_K]uint8
		scales [8]float32
	)
	var maxScale, amaxScale float32
	for ib := 0; ib < 8; ib++ {
		var wb []float32
		if w != nil {
			wb = w[32*ib : 32*ib+32]
		}
		scales[ib] = iq4Fit(x[32*ib:32*ib+32], L[32*ib:32*ib+32], iq4Tries, wb)
		if a := fabsf(scales[ib]); a > amaxScale {
			amaxScale, maxScale = a, scales[ib]
		}
	}
	d := -maxScale / 32
	putF16(b, d)
	id := inverse(d)
	var scalesH uint16
	scalesL := b[4:8]
	for ib := 0; ib < 8; ib++ {
		l := clampI(nearestInt(id*scales[ib]), -32, 31)
		dl := d * float32(l)
		idl := inverse(dl)
		for j, xv := range x[32*ib : 32*ib+32] {
			L[32*ib+j] = iq4Index(idl * xv)
		}
		l += 32
		if ib%2 == 0 {
			scalesL[ib/2] = uint8(l & 0xf)
		} else {
			scalesL[ib/2] |= uint8(l&0xf) << 4
		}
		scalesH |= uint16(l>>4) << (2 * (ib % 8))
	}
	binary.LittleEndian.PutUint16(b[2:], scalesH)
	packIQ4(b[8:136], L[:])
}
