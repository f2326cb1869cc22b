package cpu

import (
	"math"
	"sync"

	"github.com/ferrum-go/ferrum/quant"
)

// The rows-in-lanes GEMMs of the float weight types (gemm_hook.go's slot):
// each 32-bit lane of a 512-bit register holds one of 16 weight rows, and a
// token's value is broadcast to all lanes, so one 64-byte weight load feeds
// one multiply-add per token of the tile (fgNT = 24), against 4 in the 4x4
// row tiles of fmatmul.go. Per call:
//
//  1. the activations are packed into tiles of fgNT tokens, [k][token]
//     words, in parallel over tiles (the last tile padded with zeros);
//  2. groups of fgGroup 16-row panels are split over the pool: a worker
//     packs a group into its own buffer as [k][row] words (the file's bytes
//     stay mmap'd and untouched) and runs it against every tile, a k block
//     at a time (fgKBlock).
//
// A word is one F32 value (gemm_float_*: F32/F16/BF16 weights widened,
// F32 activations as they are, FMAs) or a bf16 pair of k, k+1
// (gemm_bf16*: vdpbf16ps on activations rounded to bf16). Lanes are weight
// rows and tokens never mix: a token's result is the same sequence of
// operations in k order from zero in any tile, so it does not depend on the
// other rows of the call.

// fgNT is the tokens of an activation tile: one accumulator register each
// (24 of the 32, beside the weight register).
const fgNT = 24

// fgRows is the weight rows of a panel, one per 32-bit lane.
const fgRows = 16

// laneGemm is one rows-in-lanes GEMM.
type laneGemm struct {
	// pairs: a k step is a bf16 pair (k, k+1), else one F32 value.
	pairs bool
	// minRows is the fewest activation rows taken: below it the packing
	// is not amortized and fmatmul.go's row kernels are as fast.
	minRows int
	// packW writes panel rows [o, o+fgRows) of w as steps x fgRows words
	// (rows past w.rows as zeros).
	packW func(w *tensor, o int, p []uint32)
	// packX writes tokens [r0, r0+n) of x (rows of in values) as steps x
	// fgNT words (tokens past n as zeros).
	packX func(x []float32, in, r0, n int, p []uint32)
	// tile adds to acc (0, or dst[t*ldd+r] when load) panel row r times
	// token t over the steps, one step after the other, and stores acc to
	// dst[t*ldd+r], for r < fgRows and t < nt at least (up to fgNT).
	tile func(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int)
}

func (g *laneGemm) steps(in int) int {
	if g.pairs {
		return (in + 1) / 2
	}
	return in
}

// fgKBlock and fgGroup shape the loop over a group's panels: for each
// block of fgKBlock k steps, every tile's block (12 KiB) is read from L2
// once and run against the fgGroup panels' blocks (32 KiB, staying in L1),
// so that L2 delivers 1 byte per FMA instead of the 4 of one panel per
// tile (and the whole activations, 2 MiB at 512 x 1024, never stream from
// L3 once per panel). Between blocks the accumulators wait in the worker's
// acc (32 KiB per panel at 512 tokens), which changes no bit, and go to
// dst when the group is done. Measured at 512 x 1024 -> 3072 on one
// thread: one panel with no k blocks 36 ms, k blocks of 256 30 ms, groups
// of 4 with blocks of 128 25 ms.
const (
	fgKBlock = 128
	fgGroup  = 4
)

// lgBuf is a pooled buffer: packed activations, or a worker's panel and
// accumulators.
type lgBuf struct {
	u   []uint32
	acc []float32
}

var lgBufs = sync.Pool{New: func() any { return new(lgBuf) }}

type lgCtx struct {
	g      *laneGemm
	x, dst []float32
	rows   int
	w      *tensor
	act    []uint32
}

var lgJobs = newJobPool[lgCtx]()

// matmul is the gemmFunc of g.
func (g *laneGemm) matmul(b *Backend, dst, x []float32, rows int, w *tensor) bool {
	if rows < g.minRows || w.cols == 0 || w.rows == 0 {
		return false
	}
	in := w.cols
	steps := g.steps(in)
	tiles := (rows + fgNT - 1) / fgNT
	a := lgBufs.Get().(*lgBuf)
	a.u = grow(a.u, tiles*steps*fgNT)
	c := lgCtx{g: g, x: x, dst: dst, rows: rows, w: w, act: a.u}
	parallelCtx(b.pool, lgJobs, tiles, 1, c, func(c *lgCtx, lo, hi int) {
		in := c.w.cols
		sz := c.g.steps(in) * fgNT
		for t := lo; t < hi; t++ {
			c.g.packX(c.x, in, t*fgNT, min(fgNT, c.rows-t*fgNT), c.act[t*sz:(t+1)*sz])
		}
	})
	groups := (w.rows + fgGroup*fgRows - 1) / (fgGroup * fgRows)
	parallelCtx(b.pool, lgJobs, groups, 1, c, func(c *lgCtx, lo, hi int) {
		out, steps := c.w.rows, c.g.steps(c.w.cols)
		p := lgBufs.Get().(*lgBuf)
		p.u = grow(p.u, fgGroup*steps*fgRows)
		accN := (c.rows + fgNT - 1) / fgNT * fgNT * fgRows
		p.acc = grow(p.acc, fgGroup*accN)
		for i := lo; i < hi; i++ {
			o := i * fgGroup * fgRows
			np := min(fgGroup, (out-o+fgRows-1)/fgRows)
			for j := 0; j < np; j++ {
				c.g.packW(c.w, o+j*fgRows, p.u[j*steps*fgRows:(j+1)*steps*fgRows])
			}
			for k := 0; k < steps; k += fgKBlock {
				n := min(fgKBlock, steps-k)
				for r0 := 0; r0 < c.rows; r0 += fgNT {
					xt, nt := &c.act[r0*steps+k*fgNT], min(fgNT, c.rows-r0)
					for j := 0; j < np; j++ {
						c.g.tile(&p.u[(j*steps+k)*fgRows], xt, n, &p.acc[j*accN+r0*fgRows], fgRows, k > 0, nt)
					}
				}
			}
			for j := 0; j < np; j++ {
				oj := o + j*fgRows
				lanes := min(fgRows, out-oj)
				acc := p.acc[j*accN:]
				for t := 0; t < c.rows; t++ {
					copy(c.dst[t*out+oj:t*out+oj+lanes], acc[t*fgRows:])
				}
			}
		}
		lgBufs.Put(p)
	})
	lgBufs.Put(a)
	return true
}

// packXF32 is the F32 tiles' activation packer: [k][token] values.
func packXF32(x []float32, in, r0, n int, p []uint32) {
	p = p[:in*fgNT]
	for t := 0; t < fgNT; t++ {
		if t >= n {
			for k := 0; k < in; k++ {
				p[k*fgNT+t] = 0
			}
			continue
		}
		row := x[(r0+t)*in : (r0+t+1)*in]
		q := p[t:]
		for k, v := range row {
			q[k*fgNT] = math.Float32bits(v)
		}
	}
}

// floatGemms are the F32-word GEMMs per weight type (FMAs on F32
// activations, as fmatmul.go's kernels do).
// minRows: at 1024 -> 3072 on one thread the GEMM ties with the 4x4 tiles
// at 16 tokens (BF16, F16; 1.5x at 128) and 64-128 (F32, which those need
// not widen). 16 is also the quantized GEMM's default (gemmRowsFor, which
// MoEFFN consults): decode batches of up to 15 sequences stay on the row
// kernels, bit-equal to a row alone.
var floatGemms = map[quant.Type]*laneGemm{
	quant.F32:  {minRows: 128, packW: packPanelF32, packX: packXF32, tile: fgTileGo},
	quant.F16:  {minRows: 16, packW: packPanelF16, packX: packXF32, tile: fgTileGo},
	quant.BF16: {minRows: 16, packW: packPanelBF16, packX: packXF32, tile: fgTileGo},
}
