package cpu

import (
	"unsafe"

	"github.com/ferrum-go/ferrum/quant"
)

// floatRowKernel is the MatMul of a float weight type (F32, F16, BF16)
// against F32 activations: weights are widened in registers, activations
// are used as they are (no rounding of the activations, unlike the
// quantized types). t44 takes 4 weight rows x 4 activation rows (the
// prefill tile: each loaded vector feeds 4 FMAs), w4 4 weight rows x 1
// activation row (decode: four independent FMA chains), x4 one weight row
// x 4 activation rows, x1 one x one; every (weight row, activation row) pair
// gets the same FMA sequence from all three, so results do not depend on
// which one ran.
type floatRowKernel struct {
	x1, x4 func(w *byte, n int, x *float32, xStride int, out *[64]float32)
	t44    func(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)
	w4     func(w *byte, wStride int, n int, x *float32, out *[64]float32)
	bytes  int // bytes per weight value
}

var floatRows = map[quant.Type]floatRowKernel{}

var tileScratch = newScratchPool[[256]float32]()

// runFloat fills dst[r*w.rows+o] for o in [lo, hi); tails past a multiple
// of 16 columns go through the dequantizer and dot.
func runFloat(k floatRowKernel, dst, x []float32, rows int, w *tensor, lo, hi int) {
	in, out := w.cols, w.rows
	n := in &^ 15
	raw := weightBytes(w)
	rb := in * k.bytes
	acc := scratch.Get().(*[64]float32)
	defer scratch.Put(acc)
	tile := tileScratch.get()
	defer tileScratch.put(tile)
	var tailW [4][16]float32
	for rc := 0; rc < rows; rc += actRowsPerTile {
		re := min(rows, rc+actRowsPerTile)
		o := lo
		if n == in && k.t44 != nil {
			for ; o+4 <= hi; o += 4 {
				r := rc
				for ; r+4 <= re; r += 4 {
					k.t44(&raw[o*rb], rb, n, &x[r*in], 4*in, tile)
					for i := 0; i < 4; i++ {
						for j := 0; j < 4; j++ {
							dst[(r+j)*out+o+i] = sum16(tile[(4*i+j)*16 : (4*i+j)*16+16])
						}
					}
				}
				for ; r < re; r++ {
					k.w4(&raw[o*rb], rb, n, &x[r*in], acc)
					for i := 0; i < 4; i++ {
						dst[r*out+o+i] = sum16(acc[16*i : 16*i+16])
					}
				}
			}
		}
		for ; o < hi; o++ {
			wr := raw[o*rb : (o+1)*rb]
			tw := tailW[0][:in-n]
			if n < in {
				decodeTail(w, o, n, tw)
			}
			r := rc
			for ; r+4 <= re && n > 0; r += 4 {
				k.x4(&wr[0], n, &x[r*in], 4*in, acc)
				for i := 0; i < 4; i++ {
					dst[(r+i)*out+o] = sum16(acc[16*i:16*i+16]) + dotGeneric(x[(r+i)*in+n:(r+i+1)*in], tw)
				}
			}
			for ; r < re; r++ {
				var s float32
				if n > 0 {
					k.x1(&wr[0], n, &x[r*in], 4*in, acc)
					s = sum16(acc[:16])
				}
				dst[r*out+o] = s + dotGeneric(x[r*in+n:(r+1)*in], tw)
			}
		}
	}
}

// decodeTail writes weight row o's values from column n on into dst.
func decodeTail(w *tensor, o, n int, dst []float32) {
	switch w.dtype {
	case quant.F32:
		copy(dst, w.row(o)[n:])
	case quant.F16:
		raw := w.rawRow(o)
		for i := range dst {
			dst[i] = quant.F16ToF32(uint16(raw[2*(n+i)]) | uint16(raw[2*(n+i)+1])<<8)
		}
	case quant.BF16:
		raw := w.rawRow(o)
		for i := range dst {
			dst[i] = quant.BF16ToF32(uint16(raw[2*(n+i)]) | uint16(raw[2*(n+i)+1])<<8)
		}
	}
}

// weightBytes is the raw storage of any weight (F32 weights hold f32).
func weightBytes(w *tensor) []byte {
	if w.dtype == quant.F32 {
		if len(w.f32) == 0 {
			return nil
		}
		return unsafe.Slice((*byte)(unsafe.Pointer(&w.f32[0])), 4*len(w.f32))
	}
	return w.raw
}
