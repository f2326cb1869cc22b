package cpu

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/ferrum-go/ferrum/quant"
)

//go:noescape
func gatherW32(src *byte, idx *[16]int32, mask, n int, dst *uint32)

//go:noescape
func gatherWBF16(src *byte, idx *[16]int32, mask, n int, dst *uint32)

//go:noescape
func gatherWF16(src *byte, idx *[16]int32, mask, n int, dst *uint32)

//go:noescape
func gatherX24(src *float32, idx *[24]int32, mask, n int, dst *uint32)

// panelIdx is the byte offsets of rows [o, o+fgRows) of w from row o and
// the mask of those that exist.
func panelIdx(w *tensor, o int, rowBytes int) (idx [fgRows]int32, mask int) {
	for r := 0; r < fgRows && o+r < w.rows; r++ {
		idx[r] = int32(r * rowBytes)
		mask |= 1 << r
	}
	return idx, mask
}

func packPanelF32AVX512(w *tensor, o int, p []uint32) {
	in := w.cols
	p = p[:in*fgRows]
	idx, mask := panelIdx(w, o, 4*in)
	gatherW32((*byte)(unsafe.Pointer(&w.f32[o*in])), &idx, mask, in, &p[0])
}

// packPanel16AVX512 packs F16 or BF16 rows: pairs by gather (widened by
// gather), an odd last column in Go.
func packPanel16AVX512(w *tensor, o int, p []uint32, gather func(*byte, *[16]int32, int, int, *uint32)) {
	in := w.cols
	p = p[:in*fgRows]
	idx, mask := panelIdx(w, o, w.rowBytes)
	if in >= 2 {
		gather(&w.raw[o*w.rowBytes], &idx, mask, in/2, &p[0])
	}
	if in%2 == 1 {
		for r := 0; r < fgRows; r++ {
			var v uint32
			if o+r < w.rows {
				h := binary.LittleEndian.Uint16(w.rawRow(o + r)[2*in-2:])
				if w.dtype == quant.BF16 {
					v = uint32(h) << 16
				} else {
					v = math.Float32bits(quant.F16ToF32(h))
				}
			}
			p[(in-1)*fgRows+r] = v
		}
	}
}

func packXF32AVX512(x []float32, in, r0, n int, p []uint32) {
	p = p[:in*fgNT]
	var idx [fgNT]int32
	mask := 0
	for t := 0; t < n; t++ {
		idx[t] = int32(t * in * 4)
		mask |= 1 << t
	}
	gatherX24(&x[r0*in], &idx, mask, in, &p[0])
}

func init() {
	if !hasAVX512 {
		return
	}
	floatGemms[quant.F32].packW = packPanelF32AVX512
	floatGemms[quant.F16].packW = func(w *tensor, o int, p []uint32) { packPanel16AVX512(w, o, p, gatherWF16) }
	floatGemms[quant.BF16].packW = func(w *tensor, o int, p []uint32) { packPanel16AVX512(w, o, p, gatherWBF16) }
	for _, g := range floatGemms {
		g.packX = packXF32AVX512
	}
}
