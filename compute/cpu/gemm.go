package cpu

import "sync"

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

// gemmMinRows is the fewest activation rows the GEMM takes. Packing a
// panel costs about one tile pass over it and a 12-token tile runs 12 rows'
// worth of vpdpbusd whatever its fill, so the row kernels win for a few
// rows: BenchmarkGEMMRows (1024 -> 3072, 2 threads) put the crossover at
// 4-8 rows for Q4_0, Q8_0 and Q4_K; at 12 rows the GEMM was 2.7-3.8x
// faster. 16 keeps batches up to 15 rows (decode steps of a few sequences)
// on the row kernels, whose bits match a row run alone.
var gemmMinRows = 16

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
}

var (
	gemmJobs    = newJobPool[gemmCtx]()
	gemmActPool = sync.Pool{New: func() any { return new(gemmAct) }}
	panelPool   = sync.Pool{New: func() any { return new(panel) }}
)

// gemmMatMul is the gemmFunc of every packed type.
func gemmMatMul(b *Backend, dst, x []float32, rows int, w *tensor) bool {
	if rows < gemmMinRows || gemmTileKernel == nil {
		return false
	}
	return runGEMM(b, dst, x, rows, w, gemmTileKernel)
}

// runGEMM computes dst = x·wᵀ with tile as the tile kernel, or returns
// false when w's type or shape has no panel packer.
func runGEMM(b *Backend, dst, x []float32, rows int, w *tensor, tile func(*panel, []byte, []float32, []float32, int, int, int)) bool {
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
	c := gemmCtx{a: a, x: x, dst: dst, rows: rows, w: w, pk: pk, tile: tile}
	parallelCtx(b.pool, gemmJobs, a.tiles*gemmNT, grainFor(4*w.cols), c, func(c *gemmCtx, lo, hi int) {
		row := actPool.Get().(*actBuf)
		c.a.quantizeRows(row, c.x, lo, hi)
		actPool.Put(row)
	})
	panels := (w.rows + panelRows - 1) / panelRows
	parallelCtx(b.pool, gemmJobs, panels, 1, c, func(c *gemmCtx, lo, hi int) {
		p := panelPool.Get().(*panel)
		a, n := c.a, c.w.rows
		for i := lo; i < hi; i++ {
			o := i * panelRows
			p.reset(c.pk.group, a.cols)
			c.pk.pack(c.w, o, p)
			lanes := min(panelRows, n-o)
			for t := 0; t < a.tiles; t++ {
				nt := min(gemmNT, c.rows-t*gemmNT)
				c.tile(p, a.tileQ(t), a.tileF(t), c.dst[t*gemmNT*n+o:], n, nt, lanes)
			}
		}
		panelPool.Put(p)
	})
	gemmActPool.Put(a)
	return true
}
