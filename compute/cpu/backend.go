// Package cpu is the plain-Go compute backend: F32 activations on the Go
// heap, weights used in place from their (mmap'd) bytes, every op spread
// over a fixed pool of worker goroutines.
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
