package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkMatMul times Qwen3-0.6B's FFN up projection (1024 -> 3072) for a
// decode step (1 row) and a prefill chunk (64 rows) on 2 threads, per
// weight type; B/s is weight bytes streamed per second.
func BenchmarkMatMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	in, out := 1024, 3072
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K, quant.Q5_K, quant.Q5_0, quant.Q4_1, quant.Q5_1, quant.Q2_K, quant.Q3_K, quant.BF16, quant.F16, quant.F32} {
		be := New(2)
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		rb, _ := quant.RowBytes(typ, int64(in))
		for _, rows := range []int{1, 64} {
			x := be.Upload(rows, in, computetest.Random(rng, rows*in, 1))
			dst := be.Alloc(rows, out)
			b.Run(fmt.Sprintf("%v/rows=%d", typ, rows), func(b *testing.B) {
				b.SetBytes(rb * int64(out))
				for i := 0; i < b.N; i++ {
					be.MatMul(dst, x, w)
				}
				b.ReportMetric(float64(2*rows*in*out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		be.Close()
	}
}

var _ compute.Tensor = (*tensor)(nil)
