package cpu

import (
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/quant"
)

var (
	_ compute.MoEBackend    = (*Backend)(nil)
	_ compute.MoEFFNBackend = (*Backend)(nil)
)

// AddScaledRows is the MoE combine. Rows are distinct within a call, so
// they are split over workers without races; a token's experts arrive in
// separate calls, in the order the model makes them.
func (b *Backend) AddScaledRows(dst, src compute.Tensor, rows []int32, scales []float32) {
	dt, st := f32Of(dst), f32Of(src)
	if st.rows != len(rows) || len(scales) != len(rows) || st.cols != dt.cols {
		panic(fmt.Sprintf("cpu: AddScaledRows of %dx%d with %d rows, %d scales into width %d", st.rows, st.cols, len(rows), len(scales), dt.cols))
	}
	for _, r := range rows {
		if r < 0 || int(r) >= dt.rows {
			panic(fmt.Sprintf("cpu: AddScaledRows row %d outside %d rows", r, dt.rows))
		}
	}
	b.pool.parallelFor(len(rows), grainFor(st.cols), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			axpy(scales[i], st.row(i), dt.row(int(rows[i])))
		}
	})
}

// MoEFFN runs every active expert of a layer in two parallel loops: gate
// and up of all experts (with SwiGLU applied as each block of rows is
// done), then down of all experts; the combine follows. Each activation
// row is quantized once for all its experts, and a decode step crosses
// two barriers per layer instead of one per expert MatMul. A row's bits
// are those of the Embed/MatMul/SwiGLU/AddScaledRows sequence (same row
// kernels, same combine order) whenever MatMul takes no GEMM.
//
// Where MatMul would take a GEMM for some expert (an expert with at least
// the GEMM's row threshold for its type: a prefill, or any call for the
// types whose GEMM takes single rows, such as Q4_K), MoEFFN runs that op
// sequence itself instead, so that a row's bits are those of the unfused
// layer in every case and stay independent of its batch wherever MatMul's
// do.
func (b *Backend) MoEFFN(dst, x compute.Tensor, experts []compute.Expert, rows [][]int32, scales [][]float32) {
	dt, xt := f32Of(dst), f32Of(x)
	sameShape("MoEFFN", dt, xt)
	if len(rows) != len(experts) || len(scales) != len(experts) {
		panic(fmt.Sprintf("cpu: MoEFFN with %d experts, %d row lists, %d scale lists", len(experts), len(rows), len(scales)))
	}
	c := moeCtxs.get()
	if c.plan(b, dt, xt, experts, rows, scales) {
		c.run()
	} else {
		b.moeComposite(dt, xt, experts, rows, scales)
	}
	c.release()
	moeCtxs.put(c)
}

// moeExpert is one active expert of a call: its weights and its pairs
// [off, off+n) of the call's (row, scale) pairs.
type moeExpert struct {
	gate, up, down *tensor
	id, off, n     int
	ag, ah         actBuf // views of moeCtx.ag and .ah at the expert's rows
}

// moeCtx is one MoEFFN call's plan and scratch, pooled so that a decode
// step allocates nothing.
type moeCtx struct {
	b             *Backend
	dst, x        *tensor
	hidden, inter int
	ex            []moeExpert
	// Pairs p (grouped by expert, experts ascending): source row and scale.
	src   []int32
	scale []float32
	// byRow lists the pairs of row r at byRow[rowStart[r]:rowStart[r+1]],
	// ascending (so by expert id), the order the combine adds them in.
	byRow, rowStart []int32
	xg, g, u, d     []float32 // gathered x (float kernels), gate then h, up, down
	ax, ag, ah      actBuf    // x, x gathered by pair, h (integer kernels)
	gu, dn          moeKind
	guUnits, dUnits int // units (of unitRows weight rows) per expert
}

var moeCtxs = newScratchPool[moeCtx]()

// unitRows weight rows make one unit of the parallel loops: the 4 rows the
// decode kernels take at once.
const unitRows = 4

// moeKind is how one projection multiplies: MatMul's row kernels, chosen
// by the same rules minus the GEMM.
type moeKind struct {
	qk    *qKernel
	fk    floatRowKernel
	float bool // fk is set
	k     matmulKernel
}

func (b *Backend) moeKindOf(t quant.Type, in int) moeKind {
	if b.exactMatMul {
		if k, ok := matmulKernels[t]; ok {
			return moeKind{k: k}
		}
		return moeKind{k: matmulDequant}
	}
	if qk := qKernels[t]; qk != nil && in%qk.elems == 0 {
		return moeKind{qk: qk}
	}
	if fk, ok := floatRows[t]; ok {
		return moeKind{fk: fk, float: true}
	}
	if k, ok := matmulKernels[t]; ok {
		return moeKind{k: k}
	}
	return moeKind{k: matmulDequant}
}

// run fills dst[r*w.rows+o] for rows r < n and o in [lo, hi), from the
// float rows x (fk, k) or the quantized rows a (qk).
func (m *moeKind) run(dst, x []float32, a *actBuf, n int, w *tensor, lo, hi int) {
	switch {
	case m.qk != nil:
		m.qk.run(dst, a, n, w, lo, hi)
	case m.float:
		runFloat(m.fk, dst, x, n, w, lo, hi)
	default:
		m.k(dst, x, n, w, lo, hi)
	}
}

// plan checks the call, lays out its pairs and scratch and reports whether
// the fused loops take it (false: moeComposite does).
func (c *moeCtx) plan(b *Backend, dt, xt *tensor, experts []compute.Expert, rows [][]int32, scales [][]float32) bool {
	c.b, c.dst, c.x = b, dt, xt
	c.hidden, c.inter = xt.cols, -1
	c.ex = c.ex[:0]
	pairs, most := 0, 0
	var gt, ut, dnt quant.Type
	for e, rs := range rows {
		if len(scales[e]) != len(rs) {
			panic(fmt.Sprintf("cpu: MoEFFN expert %d has %d rows and %d scales", e, len(rs), len(scales[e])))
		}
		if len(rs) == 0 {
			continue
		}
		for _, r := range rs {
			if r < 0 || int(r) >= xt.rows {
				panic(fmt.Sprintf("cpu: MoEFFN expert %d row %d outside %d rows", e, r, xt.rows))
			}
		}
		g, u, d := anyOf(experts[e].Gate), anyOf(experts[e].Up), anyOf(experts[e].Down)
		if g.cols != c.hidden || u.cols != c.hidden || u.rows != g.rows || d.rows != c.hidden || d.cols != g.rows {
			panic(fmt.Sprintf("cpu: MoEFFN expert %d: gate %dx%d, up %dx%d, down %dx%d for rows of %d",
				e, g.rows, g.cols, u.rows, u.cols, d.rows, d.cols, c.hidden))
		}
		if c.inter < 0 {
			c.inter, gt, ut, dnt = g.rows, g.dtype, u.dtype, d.dtype
		}
		if g.rows != c.inter || g.dtype != gt || u.dtype != ut || d.dtype != dnt {
			return false // experts of mixed shapes or types: not one loop
		}
		c.ex = append(c.ex, moeExpert{gate: g, up: u, down: d, id: e, off: pairs, n: len(rs)})
		pairs += len(rs)
		most = max(most, len(rs))
	}
	if len(c.ex) == 0 {
		return true
	}
	for _, t := range [...]quant.Type{gt, ut, dnt} {
		if gemms[t] != nil && most >= gemmRowsFor(t) {
			return false // MatMul would take a GEMM for some expert
		}
	}
	if gt != ut {
		return false // gate and up must share one activation
	}
	c.gu, c.dn = b.moeKindOf(gt, c.hidden), b.moeKindOf(dnt, c.inter)
	c.layout(rows, scales, pairs)
	return true
}

// layout fills the pairs, the per-row lists and the scratch sizes.
func (c *moeCtx) layout(rows [][]int32, scales [][]float32, pairs int) {
	n := c.x.rows
	c.src, c.scale = grow(c.src, pairs), grow(c.scale, pairs)
	c.rowStart = grow(c.rowStart, n+1)
	clear(c.rowStart)
	for i := range c.ex {
		e := &c.ex[i]
		copy(c.src[e.off:e.off+e.n], rows[e.id])
		copy(c.scale[e.off:e.off+e.n], scales[e.id])
		for _, r := range rows[e.id] {
			c.rowStart[r+1]++
		}
	}
	for r := 0; r < n; r++ {
		c.rowStart[r+1] += c.rowStart[r]
	}
	// Fill byRow in pair order, which is expert order, using rowStart[r]
	// as row r's cursor; the cursors end at the next row's start, and one
	// shift puts the starts back.
	c.byRow = grow(c.byRow, pairs)
	for p, r := range c.src[:pairs] {
		c.byRow[c.rowStart[r]] = int32(p)
		c.rowStart[r]++
	}
	copy(c.rowStart[1:], c.rowStart[:n])
	c.rowStart[0] = 0

	c.g, c.u = grow(c.g, pairs*c.inter), grow(c.u, pairs*c.inter)
	c.d = grow(c.d, pairs*c.hidden)
	if c.gu.qk != nil {
		if c.gu.qk.k != 0 {
			c.ax.shapeQ8(n, c.hidden)
			c.ag.shapeQ8(pairs, c.hidden)
		} else {
			c.ax.shapeQ8K(n, c.hidden)
			c.ag.shapeQ8K(pairs, c.hidden)
		}
	} else {
		c.xg = grow(c.xg, pairs*c.hidden)
	}
	if c.dn.qk != nil {
		if c.dn.qk.k != 0 {
			c.ah.shapeQ8(pairs, c.inter)
		} else {
			c.ah.shapeQ8K(pairs, c.inter)
		}
	}
	for i := range c.ex {
		e := &c.ex[i]
		if c.gu.qk != nil {
			e.ag = c.ag.view(e.off, e.n)
		}
		if c.dn.qk != nil {
			e.ah = c.ah.view(e.off, e.n)
		}
	}
	c.guUnits = (c.inter + unitRows - 1) / unitRows
	c.dUnits = (c.hidden + unitRows - 1) / unitRows
}

// release drops the call's tensors, so that a pooled context keeps no
// activations alive.
func (c *moeCtx) release() {
	c.b, c.dst, c.x = nil, nil, nil
	clear(c.ex[:cap(c.ex)])
	c.ex = c.ex[:0]
}

// view is rows [r0, r0+n) of a, sharing its storage.
func (a *actBuf) view(r0, n int) actBuf {
	return actBuf{
		rows: n, cols: a.cols,
		qs: a.qs[r0*a.qsStride:], f: a.f[r0*a.fStride:], i: a.i[r0*a.iStride:],
		qsStride: a.qsStride, fStride: a.fStride, iStride: a.iStride,
	}
}

// copyRow copies row r of a into row dr of d (same shape and format).
func (d *actBuf) copyRow(dr int, a *actBuf, r int) {
	copy(d.qs[dr*d.qsStride:(dr+1)*d.qsStride], a.qs[r*a.qsStride:(r+1)*a.qsStride])
	copy(d.f[dr*d.fStride:(dr+1)*d.fStride], a.f[r*a.fStride:(r+1)*a.fStride])
	copy(d.i[dr*d.iStride:(dr+1)*d.iStride], a.i[r*a.iStride:(r+1)*a.iStride])
}

var moeJobs = newJobPool[*moeCtx]()

func (c *moeCtx) run() {
	p := c.b.pool
	n, pairs := c.x.rows, len(c.src)
	if len(c.ex) == 0 {
		clear(c.dst.f32)
		return
	}
	most := 0
	for i := range c.ex {
		most = max(most, c.ex[i].n)
	}
	if c.gu.qk != nil {
		parallelCtx(p, moeJobs, n, grainFor(4*c.hidden), c, func(c **moeCtx, lo, hi int) {
			(*c).gu.qk.quantizeRows(&(*c).ax, (*c).x.f32, lo, hi, (*c).hidden)
		})
		for q, r := range c.src {
			c.ag.copyRow(q, &c.ax, int(r))
		}
	} else {
		for q, r := range c.src {
			copy(c.xg[q*c.hidden:(q+1)*c.hidden], c.x.row(int(r)))
		}
	}
	parallelCtx(p, moeJobs, len(c.ex)*c.guUnits, grainFor(2*unitRows*c.hidden*most), c, func(c **moeCtx, lo, hi int) {
		(*c).gateUp(lo, hi)
	})
	if c.dn.qk != nil {
		parallelCtx(p, moeJobs, pairs, grainFor(4*c.inter), c, func(c **moeCtx, lo, hi int) {
			(*c).dn.qk.quantizeRows(&(*c).ah, (*c).g, lo, hi, (*c).inter)
		})
	}
	parallelCtx(p, moeJobs, len(c.ex)*c.dUnits, grainFor(unitRows*c.inter*most), c, func(c **moeCtx, lo, hi int) {
		(*c).down(lo, hi)
	})
	parallelCtx(p, moeJobs, n, grainFor(c.hidden*max(1, pairs/n)), c, func(c **moeCtx, lo, hi int) {
		(*c).combine(lo, hi)
	})
}

// gateUp computes gate and up of units [lo, hi) (expert-major) and turns
// each finished block of rows into SwiGLU's h, in place of the gate.
func (c *moeCtx) gateUp(lo, hi int) {
	for k := lo / c.guUnits; k < len(c.ex) && k*c.guUnits < hi; k++ {
		e := &c.ex[k]
		olo := (max(lo, k*c.guUnits) - k*c.guUnits) * unitRows
		ohi := min((min(hi, (k+1)*c.guUnits)-k*c.guUnits)*unitRows, c.inter)
		g := c.g[e.off*c.inter : (e.off+e.n)*c.inter]
		u := c.u[e.off*c.inter : (e.off+e.n)*c.inter]
		var xg []float32
		if c.gu.qk == nil {
			xg = c.xg[e.off*c.hidden : (e.off+e.n)*c.hidden]
		}
		c.gu.run(g, xg, &e.ag, e.n, e.gate, olo, ohi)
		c.gu.run(u, xg, &e.ag, e.n, e.up, olo, ohi)
		for r := 0; r < e.n; r++ {
			gr := g[r*c.inter+olo : r*c.inter+ohi]
			swiglu(gr, gr, u[r*c.inter+olo:r*c.inter+ohi])
		}
	}
}

// down computes the down projection of units [lo, hi) (expert-major).
func (c *moeCtx) down(lo, hi int) {
	for k := lo / c.dUnits; k < len(c.ex) && k*c.dUnits < hi; k++ {
		e := &c.ex[k]
		olo := (max(lo, k*c.dUnits) - k*c.dUnits) * unitRows
		ohi := min((min(hi, (k+1)*c.dUnits)-k*c.dUnits)*unitRows, c.hidden)
		c.dn.run(c.d[e.off*c.hidden:(e.off+e.n)*c.hidden], c.g[e.off*c.inter:(e.off+e.n)*c.inter], &e.ah, e.n, e.down, olo, ohi)
	}
}

// combine writes rows [lo, hi) of dst: zero plus each of the row's expert
// outputs in expert order, as AddScaledRows into a fresh tensor would.
func (c *moeCtx) combine(lo, hi int) {
	for r := lo; r < hi; r++ {
		dr := c.dst.row(r)
		clear(dr)
		for _, q := range c.byRow[c.rowStart[r]:c.rowStart[r+1]] {
			axpy(c.scale[q], c.d[int(q)*c.hidden:(int(q)+1)*c.hidden], dr)
		}
	}
}

// moeComposite is MoEFFN as the sequence of ops a model would call: for
// experts of mixed types, and for prefills whose experts a GEMM may take.
func (b *Backend) moeComposite(dt, xt *tensor, experts []compute.Expert, rows [][]int32, scales [][]float32) {
	clear(dt.f32)
	for e, rs := range rows {
		if len(rs) == 0 {
			continue
		}
		ex := experts[e]
		xe := b.Alloc(len(rs), xt.cols)
		b.Embed(xe, xt, rs)
		g := b.Alloc(len(rs), ex.Gate.Rows())
		u := b.Alloc(len(rs), ex.Up.Rows())
		b.MatMul(g, xe, ex.Gate)
		b.MatMul(u, xe, ex.Up)
		b.SwiGLU(g, g, u)
		d := b.Alloc(len(rs), ex.Down.Rows())
		b.MatMul(d, g, ex.Down)
		b.AddScaledRows(dt, d, rs, scales[e])
	}
}
