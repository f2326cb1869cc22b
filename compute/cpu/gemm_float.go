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
//  2. the weight's 16-row panels are split over the pool: a worker packs a
//     panel into its own buffer as [k][row] words (the file's bytes stay
//     mmap'd and untouched) and runs it against every tile.
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

// fgKBlock is the k steps a panel's block spans: the tiles of every token
// run over one block (16 KiB of panel, kept in L1) before the next, so
// that the activations' block (512 tokens: 512 KiB) stays in L2 instead of
// the whole activations (2 MiB at 1024 values) streaming from L3 once per
// panel. Accumulators go through dst between blocks, which changes no bit.
const fgKBlock = 256

// lgBuf is a pooled buffer: packed activations, or a worker's panel and
// its edge tiles (a last panel of fewer than 16 rows, a last tile of fewer
// than fgNT tokens), which the kernel writes in full.
type lgBuf struct {
	u    []uint32
	edge []float32
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
	panels := (w.rows + fgRows - 1) / fgRows
	parallelCtx(b.pool, lgJobs, panels, 1, c, func(c *lgCtx, lo, hi int) {
		out, steps := c.w.rows, c.g.steps(c.w.cols)
		p := lgBufs.Get().(*lgBuf)
		p.u = grow(p.u, steps*fgRows)
		tiles := (c.rows + fgNT - 1) / fgNT
		p.edge = grow(p.edge, tiles*fgNT*fgRows)
		for i := lo; i < hi; i++ {
			o := i * fgRows
			c.g.packW(c.w, o, p.u)
			lanes := min(fgRows, out-o)
			for k := 0; k < steps; k += fgKBlock {
				n := min(fgKBlock, steps-k)
				for r0 := 0; r0 < c.rows; r0 += fgNT {
					xt := &c.act[r0*steps+k*fgNT]
					if nt := min(fgNT, c.rows-r0); lanes == fgRows && nt == fgNT {
						c.g.tile(&p.u[k*fgRows], xt, n, &c.dst[r0*out+o], out, k > 0, nt)
					} else {
						c.g.tile(&p.u[k*fgRows], xt, n, &p.edge[r0*fgRows], fgRows, k > 0, nt)
					}
				}
			}
			for r0 := 0; r0 < c.rows; r0 += fgNT {
				if lanes == fgRows && r0+fgNT <= c.rows {
					continue
				}
				for t := r0; t < min(r0+fgNT, c.rows); t++ {
					copy(c.dst[t*out+o:t*out+o+lanes], p.edge[t*fgRows:])
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
// minRows: at 1024 -> 3072 on one thread the 4x4 tiles win below 24
// tokens (BF16, F16) and tie with F32 at every size.
var floatGemms = map[quant.Type]*laneGemm{
	quant.F32:  {minRows: 128, packW: packPanelF32, packX: packXF32, tile: fgTileGo},
	quant.F16:  {minRows: 24, packW: packPanelF16, packX: packXF32, tile: fgTileGo},
	quant.BF16: {minRows: 24, packW: packPanelBF16, packX: packXF32, tile: fgTileGo},
}
