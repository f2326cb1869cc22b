package cpu

import (
	"math"

	"github.com/ferrum-go/ferrum/quant"
)

// The GEMM's one-token kernels (gemv_amd64.s, written by gemv_gen.go):
// one token against the 16 whole weight rows at src (row r at src +
// r*rowBytes), nb blocks each, from the token's slot of a
// gemmAct tile (act, f), into dst[0:16], with the bits of packing the
// panel and running gemmTile1.

// Constants of the assembly (gemv_amd64.s, gemm_pack32_amd64.s): the
// qword selections that finish an 8x8 dword transpose per 256-bit half
// (dwords 0..3, then 4..7, of each half's rows), and 0..15.
var (
	transposeQLo = [8]uint64{0, 1, 8, 9, 4, 5, 12, 13}
	transposeQHi = [8]uint64{2, 3, 10, 11, 6, 7, 14, 15}
	laneIota     = [16]int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
)

//go:noescape
func gemvQ4K(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

//go:noescape
func gemvQ5K(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

//go:noescape
func gemvQ6K(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

//go:noescape
func gemvQ8_0(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

//go:noescape
func gemvQ4_0(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

//go:noescape
func gemvQ4_1(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

//go:noescape
func gemvQ5_0(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

//go:noescape
func gemvQ5_1(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)

func init() {
	if !hasVNNI {
		return
	}
	for typ, k := range map[quant.Type]func(*byte, int, int, *byte, *float32, *float32){
		quant.Q4_K: gemvQ4K, quant.Q5_K: gemvQ5K, quant.Q6_K: gemvQ6K,
		quant.Q8_0: gemvQ8_0, quant.Q4_0: gemvQ4_0, quant.Q4_1: gemvQ4_1, quant.Q5_0: gemvQ5_0, quant.Q5_1: gemvQ5_1,
	} {
		gemmOneToken[typ] = oneTokenKernel(typ, k)
	}
}

// oneTokenKernel wraps kernel k of weight type typ for gemmOneToken.
func oneTokenKernel(typ quant.Type, k func(*byte, int, int, *byte, *float32, *float32)) func(w *tensor, o int, act []byte, f []float32, dst []float32) bool {
	elems, group := typ.BlockSize(), panelPackers[typ].group
	return func(w *tensor, o int, act []byte, f []float32, dst []float32) bool {
		nb := w.cols / elems
		if nb == 0 || w.cols%elems != 0 || o+panelRows > w.rows || (panelRows-1)*w.rowBytes > math.MaxInt32 {
			return false
		}
		_ = w.raw[(o+panelRows)*w.rowBytes-1]
		// The kernel reads the token's slot of every 4-value chunk
		// (gemmNT*4 bytes apart) and (da, dA) of every scale group.
		_ = act[(w.cols/4-1)*4*gemmNT+3]
		_ = f[(w.cols/group-1)*2*gemmNT+gemmNT]
		_ = dst[panelRows-1]
		k(&w.raw[o*w.rowBytes], w.rowBytes, nb, &act[0], &f[0], &dst[0])
		return true
	}
}
