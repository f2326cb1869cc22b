// Package cpu is the CPU compute backend: F32 activations on the Go heap,
// weights used in place from their (mmap'd) bytes, every op spread over a
// fixed pool of worker goroutines (pool.go: spin-then-park workers, chunks
// claimed by compare-and-swap, no allocation per op).
//
// Kernels sit in slots chosen at start-up from the CPU's features
// (features.go, golang.org/x/sys/cpu); every slot has a plain-Go version
// that other CPUs run and that the tests compare the assembly against:
//
//   - MatMul on Q8_0, Q4_0, Q4_K, Q6_K weights (qKernels, qmatmul.go):
//     the activation rows are quantized once per call (act.go: Q8 blocks
//     or Q8_K super-blocks, as ggml pairs them), then integer dot products
//     (qdot_ref.go; AVX512-VNNI vpdpbusd in qdot_amd64.s), one activation
//     row (decode) or four sharing each decoded weight block (prefill).
//   - MatMul on Q5_K weights (qdot_q5k_ref.go, q5_KDot* in qdot_amd64.s):
//     Q4_K's kernel against Q8_K activations with each quant's fifth bit
//     ORed in from qh before the vpdpbusd.
//   - MatMul on Q5_0 weights (qdot_q5_0_ref.go, q5_0Dot* in qdot_amd64.s):
//     Q4_0's kernels (1-row, 4-row, 4-weight-row) against Q8 blocks with
//     k=16, qh turned into a byte mask that ORs in each fifth bit.
//   - MatMul on Q4_1, Q5_1 weights (qdot_q1_ref.go, q4_1Dot*/q5_1Dot* in
//     qdot_amd64.s): Q8 blocks quantized with k=-1 carry each block's
//     quant sum (ggml's Q8_1 s), which the weight offset m multiplies;
//     1-row, 4-row and 4-weight-row kernels.
//   - MatMul on Q2_K weights (qdot_q2k_ref.go, q2_KDot* in qdot_amd64.s):
//     2-bit quants against Q8_K activations, Q6_K's sub-blocks of 16 for
//     the scales and bs16 for the mins.
//   - MatMul on Q3_K weights (qdot_q3k_ref.go, q3_KDot* in qdot_amd64.s):
//     q+4 in 0..7 (hmask's bit ORed into Q2_K's layout) with signed 6-bit
//     scales; 4*scale*bs16 is taken back out of the integer sum.
//   - MatMul on F32, F16, BF16 weights (floatRows, fmatmul.go): weights
//     widened in registers against F32 activations (fdot_amd64.s), 4x4
//     register tiles for prefill.
//   - other weight types: each weight row dequantized once (quant's
//     decoders, bit-exact with ggml) and dotted with every activation row.
//   - dot/axpy, attention score/value runs over a KV block (attn_*),
//     exp for attention's online softmax, Softmax and SwiGLU (vexp_*),
//     RMSNorm rows (norm_*).
//
// Results of a row never depend on the other rows of its batch: the 1-row
// and 4-row kernels perform the same operations per row in the same order.
package cpu

import (
	"fmt"
	"runtime"

	"github.com/ferrum-go/ferrum/compute"
)

// Backend is the CPU backend. It is safe for concurrent use.
type Backend struct {
	pool *pool
	// exactMatMul keeps activations in F32 for every weight type (the
	// dequantize-and-dot kernels); tests set it to hold MatMul to F32
	// accuracy.
	exactMatMul bool
}

var _ compute.Backend = (*Backend)(nil)

// New returns a backend whose ops use the given number of worker goroutines
// (runtime.NumCPU() when threads <= 0).
func New(threads int) *Backend {
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	return &Backend{pool: newPool(threads)}
}

func (b *Backend) Name() string { return fmt.Sprintf("cpu(%d threads)", b.pool.workers) }

// Threads is the size of the worker pool.
func (b *Backend) Threads() int { return b.pool.workers }

// Close stops the worker goroutines. The backend must not be used after.
func (b *Backend) Close() error {
	b.pool.close()
	return nil
}

func sameShape(op string, ts ...*tensor) {
	for _, t := range ts[1:] {
		if t.rows != ts[0].rows || t.cols != ts[0].cols {
			panic(fmt.Sprintf("cpu: %s: shapes %dx%d and %dx%d differ", op, ts[0].rows, ts[0].cols, t.rows, t.cols))
		}
	}
}

// grainFor picks a chunk size so a chunk carries about minWork multiply-adds.
func grainFor(workPerItem int) int {
	const minWork = 1 << 14
	if workPerItem <= 0 {
		return minWork
	}
	g := minWork / workPerItem
	if g < 1 {
		g = 1
	}
	return g
}
