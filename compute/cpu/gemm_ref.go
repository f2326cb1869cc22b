package cpu

import "math"

// gemmTileRef is the plain-Go twin of the assembly tile kernel: panel p
// against the activation tile (act, f) of gemmAct, nt tokens, writing the
// first lanes outputs of token t to dst[t*ldd:]. It does the kernel's
// operations in the kernel's order, per token and lane: the group's exact
// int32 sum, then f = float32(isum)*da, acc = fma(f, s, acc),
// acc = fma(-m, dA, acc). The fused adds go through float64 math.FMA, which
// rounds twice (to float64, then to float32); that can differ from the
// hardware's single rounding in rare ties, so tests allow the twin and the
// kernel a last-bit difference.
func gemmTileRef(p *panel, act []byte, f []float32, dst []float32, ldd, nt, lanes int) {
	cpg := p.group / 4
	for t := 0; t < nt; t++ {
		for r := 0; r < lanes; r++ {
			var acc float32
			for g := 0; g < p.ngroups; g++ {
				var isum int32
				for c := 0; c < cpg; c++ {
					wq := p.q[(g*cpg+c)*4*panelRows+4*r:]
					aq := act[(g*cpg+c)*4*gemmNT+4*t:]
					for j := 0; j < 4; j++ {
						isum += int32(wq[j]) * int32(int8(aq[j]))
					}
				}
				da, dA := f[g*2*gemmNT+t], f[g*2*gemmNT+gemmNT+t]
				s, m := p.s[g*panelRows+r], p.m[g*panelRows+r]
				v := float32(isum) * da
				acc = fma32(v, s, acc)
				acc = fma32(-m, dA, acc)
			}
			dst[t*ldd+r] = acc
		}
	}
}

func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}
