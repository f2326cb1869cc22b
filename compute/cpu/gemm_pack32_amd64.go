package cpu

import (
	"math"

	"github.com/ferrum-go/ferrum/quant"
)

//go:noescape
func packQ8_0AVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

//go:noescape
func packQ8_0Full(src *byte, stride int, idx *[panelRows]int32, nb int, q *byte, s, m *float32)

//go:noescape
func packQ45AVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32, blockBytes, qhOff, qsOff int, k float32, hasMin int)

// The AVX-512 packers replace the Go ones (gemm_pack32.go) where the CPU
// has AVX-512; both write the same bytes (TestPack32AVX512MatchesGo).
func init() {
	if !hasAVX512 {
		return
	}
	for _, t := range []struct {
		typ                      quant.Type
		blockBytes, qhOff, qsOff int
		k                        float32
		hasMin                   int
	}{
		{quant.Q8_0, 34, 0, 2, 128, 0},
		{quant.Q4_0, 18, 0, 2, 8, 0},
		{quant.Q4_1, 20, 0, 4, 0, 1},
		{quant.Q5_0, 22, 2, 6, 16, 0},
		{quant.Q5_1, 24, 4, 8, 0, 1},
	} {
		pk := panelPackers[t.typ]
		goPack := pk.pack
		pk.pack = func(w *tensor, o int, p *panel) {
			nb, n := w.cols/32, min(panelRows, w.rows-o)
			if nb == 0 || n <= 0 || (panelRows-1)*w.rowBytes > math.MaxInt32 {
				goPack(w, o, p) // nothing to gather, or offsets past int32 indices
				return
			}
			// Lane r gathers from row o+r (rows past the weight are
			// masked off); the stores fill nb groups of the panel.
			var idx [panelRows]int32
			for r := range idx {
				idx[r] = int32(r * w.rowBytes)
			}
			_ = w.raw[(o+n)*w.rowBytes-1]
			_ = p.q[nb*block32Panel-1]
			_ = p.s[nb*panelRows-1]
			_ = p.m[nb*panelRows-1]
			if t.typ == quant.Q8_0 && n == panelRows {
				packQ8_0Full(&w.raw[o*w.rowBytes], w.rowBytes, &idx, nb, &p.q[0], &p.s[0], &p.m[0])
				return
			}
			if t.typ == quant.Q8_0 {
				packQ8_0AVX512(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0])
				return
			}
			packQ45AVX512(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0], t.blockBytes, t.qhOff, t.qsOff, t.k, t.hasMin)
		}
		panelPackers[t.typ] = pk
	}
}
