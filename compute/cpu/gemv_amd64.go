package cpu

import (
	"math"

	"github.com/ferrum-go/ferrum/quant"
)

// gemvQ4K computes one token against 16 whole Q4_K rows starting at src
// (row r at src + idx[r], idx[r] = r*rowBytes), nb super-blocks each, from
// the one-token slot of a gemmAct tile (act, f), into dst[0:16]: the bits
// of packing the panel and running gemmTile1 (gemv_q4k_amd64.s).
//
//go:noescape
func gemvQ4K(src *byte, rowBytes int, idx *[panelRows]int32, nb int, act *byte, f *float32, dst *float32)

func init() {
	if !hasVNNI {
		return
	}
	gemmOneToken[quant.Q4_K] = func(w *tensor, o int, act []byte, f []float32, dst []float32) bool {
		nb := w.cols / 256
		if nb == 0 || o+panelRows > w.rows || (panelRows-1)*w.rowBytes > math.MaxInt32 {
			return false
		}
		var idx [panelRows]int32
		for r := range idx {
			idx[r] = int32(r * w.rowBytes)
		}
		_ = w.raw[(o+panelRows)*w.rowBytes-1]
		// The kernel reads the token's slot of nb*64 4-value chunks
		// (gemmNT*4 bytes apart) and 8 groups' (da, dA) per super-block.
		_ = act[(nb*64-1)*4*gemmNT+3]
		_ = f[(nb*8-1)*2*gemmNT+gemmNT]
		_ = dst[panelRows-1]
		gemvQ4K(&w.raw[o*w.rowBytes], w.rowBytes, &idx, nb, &act[0], &f[0], &dst[0])
		return true
	}
}
