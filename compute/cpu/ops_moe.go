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
// and up of all experts, then (after SwiGLU and quantizing its output)
// down of all experts; the combine follows. An activation row is
// quantized once for all its experts where the kernels allow, and a
// decode step crosses two barriers per layer instead of one or two per
// expert MatMul.
//
// Each projection multiplies the way MatMul would for that weight type and
// row count: the GEMM (its panels of every expert spread over one loop) or
// the row kernels, with MatMul's activation formats and kernels, and the
// combine adds in MatMul-then-AddScaledRows order, so a row's bits are
// those of the Embed/MatMul/SwiGLU/AddScaledRows sequence. Where MatMul's
// choice would differ between the experts of one call (some at or above a
// GEMM threshold, some below), or for weights of a GEMM this op does not
// drive, MoEFFN runs that sequence itself (moeComposite).
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
	ag, ah         actBuf   // row kernels: views of moeCtx.ag and .ah at the expert's pairs
	gg, gh         *gemmAct // GEMM: the expert's activations for gate/up and down
}

// moeProj is how one projection of every active expert multiplies.
type moeProj struct {
	kind moeKind // the row kernels
	gemm bool    // the GEMM instead
	pk   panelPacker
	q8k  bool // GEMM activations in Q8_K super-blocks
	unit int  // weight rows per unit of work: a GEMM panel or the row kernels' 4
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
	xg, g, u, d     []float32 // x gathered by pair, gate then h, up, down
	ax, ag, ah      actBuf    // x, x gathered by pair, h (row kernels)
	gacts           []gemmAct // GEMM activations: per expert, gate/up then down
	gu, dn          moeProj
	guUnits, dUnits int // units per expert (gate/up: per matrix)
}

var moeCtxs = newScratchPool[moeCtx]()

// unitRows weight rows make one unit of the row kernels' loops: the 4
// rows the decode kernels take at once.
const unitRows = 4

// moeKind is how one projection multiplies on the row kernels: MatMul's
// choice minus the GEMM.
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

// projFor decides, as MatMul would, how the projection with weights of
// type t and cols columns multiplies experts of least to most rows; false
// when that differs between them or is a GEMM this op does not drive.
func (b *Backend) projFor(t quant.Type, cols, least, most int) (moeProj, bool) {
	p := moeProj{kind: b.moeKindOf(t, cols), unit: unitRows}
	if b.exactMatMul || gemms[t] == nil {
		return p, true
	}
	pk, packed := panelPackers[t]
	if !packed || gemmTileKernel == nil {
		return p, false // another GEMM (float weights): leave it to MatMul
	}
	thr := gemmRowsFor(t)
	switch {
	case most < thr:
		return p, true
	case least < thr:
		return p, false
	}
	// runGEMM's own conditions on the shape; where they fail, MatMul
	// falls back to the row kernels.
	q8k := qKernels[t] != nil && qKernels[t].k == 0
	if cols%pk.group != 0 || cols%32 != 0 || (q8k && (cols%256 != 0 || pk.group != 16 && pk.group != 32)) || (!q8k && pk.group != 32) {
		return p, true
	}
	p.gemm, p.pk, p.q8k, p.unit = true, pk, q8k, panelRows
	return p, true
}

// plan checks the call, lays out its pairs and scratch and reports whether
// the fused loops take it (false: moeComposite does).
func (c *moeCtx) plan(b *Backend, dt, xt *tensor, experts []compute.Expert, rows [][]int32, scales [][]float32) bool {
	c.b, c.dst, c.x = b, dt, xt
	c.hidden, c.inter = xt.cols, -1
	c.ex = c.ex[:0]
	pairs, most, least := 0, 0, xt.rows+1
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
		most, least = max(most, len(rs)), min(least, len(rs))
	}
	if len(c.ex) == 0 {
		return true
	}
	if gt != ut {
		return false // gate and up must share one activation
	}
	var ok1, ok2 bool
	c.gu, ok1 = b.projFor(gt, c.hidden, least, most)
	c.dn, ok2 = b.projFor(dnt, c.inter, least, most)
	if !ok1 || !ok2 {
		return false
	}
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
	switch {
	case c.gu.gemm:
		if n > 1 {
			c.xg = grow(c.xg, pairs*c.hidden)
		}
	case c.gu.kind.qk != nil:
		c.ax.shapeQ8Like(c.gu.kind.qk, n, c.hidden)
		c.ag.shapeQ8Like(c.gu.kind.qk, pairs, c.hidden)
	default:
		c.xg = grow(c.xg, pairs*c.hidden)
	}
	if !c.dn.gemm && c.dn.kind.qk != nil {
		c.ah.shapeQ8Like(c.dn.kind.qk, pairs, c.inter)
	}
	if c.gu.gemm || c.dn.gemm {
		if cap(c.gacts) < 2*len(c.ex) {
			c.gacts = make([]gemmAct, 2*len(c.ex))
		}
		c.gacts = c.gacts[:2*len(c.ex)]
	}
	for i := range c.ex {
		e := &c.ex[i]
		if c.gu.gemm {
			// A one-row call's experts all see the same row: one
			// quantization, shared.
			e.gg = &c.gacts[2*i]
			if n == 1 {
				e.gg = &c.gacts[0]
			}
			e.gg.shape(e.n, c.hidden, c.gu.pk.group, c.gu.q8k)
		} else if c.gu.kind.qk != nil {
			e.ag = c.ag.view(e.off, e.n)
		}
		if c.dn.gemm {
			e.gh = &c.gacts[2*i+1]
			e.gh.shape(e.n, c.inter, c.dn.pk.group, c.dn.q8k)
		} else if c.dn.kind.qk != nil {
			e.ah = c.ah.view(e.off, e.n)
		}
	}
	c.guUnits = (c.inter + c.gu.unit - 1) / c.gu.unit
	c.dUnits = (c.hidden + c.dn.unit - 1) / c.dn.unit
}

// shapeQ8Like sizes a for rows x cols in k's activation format.
func (a *actBuf) shapeQ8Like(k *qKernel, rows, cols int) {
	if k.k != 0 {
		a.shapeQ8(rows, cols)
	} else {
		a.shapeQ8K(rows, cols)
	}
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

// gemmSlots is how many token slots of a the GEMM quantizes (runGEMM's
// count: the last tile only as far as its kernel reads).
func gemmSlots(a *gemmAct) int {
	return (a.tiles-1)*gemmNT + tileSlots(a.rows-(a.tiles-1)*gemmNT)
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
	switch {
	case c.gu.gemm:
		if n == 1 {
			row := actPool.Get().(*actBuf)
			c.ex[0].gg.quantizeRows(row, c.x.f32, 0, gemmSlots(c.ex[0].gg))
			actPool.Put(row)
			break
		}
		c.gather()
		parallelCtx(p, moeJobs, len(c.ex), grainFor(4*c.hidden*most), c, func(c **moeCtx, lo, hi int) {
			(*c).quantizeX(lo, hi)
		})
	case c.gu.kind.qk != nil:
		parallelCtx(p, moeJobs, n, grainFor(4*c.hidden), c, func(c **moeCtx, lo, hi int) {
			(*c).gu.kind.qk.quantizeRows(&(*c).ax, (*c).x.f32, lo, hi, (*c).hidden)
		})
		for q, r := range c.src {
			c.ag.copyRow(q, &c.ax, int(r))
		}
	default:
		c.gather()
	}
	parallelCtx(p, moeJobs, 2*len(c.ex)*c.guUnits, grainFor(c.gu.unit*c.hidden*most), c, func(c **moeCtx, lo, hi int) {
		(*c).gateOrUp(lo, hi)
	})
	// (A decode step's few rows: on the caller, no barrier.)
	parallelCtx(p, moeJobs, len(c.ex), grainFor(2*c.inter*most), c, func(c **moeCtx, lo, hi int) {
		(*c).hRows(lo, hi)
	})
	parallelCtx(p, moeJobs, len(c.ex)*c.dUnits, grainFor(c.dn.unit*c.inter*most), c, func(c **moeCtx, lo, hi int) {
		(*c).down(lo, hi)
	})
	parallelCtx(p, moeJobs, n, grainFor(c.hidden*max(1, pairs/n)), c, func(c **moeCtx, lo, hi int) {
		(*c).combine(lo, hi)
	})
}

// gather copies each pair's source row of x into xg.
func (c *moeCtx) gather() {
	for q, r := range c.src {
		copy(c.xg[q*c.hidden:(q+1)*c.hidden], c.x.row(int(r)))
	}
}

// quantizeX fills the GEMM activations of experts [lo, hi) from their
// gathered rows.
func (c *moeCtx) quantizeX(lo, hi int) {
	row := actPool.Get().(*actBuf)
	for k := lo; k < hi; k++ {
		e := &c.ex[k]
		e.gg.quantizeRows(row, c.xg[e.off*c.hidden:(e.off+e.n)*c.hidden], 0, gemmSlots(e.gg))
	}
	actPool.Put(row)
}

// gateOrUp computes units [lo, hi) of the gate and up projections, laid
// out per expert as its gate units then its up units, so that a chunk of
// work streams through one matrix.
func (c *moeCtx) gateOrUp(lo, hi int) {
	per := 2 * c.guUnits
	for k := lo / per; k < len(c.ex) && k*per < hi; k++ {
		e := &c.ex[k]
		for m := 0; m < 2; m++ {
			base := k*per + m*c.guUnits
			ulo, uhi := max(lo, base), min(hi, base+c.guUnits)
			if ulo >= uhi {
				continue
			}
			w, dst := e.gate, c.g
			if m == 1 {
				w, dst = e.up, c.u
			}
			dst = dst[e.off*c.inter : (e.off+e.n)*c.inter]
			olo, ohi := (ulo-base)*c.gu.unit, min((uhi-base)*c.gu.unit, c.inter)
			switch {
			case c.gu.gemm:
				gemmPanels(&c.gu, e.gg, w, dst, olo, ohi)
			case c.gu.kind.qk != nil:
				c.gu.kind.run(dst, nil, &e.ag, e.n, w, olo, ohi)
			default:
				c.gu.kind.run(dst, c.xg[e.off*c.hidden:(e.off+e.n)*c.hidden], nil, e.n, w, olo, ohi)
			}
		}
	}
}

// gemmPanels is runGEMM's panel loop for weight rows [olo, ohi) (whole
// panels but for the matrix's last): dst (a.rows x w.rows) = x·wᵀ.
func gemmPanels(pr *moeProj, a *gemmAct, w *tensor, dst []float32, olo, ohi int) {
	p := panelPool.Get().(*panel)
	for o := olo; o < ohi; o += panelRows {
		gemmPanel(pr.pk, gemmTileKernel, true, w, o, p, a, dst)
	}
	panelPool.Put(p)
}

// hRows turns the rows of experts [lo, hi) into SwiGLU's h (in place of
// the gate) and quantizes them for the down projection.
func (c *moeCtx) hRows(lo, hi int) {
	var row *actBuf
	if c.dn.gemm {
		row = actPool.Get().(*actBuf)
	}
	for k := lo; k < hi; k++ {
		e := &c.ex[k]
		g := c.g[e.off*c.inter : (e.off+e.n)*c.inter]
		u := c.u[e.off*c.inter : (e.off+e.n)*c.inter]
		for r := 0; r < e.n; r++ {
			gr := g[r*c.inter : (r+1)*c.inter]
			swiglu(gr, gr, u[r*c.inter:(r+1)*c.inter])
		}
		switch {
		case c.dn.gemm:
			e.gh.quantizeRows(row, g, 0, gemmSlots(e.gh))
		case c.dn.kind.qk != nil:
			c.dn.kind.qk.quantizeRows(&c.ah, c.g, e.off, e.off+e.n, c.inter)
		}
	}
	if row != nil {
		actPool.Put(row)
	}
}

// down computes the down projection of units [lo, hi) (expert-major).
func (c *moeCtx) down(lo, hi int) {
	for k := lo / c.dUnits; k < len(c.ex) && k*c.dUnits < hi; k++ {
		e := &c.ex[k]
		olo := (max(lo, k*c.dUnits) - k*c.dUnits) * c.dn.unit
		ohi := min((min(hi, (k+1)*c.dUnits)-k*c.dUnits)*c.dn.unit, c.hidden)
		dst := c.d[e.off*c.hidden : (e.off+e.n)*c.hidden]
		h := c.g[e.off*c.inter : (e.off+e.n)*c.inter]
		if c.dn.gemm {
			gemmPanels(&c.dn, e.gh, e.down, dst, olo, ohi)
		} else {
			c.dn.kind.run(dst, h, &e.ah, e.n, e.down, olo, ohi)
		}
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

// moeComposite is MoEFFN as the sequence of ops a model would call.
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
