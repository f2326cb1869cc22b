package cpu

import "github.com/ferrum-go/ferrum/quant"

//go:noescape
func gemmTileAVX2_1(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, out *float32)

//go:noescape
func gemmTileAVX2_2(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, out *float32)

//go:noescape
func gemmTileAVX2_4(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, out *float32)

// gemmAVX2Safe lists the packed types the AVX2 tile kernel can take:
// vpmaddubsw adds two u8*s8 products into a saturating int16, and with
// activations in [-128, 127] a pair stays exact while the weight quants are
// at most 128 (2*128*128 = 32768 only for -128 activations, which is
// -32768). Q8_0 packs its quants as q+128 (up to 255) and would saturate:
// it stays on the row kernels on AVX2. Q6_K's are 0..63, Q5_* 0..31, Q4_*
// 0..15, Q3_K 0..7, Q2_K 0..3 (TestGEMMAVX2NoSaturation checks the packed
// maxima).
var gemmAVX2Safe = map[quant.Type]bool{
	quant.Q2_K: true, quant.Q3_K: true, quant.Q4_0: true, quant.Q4_1: true, quant.Q4_K: true,
	quant.Q5_0: true, quant.Q5_1: true, quant.Q5_K: true, quant.Q6_K: true,
}

// gemmTileAVX2 is the AVX2 tile kernel with gemmTileRef's contract: the
// tile's tokens 4 at a time (then 2, then 1), each token's 16 results
// accumulated in a stack buffer and its lanes copied to dst. A token's bits
// do not depend on which variant ran it (every variant does gemmTileRef's
// per-(token, row) operations in its order).
//
// It is not the registered gemmTileKernel yet: the lead wires it (see the
// report in docs/benchmarks.md's AVX2 section) with thresholds of its own.
func gemmTileAVX2(p *panel, act []byte, f []float32, dst []float32, ldd, nt, lanes int) {
	_ = p.q[p.ngroups*p.group*panelRows-1]
	_ = p.s[p.ngroups*panelRows-1]
	_ = p.m[p.ngroups*panelRows-1]
	_ = act[p.ngroups*p.group*gemmNT-1]
	_ = f[p.ngroups*2*gemmNT-1]
	_ = dst[(nt-1)*ldd+lanes-1]
	var out [gemmNT * panelRows]float32
	q, s, m, ng, cpg := &p.q[0], &p.s[0], &p.m[0], p.ngroups, p.group/4
	// Reads stay within the slots tileSlots(nt) zeroes: 4-token steps only
	// while 4 tokens remain... or the tile has 4*k slots filled.
	for t := 0; t < nt; {
		switch n := nt - t; {
		case n >= 4 || (n == 3 && tileSlots(nt) >= t+4):
			gemmTileAVX2_4(q, s, m, ng, cpg, &act[4*t], &f[t], &out[t*panelRows])
			t += 4
		case n >= 2:
			gemmTileAVX2_2(q, s, m, ng, cpg, &act[4*t], &f[t], &out[t*panelRows])
			t += 2
		default:
			gemmTileAVX2_1(q, s, m, ng, cpg, &act[4*t], &f[t], &out[t*panelRows])
			t++
		}
	}
	for t := 0; t < nt; t++ {
		copy(dst[t*ldd:t*ldd+lanes], out[t*panelRows:t*panelRows+lanes])
	}
}
