package cpu

import (
	"fmt"
	"math"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/quant"
)

// MatMul parallelizes over the weight's rows (output features). Weight
// types with an integer kernel (qKernels) first quantize the activation rows
// once (Q8 blocks or Q8_K super-blocks, as ggml does) and then take integer
// dot products; the others dequantize each weight row once and use it for
// every activation row. Either way a weight is read once per call whatever
// the batch size.
func (b *Backend) MatMul(dst, x, w compute.Tensor) {
	d, xt, wt := f32Of(dst), f32Of(x), anyOf(w)
	if xt.cols != wt.cols || d.rows != xt.rows || d.cols != wt.rows {
		panic(fmt.Sprintf("cpu: MatMul %dx%d by (%dx%d)^T into %dx%d", xt.rows, xt.cols, wt.rows, wt.cols, d.rows, d.cols))
	}
	rows, in, out := xt.rows, xt.cols, wt.rows
	if g := gemms[wt.dtype]; g != nil && !b.exactMatMul && g(b, d.f32, xt.f32, rows, wt) {
		return
	}
	c := mmCtx{d: d.f32, x: xt.f32, rows: rows, in: in, w: wt}
	if qk := qKernels[wt.dtype]; qk != nil && !b.exactMatMul && in%qk.elems == 0 {
		a := actPool.Get().(*actBuf)
		if qk.k != 0 {
			a.shapeQ8(rows, in)
		} else {
			a.shapeQ8K(rows, in)
		}
		c.qk, c.a = qk, a
		parallelCtx(b.pool, mmJobs, rows, grainFor(4*in), c, func(c *mmCtx, lo, hi int) {
			c.qk.quantizeRows(c.a, c.x, lo, hi, c.in)
		})
		parallelCtx(b.pool, mmJobs, out, grainFor(in*rows), c, func(c *mmCtx, lo, hi int) {
			c.qk.run(c.d, c.a, c.rows, c.w, lo, hi)
		})
		actPool.Put(a)
		return
	}
	if fk, ok := floatRows[wt.dtype]; ok && !b.exactMatMul {
		c.fk = fk
		parallelCtx(b.pool, mmJobs, out, grainFor(in*rows), c, func(c *mmCtx, lo, hi int) {
			runFloat(c.fk, c.d, c.x, c.rows, c.w, lo, hi)
		})
		return
	}
	k, ok := matmulKernels[wt.dtype]
	if !ok {
		k = matmulDequant
	}
	c.k = k
	parallelCtx(b.pool, mmJobs, out, grainFor(in*rows), c, func(c *mmCtx, lo, hi int) {
		c.k(c.d, c.x, c.rows, c.w, lo, hi)
	})
}

// mmCtx is MatMul's arguments for its loop bodies.
type mmCtx struct {
	qk       *qKernel
	fk       floatRowKernel
	k        matmulKernel
	a        *actBuf
	d, x     []float32
	rows, in int
	w        *tensor
}

var mmJobs = newJobPool[mmCtx]()

func (b *Backend) AddRow(x, bias compute.Tensor) {
	xt, bt := f32Of(x), f32Of(bias)
	if bt.rows*bt.cols != xt.cols {
		panic(fmt.Sprintf("cpu: AddRow of %d values to rows of %d", bt.rows*bt.cols, xt.cols))
	}
	b.pool.parallelFor(xt.rows, grainFor(xt.cols), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			row := xt.row(r)
			for i, v := range bt.f32 {
				row[i] += v
			}
		}
	})
}

func (b *Backend) elementwise(op string, dst, a, c compute.Tensor, f func(d, x, y []float32)) {
	dt, at, ct := f32Of(dst), f32Of(a), f32Of(c)
	sameShape(op, dt, at, ct)
	parallelCtx(b.pool, ewJobs, len(dt.f32), grainFor(1), ewCtx{dt.f32, at.f32, ct.f32, f}, func(c *ewCtx, lo, hi int) {
		c.f(c.d[lo:hi], c.a[lo:hi], c.b[lo:hi])
	})
}

type ewCtx struct {
	d, a, b []float32
	f       func(d, x, y []float32)
}

var ewJobs = newJobPool[ewCtx]()

func (b *Backend) Add(dst, a, c compute.Tensor) {
	b.elementwise("Add", dst, a, c, addF32)
}

func (b *Backend) Mul(dst, a, c compute.Tensor) {
	b.elementwise("Mul", dst, a, c, mulF32)
}

func addF32(d, x, y []float32) {
	x, y = x[:len(d)], y[:len(d)]
	for i := range d {
		d[i] = x[i] + y[i]
	}
}

func mulF32(d, x, y []float32) {
	x, y = x[:len(d)], y[:len(d)]
	for i := range d {
		d[i] = x[i] * y[i]
	}
}

func (b *Backend) SwiGLU(dst, gate, up compute.Tensor) {
	b.elementwise("SwiGLU", dst, gate, up, swiglu)
}

func (b *Backend) unary(op string, dst, x compute.Tensor, f func(float32) float32) {
	dt, xt := f32Of(dst), f32Of(x)
	sameShape(op, dt, xt)
	b.pool.parallelFor(len(dt.f32), grainFor(4), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dt.f32[i] = f(xt.f32[i])
		}
	})
}

func silu(v float32) float32 { return v / (1 + float32(math.Exp(float64(-v)))) }

func (b *Backend) SiLU(dst, x compute.Tensor) { b.activation("SiLU", dst, x, siluF32) }
func (b *Backend) GELU(dst, x compute.Tensor) { b.activation("GELU", dst, x, geluF32) }

func (b *Backend) RMSNorm(dst, x, w compute.Tensor, eps float32) {
	dt, xt, wt := f32Of(dst), f32Of(x), f32Of(w)
	sameShape("RMSNorm", dt, xt)
	if len(wt.f32) != xt.cols {
		panic(fmt.Sprintf("cpu: RMSNorm weight of %d for rows of %d", len(wt.f32), xt.cols))
	}
	parallelCtx(b.pool, normJobs, xt.rows, grainFor(xt.cols), normCtx{dt, xt, wt.f32, eps}, func(c *normCtx, lo, hi int) {
		for r := lo; r < hi; r++ {
			rmsNormRow(c.d.row(r), c.x.row(r), c.w, c.eps)
		}
	})
}

type normCtx struct {
	d, x *tensor
	w    []float32
	eps  float32
}

var normJobs = newJobPool[normCtx]()

// rmsNormRow normalizes one row; a slot for SIMD kernels.
var rmsNormRow = rmsNormRowGeneric

func rmsNormRowGeneric(dst, x, w []float32, eps float32) {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	inv := float32(1 / math.Sqrt(ss/float64(len(x))+float64(eps)))
	for i, v := range x {
		dst[i] = v * inv * w[i]
	}
}

func (b *Backend) LayerNorm(dst, x, w, bias compute.Tensor, eps float32) {
	dt, xt, wt := f32Of(dst), f32Of(x), f32Of(w)
	sameShape("LayerNorm", dt, xt)
	var bv []float32
	if bias != nil {
		bv = f32Of(bias).f32
	}
	b.pool.parallelFor(xt.rows, grainFor(xt.cols), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, dr := xt.row(r), dt.row(r)
			var mean, vr float64
			for _, v := range xr {
				mean += float64(v)
			}
			mean /= float64(len(xr))
			for _, v := range xr {
				dv := float64(v) - mean
				vr += dv * dv
			}
			inv := 1 / math.Sqrt(vr/float64(len(xr))+float64(eps))
			for i, v := range xr {
				y := float32((float64(v)-mean)*inv) * wt.f32[i]
				if bv != nil {
					y += bv[i]
				}
				dr[i] = y
			}
		}
	})
}

func (b *Backend) Softmax(dst, x compute.Tensor) {
	dt, xt := f32Of(dst), f32Of(x)
	sameShape("Softmax", dt, xt)
	b.pool.parallelFor(xt.rows, grainFor(xt.cols), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			softmaxRow(dt.row(r), xt.row(r))
		}
	})
}

func softmaxRow(dst, x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	copy(dst, x)
	inv := 1 / expSub(dst, m)
	for i := range dst {
		dst[i] *= inv
	}
}

func (b *Backend) Embed(dst, table compute.Tensor, ids []int32) {
	dt, tt := f32Of(dst), anyOf(table)
	if dt.rows != len(ids) || dt.cols != tt.cols {
		panic(fmt.Sprintf("cpu: Embed of %d ids (width %d) into %dx%d", len(ids), tt.cols, dt.rows, dt.cols))
	}
	for _, id := range ids {
		if id < 0 || int(id) >= tt.rows {
			panic(fmt.Sprintf("cpu: Embed id %d outside table of %d rows", id, tt.rows))
		}
	}
	parallelCtx(b.pool, embedJobs, len(ids), grainFor(tt.cols), embedCtx{dt, tt, ids}, func(c *embedCtx, lo, hi int) {
		for r := lo; r < hi; r++ {
			if c.t.dtype == quant.F32 {
				copy(c.d.row(r), c.t.row(int(c.ids[r])))
			} else {
				c.t.deq(c.t.rawRow(int(c.ids[r])), c.d.row(r))
			}
		}
	})
}

type embedCtx struct {
	d, t *tensor
	ids  []int32
}

var embedJobs = newJobPool[embedCtx]()
