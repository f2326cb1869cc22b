package cpu

import "math"

// bgTileGo is bgTile24's plain-Go twin (laneGemm.tile's contract on bf16
// pair words), following Intel's description of vdpbf16ps: per lane, the
// high (odd-k) product is added first, then the low one, each as an FMA
// rounded to nearest even with denormal inputs read as zero and denormal
// results flushed to zero; MXCSR plays no part. A product of two bf16 is
// exact in float32 (8+8 significant bits) unless it falls below 2^-126, so
// a float32 multiply then add is that FMA; below 2^-126 the twin rounds
// the product first (no test or model comes near).
func bgTileGo(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int) {
	laneTileGo(p, x, steps, dst, ldd, load, func(acc float32, w, x uint32) float32 {
		return bf16Step(bf16Step(acc, w>>16, x>>16), w&0xffff, x&0xffff)
	})
}

// bf16Step is acc + a*b for bf16 bits a, b, with vdpbf16ps's denormal
// handling.
func bf16Step(acc float32, a, b uint32) float32 {
	s := acc + bf16DAZ(a)*bf16DAZ(b)
	if math.Float32bits(s)&0x7f800000 == 0 {
		return math.Float32frombits(math.Float32bits(s) & 0x80000000)
	}
	return s
}

// bf16DAZ widens bf16 bits, reading a denormal as zero of its sign.
func bf16DAZ(h uint32) float32 {
	if h&0x7f80 == 0 {
		h &= 0x8000
	}
	return math.Float32frombits(h << 16)
}
