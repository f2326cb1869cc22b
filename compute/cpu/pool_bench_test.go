package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkDecodeMatMulThreads: a decode-shaped BF16 MatMul whose weight
// (48 MiB) does not fit in cache, on 1 and 2 threads: how much the second
// thread adds to the bandwidth.
func BenchmarkDecodeMatMulThreads(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	in, out := 2048, 12288
	for _, threads := range []int{1, 2} {
		be := New(threads)
		w, _, err := computetest.QuantizedWeight(be, quant.BF16, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		x := be.Upload(1, in, computetest.Random(rng, in, 1))
		dst := be.Alloc(1, out)
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			b.SetBytes(int64(2 * in * out))
			for i := 0; i < b.N; i++ {
				be.MatMul(dst, x, w)
			}
		})
		be.Close()
	}
}
