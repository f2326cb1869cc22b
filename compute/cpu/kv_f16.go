package cpu

import (
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/quant"
)

// AllocKV implements compute.KVAllocator: F32 pools are ordinary tensors,
// F16 pools hold half the bytes and are only reached by WriteKV and
// Attention.
func (b *Backend) AllocKV(t quant.Type, rows, cols int) (compute.Tensor, error) {
	switch t {
	case quant.F32:
		return b.Alloc(rows, cols), nil
	case quant.F16:
		return &tensor{dtype: quant.F16, rows: rows, cols: cols, f16: make([]uint16, rows*cols)}, nil
	}
	return nil, fmt.Errorf("cpu: no %v KV cache (want f32 or f16)", t)
}

// kvPoolOf unwraps a KV pool: an F32 tensor or an F16 pool from AllocKV.
func kvPoolOf(t compute.Tensor) *tensor {
	ct := anyOf(t)
	if ct.dtype == quant.F16 && (ct.f16 != nil || ct.rows*ct.cols == 0) {
		return ct
	}
	return f32Of(t)
}

// putRow stores src as pool row r, rounding to nearest even for F16 pools.
func (t *tensor) putRow(r int, src []float32) {
	if t.f16 == nil {
		copy(t.row(r), src)
		return
	}
	f32ToF16Row(t.f16[r*t.cols:(r+1)*t.cols], src)
}

// f32ToF16Row narrows src into dst (same length) as quant.F32ToF16 does,
// value by value; a slot for SIMD kernels (kv_f16_amd64.go).
var f32ToF16Row = f32ToF16RowGeneric

func f32ToF16RowGeneric(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = quant.F32ToF16(v)
	}
}

// Slots for SIMD kernels (attn_f16_amd64.go); these are the plain-Go ones.
var (
	scoreRunF16 = scoreRunF16Generic
	accumRunF16 = accumRunF16Generic
)

// scoreRunF16Generic is scoreRun over F16 keys: out[j] = scale*<q, k_j> with k_j
// widened exactly to F32, summed in the same order as dot.
func scoreRunF16Generic(out, q []float32, k []uint16, stride, n int, scale float32) {
	hd := len(q)
	for j := 0; j < n; j++ {
		kr := k[j*stride : j*stride+hd]
		var s float32
		for i, h := range kr {
			s += q[i] * quant.F16ToF32(h)
		}
		out[j] = s * scale
	}
}

// accumRunF16Generic is accumRun over F16 values: acc += sum_j w[j]*v_j.
func accumRunF16Generic(acc []float32, v []uint16, stride int, w []float32) {
	hd := len(acc)
	for j, e := range w {
		vr := v[j*stride : j*stride+hd]
		for i, h := range vr {
			acc[i] += e * quant.F16ToF32(h)
		}
	}
}
