package cpu

import (
	"encoding/binary"

	"github.com/ferrum-go/ferrum/quant"
)

// The BF16 dot GEMM: laneGemm (gemm_float.go) with bf16 pair words, for
// vdpbf16ps (AVX512_BF16), which multiplies the two bf16 halves of a
// weight word by those of a token word and adds both products to the f32
// lane: 32 multiply-adds per instruction against an FMA's 16. The
// activations are rounded to bf16 (to nearest even, as ggml does before
// its own vdpbf16ps), which costs about 2^-9 of each value.
var bf16Dot = &laneGemm{pairs: true, minRows: 32, packW: packPanelBF16Pairs, packX: packXBF16Pairs, tile: bgTileGo}

// packPanelBF16Pairs writes weight rows [o, o+fgRows) as [k pair][row]
// words, the row's bytes as they are (little-endian: k in the low half,
// k+1 in the high half); an odd last k pairs with zero.
func packPanelBF16Pairs(w *tensor, o int, p []uint32) {
	in := w.cols
	steps := (in + 1) / 2
	p = p[:steps*fgRows]
	for r := 0; r < fgRows; r++ {
		q := p[r:]
		if o+r >= w.rows {
			zeroLane(q, steps)
			continue
		}
		raw := w.rawRow(o + r)[:2*in]
		for s := 0; s < in/2; s++ {
			q[s*fgRows] = binary.LittleEndian.Uint32(raw[4*s:])
		}
		if in%2 == 1 {
			q[(steps-1)*fgRows] = uint32(binary.LittleEndian.Uint16(raw[2*in-2:]))
		}
	}
}

// packXBF16Pairs writes tokens [r0, r0+n) as [k pair][token] words of
// bf16 values rounded to nearest even (quant.F32ToBF16).
func packXBF16Pairs(x []float32, in, r0, n int, p []uint32) {
	steps := (in + 1) / 2
	p = p[:steps*fgNT]
	for t := 0; t < fgNT; t++ {
		q := p[t:]
		if t >= n {
			for s := 0; s < steps; s++ {
				q[s*fgNT] = 0
			}
			continue
		}
		row := x[(r0+t)*in : (r0+t+1)*in]
		for s := 0; s < in/2; s++ {
			q[s*fgNT] = uint32(quant.F32ToBF16(row[2*s])) | uint32(quant.F32ToBF16(row[2*s+1]))<<16
		}
		if in%2 == 1 {
			q[(steps-1)*fgNT] = uint32(quant.F32ToBF16(row[in-1]))
		}
	}
}
