package cpu

import (
	"encoding/binary"
	"unsafe"
)

// gemmNT is the GEMM's token tile: how many activation rows one pass over a
// packed panel serves, each holding a 16-float accumulator and a 16-int
// group sum in registers (2*gemmNT + 3 of the 32 zmm registers; the
// assembly is generated for this value).
const gemmNT = 12

// gemmAct holds a MatMul's activations quantized for the GEMM, in tiles of
// gemmNT tokens (the last tile padded with zero rows):
//
//	q: per tile, [chunk c < cols/4][token t < gemmNT][4] int8: the quants
//	   of values 4c..4c+3 of token t, so that the kernel broadcasts one
//	   token's dword at a constant displacement from the chunk's base.
//	f: per tile, [group g][2][gemmNT] float32: da, the token's Q8 scale of
//	   the block holding group g, then dA = da * (sum of the token's quants
//	   in group g), which carries the weights' offsets m.
//
// Quants and scales are those of the row kernels' activation format for the
// same weight type (act.go: Q8 blocks of 32, or Q8_K super-blocks of 256 for
// the k-quants, as ggml pairs them), so the GEMM and the row kernels see the
// very same quantized activations and differ only in float rounding.
type gemmAct struct {
	rows, cols, group, tiles int
	q8k                      bool // Q8_K super-blocks (k-quants) instead of Q8 blocks
	q                        []byte
	f                        []float32
}

// shape sizes a for rows x cols activations and group-long scale groups.
func (a *gemmAct) shape(rows, cols, group int, q8k bool) {
	a.rows, a.cols, a.group, a.q8k = rows, cols, group, q8k
	a.tiles = (rows + gemmNT - 1) / gemmNT
	a.q = grow(a.q, a.tiles*gemmNT*cols)
	a.f = grow(a.f, a.tiles*gemmNT*2*(cols/group))
}

// tileQ and tileF are the slices of tile i.
func (a *gemmAct) tileQ(i int) []byte {
	n := gemmNT * a.cols
	return a.q[i*n : (i+1)*n]
}

func (a *gemmAct) tileF(i int) []float32 {
	n := gemmNT * 2 * (a.cols / a.group)
	return a.f[i*n : (i+1)*n]
}

// quantizeRows fills token slots [lo, hi) (of tiles*gemmNT) from x; slots
// past a.rows become zeros. row is scratch of one row in act.go's format.
func (a *gemmAct) quantizeRows(row *actBuf, x []float32, lo, hi int) {
	cols, ng := a.cols, a.cols/a.group
	if a.q8k {
		row.shapeQ8K(1, cols)
	} else {
		row.shapeQ8(1, cols)
	}
	for r := lo; r < hi; r++ {
		tq, tf := a.tileQ(r/gemmNT), a.tileF(r/gemmNT)
		t := r % gemmNT
		if r >= a.rows {
			for c := 0; c < cols/4; c++ {
				binary.LittleEndian.PutUint32(tq[c*4*gemmNT+4*t:], 0)
			}
			for g := 0; g < ng; g++ {
				tf[g*2*gemmNT+t], tf[g*2*gemmNT+gemmNT+t] = 0, 0
			}
			continue
		}
		if a.q8k {
			row.quantizeQ8KRow(0, x[r*cols:(r+1)*cols])
		} else {
			row.quantizeQ8Row(0, x[r*cols:(r+1)*cols], 0)
		}
		qs := unsafe.Slice((*byte)(unsafe.Pointer(&row.qs[0])), cols)
		for c := 0; c < cols/4; c++ {
			binary.LittleEndian.PutUint32(tq[c*4*gemmNT+4*t:], binary.LittleEndian.Uint32(qs[4*c:]))
		}
		for g := 0; g < ng; g++ {
			var sum int32
			for _, v := range row.qs[g*a.group : (g+1)*a.group] {
				sum += int32(v)
			}
			var da float32
			if a.q8k {
				da = row.f[g*a.group/256]
			} else {
				da = row.f[g*a.group/32*8]
			}
			tf[g*2*gemmNT+t], tf[g*2*gemmNT+gemmNT+t] = da, da*float32(sum)
		}
	}
}
