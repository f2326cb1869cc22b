package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkKernelX4 times the 4-row kernels alone on cache-resident data
// (one weight row of 1024 against 4 activation rows): the compute ceiling.
func BenchmarkKernelX4(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	in := 4096
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K} {
		qk := qKernels[typ]
		if qk.x4 == nil {
			continue
		}
		raw, _ := quant.QuantizeRows(typ, computetest.Random(rng, in, 1), in)
		a := new(actBuf)
		if qk.k != 0 {
			a.shapeQ8(4, in)
		} else {
			a.shapeQ8K(4, in)
		}
		qk.quantizeRows(a, computetest.Random(rng, 4*in, 1), 0, 4, in)
		var acc [64]float32
		b.Run(typ.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				qk.x4(raw, a, 0, in/qk.elems, &acc)
			}
			b.ReportMetric(float64(4*in)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
		b.Run(typ.String()+"/x1", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				qk.x1(raw, a, 0, in/qk.elems, &acc)
			}
			b.ReportMetric(float64(in)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
	}
}
