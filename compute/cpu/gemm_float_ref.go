package cpu

import (
	"math"
	"unsafe"
)

// fgTileGo is fgTile24's plain-Go twin (laneGemm.tile's contract): per
// (token, row) one fused multiply-add per k in k order from zero, as
// vfmadd231ps does.
func fgTileGo(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int) {
	laneTileGo(p, x, steps, dst, ldd, load, func(acc float32, w, x uint32) float32 {
		return fusedMulAdd32(math.Float32frombits(w), math.Float32frombits(x), acc)
	})
}

// laneTileGo runs a lane GEMM tile in plain Go: for every (token, row),
// step folds the packed k words of the row and the token into acc in k
// order, starting from zero or, with load, from dst.
func laneTileGo(p, x *uint32, steps int, dst *float32, ldd int, load bool, step func(acc float32, w, x uint32) float32) {
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
				acc = step(acc, ps[k*fgRows+r], xs[k*fgNT+t])
			}
			d[t*ldd+r] = acc
		}
	}
}

// fusedMulAdd32 is a*b+c rounded once to float32 (to nearest even), like
// an FMA instruction: a*b is exact in float64, the float64 sum's rounding
// error is recovered (TwoSum), and only when the float64 sum sits exactly
// half-way between two float32s does that error decide the direction.
func fusedMulAdd32(a, b, c float32) float32 {
	s, cc := float64(a)*float64(b), float64(c)
	hi := s + cc
	bb := hi - s
	lo := (s - (hi - bb)) + (cc - bb)
	if lo != 0 && math.Float64bits(hi)&(1<<29-1) == 1<<28 {
		hi = math.Nextafter(hi, math.Copysign(math.Inf(1), lo))
	}
	return float32(hi)
}
