package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkMoEDecode is one decode token through a Qwen3-MoE layer of the
// real-shape file (hidden 1024, 64 Q8_0 experts of width 512, 8 active,
// a fresh choice of experts per iteration so weights come from memory):
// the fused op against the op sequence it replaces, on 2 threads.
func BenchmarkMoEDecode(b *testing.B) {
	const hidden, inter, experts, topK = 1024, 512, 64, 8
	be := New(2)
	defer be.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	weight := func(rows, cols int) compute.Tensor {
		w, _, err := computetest.QuantizedWeight(be, quant.Q8_0, rows, cols, computetest.Random(rng, rows*cols, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		return w
	}
	ex := make([]compute.Expert, experts)
	for e := range ex {
		ex[e] = compute.Expert{Gate: weight(inter, hidden), Up: weight(inter, hidden), Down: weight(hidden, inter)}
	}
	x := be.Upload(1, hidden, computetest.Random(rng, hidden, 1))
	dst := be.Alloc(1, hidden)
	routes := make([][][]int32, 64)
	scales := make([][][]float32, 64)
	for i := range routes {
		routes[i] = make([][]int32, experts)
		scales[i] = make([][]float32, experts)
		for _, e := range rng.Perm(experts)[:topK] {
			routes[i][e], scales[i][e] = []int32{0}, []float32{rng.Float32()}
		}
	}
	b.Run("fused", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			be.MoEFFN(dst, x, ex, routes[i%64], scales[i%64])
		}
	})
	b.Run("sequence", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			be.moeComposite(f32Of(dst), f32Of(x), ex, routes[i%64], scales[i%64])
		}
	})
}
