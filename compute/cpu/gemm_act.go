package cpu

import (
	"encoding/binary"
	"unsafe"
)

// gemmNT is the GEMM's token tile: how many activation rows one pass over a
// packed panel serves, each holding a 16-float accumulator and a 16-int
// group sum in registers (2*gemmNT + 3 of the 32 zmm registers; the
// assembly is generated for this value).
const gemmNT = 12 // gemm_gen.go writes the kernels for this value

// tileSlots is how many token slots of a tile the kernel for nt tokens
// reads (gemm_amd64.s has kernels for 1, 2, 4, 8 and gemmNT tokens).
func tileSlots(nt int) int {
	switch {
	case nt <= 1:
		return 1
	case nt <= 2:
		return 2
	case nt <= 4:
		return 4
	case nt <= 8:
		return 8
	}
	return gemmNT
}

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
// past a.rows become zeros (the kernels read them, the results are dropped). row is scratch of one row in act.go's format.
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
		// The row quantizers also sum each block's quants (Q8: k = -1
		// makes cor = +sum; Q8_K: bs16 and bs32).
		if a.q8k {
			row.quantizeQ8KRow(0, x[r*cols:(r+1)*cols])
		} else {
			row.quantizeQ8Row(0, x[r*cols:(r+1)*cols], -1)
		}
		_ = tq[(cols/4-1)*4*gemmNT+4*t+3]
		src, dst := unsafe.Pointer(&row.qs[0]), unsafe.Pointer(&tq[4*t])
		for c := 0; c < cols/4; c++ {
			*(*uint32)(unsafe.Add(dst, c*4*gemmNT)) = *(*uint32)(unsafe.Add(src, 4*c))
		}
		for g := 0; g < ng; g++ {
			var da float32
			var sum int32
			switch {
			case !a.q8k: // group 32: one Q8 block
				da, sum = row.f[8*g], row.i[8*g]
			case a.group == 16:
				da, sum = row.f[g/16], row.i[32*(g/16)+g%16]
			default: // Q8_K, group 32
				da, sum = row.f[g/8], row.i[32*(g/8)+16+8+g%8]
			}
			tf[g*2*gemmNT+t], tf[g*2*gemmNT+gemmNT+t] = da, da*float32(sum)
		}
	}
}
