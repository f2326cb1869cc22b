package cpu

import (
	"os"

	"github.com/ferrum-go/ferrum/quant"
)

//go:noescape
func gemmTileAVX2_1(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, out *float32)

//go:noescape
func gemmTileAVX2_2(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, out *float32)

//go:noescape
func gemmTileAVX2_4(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, out *float32)

// gemmAVX2Safe lists the packed types the AVX2 tile kernel can take: it
// adds four u8*s8 products in int16 (vpmaddubsw pairs, then two chunks'
// pairs with vpaddw) before widening, which is exact while the weight
// quants are at most gemmAVX2MaxQ (4*63*128 = 32256). Q8_0 packs its quants
// as q+128 (up to 255) and would overflow: it stays on the row kernels on
// AVX2. Q6_K's are 0..63, Q5_* 0..31, Q4_* 0..15, Q3_K 0..7, Q2_K 0..3
// (TestGEMMAVX2NoSaturation checks the packed maxima and the kernel at the
// bound).
const gemmAVX2MaxQ = 63

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
// It is not gemmTileKernel: on AVX2 the panels are packed by the plain-Go
// packers, which makes one row 3-7x slower than the row kernels, so the
// shared gemmMinRows (1 for most types) does not fit it; see
// gemmAVX2MinRows and the opt-in below.
func gemmTileAVX2(p *panel, act []byte, f []float32, dst []float32, ldd, nt, lanes int) {
	_ = p.q[p.ngroups*p.group*panelRows-1]
	_ = p.s[p.ngroups*panelRows-1]
	_ = p.m[p.ngroups*panelRows-1]
	_ = act[p.ngroups*p.group*gemmNT-1]
	_ = f[p.ngroups*2*gemmNT-1]
	_ = dst[(nt-1)*ldd+lanes-1]
	var out [gemmNT * panelRows]float32
	q, s, m, ng, cpg := &p.q[0], &p.s[0], &p.m[0], p.ngroups, p.group/4
	// Reads stay within the slots runGEMM zeroed (tileSlots): a 4-token
	// step over 3 tokens only where the tile has that 4th slot.
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

// gemmAVX2MinRows is the AVX2 GEMM's own threshold per type (1024 -> 3072
// MatMul on one thread under FERRUM_CPU=avx2, BenchmarkGEMMAVX2): the
// 32-value block types beat the row kernels from 16 rows (1.6-2x), the
// k-quants, whose Go packing is dearer, only from about 64 (1.3-1.9x at 64,
// Q2_K at parity; 1.4-1.8x at 512). No type wins at 1 row.
var gemmAVX2MinRows = map[quant.Type]int{
	quant.Q4_0: 16, quant.Q4_1: 16, quant.Q5_0: 16, quant.Q5_1: 16,
	quant.Q2_K: 64, quant.Q3_K: 64, quant.Q4_K: 64, quant.Q5_K: 64, quant.Q6_K: 64,
}

// gemmAVX2MatMul is the gemmFunc of the AVX2 GEMM.
func gemmAVX2MatMul(b *Backend, dst, x []float32, rows int, w *tensor) bool {
	n, ok := gemmAVX2MinRows[w.dtype]
	if !ok || rows < n {
		return false
	}
	return runGEMM(b, dst, x, rows, w, gemmTileAVX2)
}

// FERRUM_AVX2GEMM=1 registers the AVX2 GEMM on CPUs without VNNI, for A/B
// runs only: its thresholds above 1 row make a row's bits depend on its
// batch (DESIGN's batch invariance), which wants the lead's decision
// before it becomes the default. gemm_register.go leaves these entries
// alone (gemmTileKernel stays nil on AVX2).
func init() {
	if !hasAVX2 || hasVNNI || os.Getenv("FERRUM_AVX2GEMM") != "1" {
		return
	}
	for t := range gemmAVX2MinRows {
		gemms[t] = gemmAVX2MatMul
	}
}
