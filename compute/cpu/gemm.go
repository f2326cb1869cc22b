package cpu

import (
	"sync"

	"github.com/ferrum-go/ferrum/quant"
)

// The prefill GEMM (gemm_hook.go's slot) for the types with a panel packer:
//
//  1. quantize the activations into token tiles (gemm_act.go), in parallel
//     over tokens;
//  2. split the weight's 16-row panels over the pool: a worker packs one
//     panel into its own buffer (gemm_panel.go's layout, read straight from
//     the file's blocks) and runs it against every token tile, so the panel
//     stays in L1/L2 while the tiles stream from L2.
//
// Per 4 values the tile kernel spends one 64-byte load and gemmNT vpdpbusd,
// each doing 64 multiply-adds (16 rows x 4) for one token; the float work
// (convert, scale, offset) comes once per scale group and token for all 16
// rows. Lanes are weight rows and tokens never mix, so a token's result does
// not depend on the other tokens of the call.

// gemmMinRows is the fewest activation rows the GEMM takes, per weight
// type. Packing a panel per call costs about 0.03-0.1 ns per weight (the
// AVX-512 packers) and a token adds one vpdpbusd per 64 multiply-adds, so
// from 2 rows on the GEMM beats the row kernels for every type (1.1-2x at
// 2 rows, 2.7-3.8x at 12: BenchmarkGEMMRows). For one row, in CPU time per
// 1024 -> 3072 MatMul on one thread (BenchmarkGEMMDecode), it was faster
// for the types listed with 1 (Q4_1 -43%, Q4_K -20%, Q5_1 -19%, Q4_0 -14%,
// Q2_K -11%, Q5_K -9%, Q3_K -7%, Q8_0 -6%) and slower for Q6_K (+35%) and
// Q5_0 (+9%), whose packing is dearer. (Since then one token skips packing
// through gemmOneToken's kernels, 1.5-2.6x faster again; Q6_K's and Q5_0's
// still lose to their row kernels at one row: BenchmarkDecodeBandwidth,
// BenchmarkGEMMDecodePanel.) Taking every row count keeps a
// row's bits independent of its batch at every size, as the row kernels
// do; the other two start at 16, which keeps decode batches of up to 15
// sequences on the row kernels (bits equal to a row run alone) and prefill
// chunks on the GEMM.
var gemmMinRows = map[quant.Type]int{
	quant.Q2_K: 1, quant.Q3_K: 1, quant.Q4_0: 1, quant.Q4_1: 1, quant.Q4_K: 1, quant.Q5_1: 1, quant.Q5_K: 1, quant.Q8_0: 1,
}

// gemmMinRowsDefault applies to the packed types not in gemmMinRows.
var gemmMinRowsDefault = 16

// gemmRowsFor is the GEMM's threshold for weight type t.
func gemmRowsFor(t quant.Type) int {
	if n, ok := gemmMinRows[t]; ok {
		return n
	}
	return gemmMinRowsDefault
}

// gemmTileKernel runs one packed panel against one activation tile
// (gemmTileRef's contract); nil where the CPU has no kernel, which leaves
// the GEMM unregistered.
var gemmTileKernel func(p *panel, act []byte, f []float32, dst []float32, ldd, nt, lanes int)

type gemmCtx struct {
	a      *gemmAct
	x, dst []float32
	rows   int
	w      *tensor
	pk     panelPacker
	tile   func(p *panel, act []byte, f []float32, dst []float32, ldd, nt, lanes int)
	// oneToken: gemmOneToken's kernels may stand in for pack and tile.
	oneToken bool
}

var (
	gemmJobs    = newJobPool[gemmCtx]()
	gemmActPool = sync.Pool{New: func() any { return new(gemmAct) }}
	panelPool   = sync.Pool{New: func() any { return new(panel) }}
)

// gemmMatMul is the gemmFunc of every packed type.
func gemmMatMul(b *Backend, dst, x []float32, rows int, w *tensor) bool {
	if rows < gemmRowsFor(w.dtype) || gemmTileKernel == nil {
		return false
	}
	return runGEMMWith(b, dst, x, rows, w, gemmTileKernel, true)
}

// runGEMM computes dst = x·wᵀ with tile as the tile kernel, or returns
// false when w's type or shape has no panel packer.
func runGEMM(b *Backend, dst, x []float32, rows int, w *tensor, tile func(*panel, []byte, []float32, []float32, int, int, int)) bool {
	return runGEMMWith(b, dst, x, rows, w, tile, false)
}

// runGEMMWith is runGEMM where oneToken allows gemmOneToken's kernels in
// place of packing and tile (which must then be gemmTileKernel, whose
// bits they reproduce).
func runGEMMWith(b *Backend, dst, x []float32, rows int, w *tensor, tile func(*panel, []byte, []float32, []float32, int, int, int), oneToken bool) bool {
	pk, ok := panelPackers[w.dtype]
	if !ok || rows == 0 || w.cols == 0 || w.cols%pk.group != 0 {
		return false
	}
	// The k-quants pair with Q8_K activations (one scale per 256 values),
	// the 32-value blocks with Q8 blocks: the row kernels' pairing.
	q8k := false
	if qk := qKernels[w.dtype]; qk != nil && qk.k == 0 {
		q8k = true
	}
	// gemmAct takes the group sums from the row quantizers: Q8 blocks sum
	// per 32 values, Q8_K super-blocks per 16 and per 32.
	if w.cols%32 != 0 || (q8k && (w.cols%256 != 0 || pk.group != 16 && pk.group != 32)) || (!q8k && pk.group != 32) {
		return false
	}
	a := gemmActPool.Get().(*gemmAct)
	a.shape(rows, w.cols, pk.group, q8k)
	c := gemmCtx{a: a, x: x, dst: dst, rows: rows, w: w, pk: pk, tile: tile, oneToken: oneToken}
	// Token slots past rows are zeroed only as far as the last tile's
	// kernel reads them (a decode step fills one slot, not gemmNT).
	slots := (a.tiles-1)*gemmNT + tileSlots(rows-(a.tiles-1)*gemmNT)
	parallelCtx(b.pool, gemmJobs, slots, grainFor(4*w.cols), c, func(c *gemmCtx, lo, hi int) {
		row := actPool.Get().(*actBuf)
		c.a.quantizeRows(row, c.x, lo, hi)
		actPool.Put(row)
	})
	panels := (w.rows + panelRows - 1) / panelRows
	parallelCtx(b.pool, gemmJobs, panels, 1, c, func(c *gemmCtx, lo, hi int) {
		p := panelPool.Get().(*panel)
		for i := lo; i < hi; i++ {
			gemmPanel(c.pk, c.tile, c.oneToken, c.w, i*panelRows, p, c.a, c.dst)
		}
		panelPool.Put(p)
	})
	gemmActPool.Put(a)
	return true
}

// gemmOneToken holds, per weight type, a kernel computing one token
// against the 16 whole weight rows from o straight from the file, with
// the bits of packing them and running the 1-token tile kernel (so that it
// may stand in for them), or returning false, having touched nothing, where
// it cannot. Decode has no other token to amortize packing over, and the
// panel's store and reload would cost more than the dot product.
var gemmOneToken = map[quant.Type]func(w *tensor, o int, act []byte, f []float32, dst []float32) bool{}

// gemmPanel computes weight rows [o, o+16) of w (fewer at its end) for
// every token of a into dst (a.rows x w.rows), using p to pack them
// (oneToken: see runGEMMWith).
func gemmPanel(pk panelPacker, tile func(*panel, []byte, []float32, []float32, int, int, int), oneToken bool, w *tensor, o int, p *panel, a *gemmAct, dst []float32) {
	n := w.rows
	if oneToken && a.rows == 1 {
		if one := gemmOneToken[w.dtype]; one != nil && one(w, o, a.tileQ(0), a.tileF(0), dst[o:]) {
			return
		}
	}
	p.reset(pk.group, a.cols)
	pk.pack(w, o, p)
	lanes := min(panelRows, n-o)
	for t := 0; t < a.tiles; t++ {
		nt := min(gemmNT, a.rows-t*gemmNT)
		tile(p, a.tileQ(t), a.tileF(t), dst[t*gemmNT*n+o:], n, nt, lanes)
	}
}
