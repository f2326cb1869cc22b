package cpu

import "github.com/ferrum-go/ferrum/quant"

// gemmFunc is a prefill GEMM for one weight type: it computes the whole
// MatMul dst = x·wᵀ (splitting the work over b's pool itself) and returns
// true, or returns false, having touched nothing, when it does not pay for
// this shape (say, too few activation rows to amortize packing the
// weights), so that MatMul goes on to the row kernels.
//
// A GEMM sums in its own order, so a row's bits may differ between a
// MatMul that takes it and one that does not; each GEMM keeps a row's
// result independent of the other rows of the same call, and its decision
// depends on the shape only, which keeps every run deterministic.
type gemmFunc func(b *Backend, dst, x []float32, rows int, w *tensor) bool

// gemms holds the GEMM of each weight type that has one on this CPU.
var gemms = map[quant.Type]gemmFunc{}
