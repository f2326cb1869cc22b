package cpu

import (
	"math"
	"unsafe"
)

// bgTileGo is bgTile24's plain-Go twin (laneGemm.tile's contract on bf16
// pair words), following Intel's description of vdpbf16ps: per lane, the
// high (odd-k) product is added first, then the low one, each as an FMA
// rounded to nearest even with denormal inputs read as zero and denormal
// results flushed to zero; MXCSR plays no part. A product of two bf16 is
// exact in float32 (8+8 significant bits) unless it falls below 2^-126, so
// a float32 multiply then add is that FMA; below 2^-126 the twin rounds
// the product first (no test or model comes near).
func bgTileGo(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int) {
	ps := unsafe.Slice(p, steps*fgRows)
	xs := unsafe.Slice(x, steps*fgNT)
	d := unsafe.Slice(dst, (fgNT-1)*ldd+fgRows)
	for t := 0; t < fgNT; t++ {
		for r := 0; r < fgRows; r++ {
			var acc float32
			if load {
				acc = d[t*ldd+r]
			}
			for k := 0; k < steps; k++ {
				wv, xv := ps[k*fgRows+r], xs[k*fgNT+t]
				acc = bf16Step(acc, wv>>16, xv>>16)
				acc = bf16Step(acc, wv&0xffff, xv&0xffff)
			}
			d[t*ldd+r] = acc
		}
	}
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
