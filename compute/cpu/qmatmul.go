package cpu

import (
	"sync"

	"github.com/ferrum-go/ferrum/quant"
)

// qKernel is the integer-dot-product MatMul of one weight type: the
// activation format it pairs with, its plain-Go dot product (always
// present) and, where the CPU allows, assembly kernels for one and four
// activation rows that cover whole multiples of step blocks. Both leave
// 16 float lanes per row, which run reduces the same way.
type qKernel struct {
	elems      int   // values per weight block: 32, or 256 for k-quants
	blockBytes int   // bytes per weight block
	k          int32 // Q8 activations: the unsigned offset of the weight quants (-1: Q4_1/Q5_1, qdot_q1_ref.go); 0: Q8_K
	ref        func(w []byte, a *actBuf, r, b0, b1 int) float32
	step       int
	x1         func(w []byte, a *actBuf, r, nb int, out *[64]float32)
	x4         func(w []byte, a *actBuf, r, nb int, out *[64]float32)
	// w4 (optional): one activation row against 4 weight rows stride
	// bytes apart (decode), the same per-row operations as x1.
	w4 func(w []byte, stride int, a *actBuf, r, nb int, out *[64]float32)
}

var qKernels = map[quant.Type]*qKernel{
	quant.Q8_0: {elems: 32, blockBytes: 34, k: 128, ref: dotQ8_0Ref},
	quant.Q4_0: {elems: 32, blockBytes: 18, k: 8, ref: dotQ4_0Ref},
	quant.Q4_K: {elems: 256, blockBytes: 144, ref: dotQ4_KRef},
	quant.Q6_K: {elems: 256, blockBytes: 210, ref: dotQ6_KRef},
	quant.Q5_K: {elems: 256, blockBytes: 176, ref: dotQ5_KRef},
	quant.Q2_K: {elems: 256, blockBytes: 84, ref: dotQ2_KRef},
	quant.Q3_K: {elems: 256, blockBytes: 110, ref: dotQ3_KRef},
	quant.Q5_0: {elems: 32, blockBytes: 22, k: 16, ref: dotQ5_0Ref},
	quant.Q4_1: {elems: 32, blockBytes: 20, k: -1, ref: dotQ4_1Ref},
	quant.Q5_1: {elems: 32, blockBytes: 24, k: -1, ref: dotQ5_1Ref},
}

func setFast(k *qKernel, step int, x1 func([]byte, *actBuf, int, int, *[64]float32), x4 func([]byte, *actBuf, int, int, *[64]float32)) {
	k.step, k.x1, k.x4 = step, x1, x4
}

// quantizeRows fills a with x (rows x cols) in k's activation format.
func (k *qKernel) quantizeRows(a *actBuf, x []float32, lo, hi, cols int) {
	for r := lo; r < hi; r++ {
		if k.k != 0 {
			a.quantizeQ8Row(r, x[r*cols:(r+1)*cols], k.k)
		} else {
			a.quantizeQ8KRow(r, x[r*cols:(r+1)*cols])
		}
	}
}

// actRowsPerTile bounds the activation rows one pass over a weight row
// serves, so that they stay in L2 while the weight row stays in L1.
const actRowsPerTile = 64

// run fills dst[r*w.rows+o] for every activation row r and o in [lo, hi).
func (k *qKernel) run(dst []float32, a *actBuf, rows int, w *tensor, lo, hi int) {
	out := w.rows
	nb := w.cols / k.elems
	nfast := 0
	if k.x1 != nil {
		nfast = nb - nb%k.step
	}
	accp := scratch.Get().(*[64]float32)
	defer scratch.Put(accp)
	acc := accp
	rb := nb * k.blockBytes
	for rc := 0; rc < rows; rc += actRowsPerTile {
		re := min(rows, rc+actRowsPerTile)
		r4 := rc + (re-rc)&^3 // rows [rc, r4) go 4 at a time through x4
		if nfast == 0 {
			r4 = rc
		}
		o := lo
		if k.w4 != nil && nfast > 0 {
			for ; o+4 <= hi; o += 4 {
				wr := w.raw[o*rb : (o+4)*rb]
				for i := 0; i < 4; i++ {
					k.x4rows(dst, wr[i*rb:(i+1)*rb], a, rc, r4, nfast, nb, out, o+i, acc)
				}
				for r := r4; r < re; r++ {
					k.w4(wr, rb, a, r, nfast, acc)
					for i := 0; i < 4; i++ {
						s := sum16(acc[16*i : 16*i+16])
						if nfast < nb {
							s += k.ref(wr[i*rb:(i+1)*rb], a, r, nfast, nb)
						}
						dst[r*out+o+i] = s
					}
				}
			}
		}
		for ; o < hi; o++ {
			wr := w.rawRow(o)
			k.x4rows(dst, wr, a, rc, r4, nfast, nb, out, o, acc)
			for r := r4; r < re; r++ {
				var s float32
				if nfast > 0 {
					// The same lanes and the same reduction as the 4-row
					// kernel: a row's result must not depend on its batch.
					k.x1(wr, a, r, nfast, acc)
					s = sum16(acc[:16])
				}
				if nfast < nb {
					s += k.ref(wr, a, r, nfast, nb)
				}
				dst[r*out+o] = s
			}
		}
	}
}

// x4rows fills column o of dst for activation rows [r0, r1) (a multiple of
// 4 apart) with the 4-row kernel.
func (k *qKernel) x4rows(dst []float32, wr []byte, a *actBuf, r0, r1, nfast, nb, out, o int, acc *[64]float32) {
	for r := r0; r < r1; r += 4 {
		k.x4(wr, a, r, nfast, acc)
		for i := 0; i < 4; i++ {
			s := sum16(acc[16*i : 16*i+16])
			if nfast < nb {
				s += k.ref(wr, a, r+i, nfast, nb)
			}
			dst[(r+i)*out+o] = s
		}
	}
}

// scratch holds the 16-lane partial sums of a kernel call; pooled because
// the kernels are reached through function values, which makes any local
// array passed to them escape.
var scratch = sync.Pool{New: func() any { return new([64]float32) }}

// scratchPool is a typed sync.Pool of *T.
type scratchPool[T any] struct{ p sync.Pool }

func newScratchPool[T any]() *scratchPool[T] {
	return &scratchPool[T]{p: sync.Pool{New: func() any { return new(T) }}}
}

func (s *scratchPool[T]) get() *T  { return s.p.Get().(*T) }
func (s *scratchPool[T]) put(t *T) { s.p.Put(t) }

// floatBuf is a reusable []float32 (pooled by pointer so that Put does
// not allocate).
type floatBuf struct{ v []float32 }

type floatPool struct{ p sync.Pool }

var floatScratch = &floatPool{p: sync.Pool{New: func() any { return new(floatBuf) }}}

// get returns a buffer of n values (contents undefined).
func (f *floatPool) get(n int) *floatBuf {
	b := f.p.Get().(*floatBuf)
	b.v = grow(b.v, n)
	return b
}

func (f *floatPool) put(b *floatBuf) { f.p.Put(b) }

func sum16(v []float32) float32 {
	v = v[:16]
	return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])) +
		((v[8] + v[9]) + (v[10] + v[11])) + ((v[12] + v[13]) + (v[14] + v[15]))
}

// intBuf and intScratch: the []int32 counterpart of floatScratch.
type intBuf struct{ v []int32 }

type intPool struct{ p sync.Pool }

var intScratch = &intPool{p: sync.Pool{New: func() any { return new(intBuf) }}}

func (f *intPool) get(n int) *intBuf {
	b := f.p.Get().(*intBuf)
	b.v = grow(b.v, n)
	return b
}

func (f *intPool) put(b *intBuf) { f.p.Put(b) }
