package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkGEMM: prefill-sized MatMuls (512 tokens, Qwen3-0.6B's 1024 <->
// 3072 projections) through MatMul with the GEMM ("gemm") and with the row
// kernels ("rows", the GEMM's threshold raised past the batch), in GMAC/s.
func BenchmarkGEMM(b *testing.B) {
	rng := rand.New(rand.NewPCG(17, 18))
	be := New(2)
	defer be.Close()
	for _, typ := range []quant.Type{quant.Q4_0, quant.Q8_0, quant.Q4_K, quant.Q6_K} {
		for _, sh := range [][3]int{{512, 1024, 3072}, {512, 3072, 1024}} {
			rows, in, out := sh[0], sh[1], sh[2]
			w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
			if err != nil {
				b.Fatal(err)
			}
			x, dst := be.Upload(rows, in, computetest.Random(rng, rows*in, 1)), be.Alloc(rows, out)
			for _, mode := range []string{"gemm", "rows"} {
				b.Run(fmt.Sprintf("%v/%dx%dx%d/%s", typ, rows, in, out, mode), func(b *testing.B) {
					if mode == "rows" {
						defer gemmForce(1 << 30)()
					}
					for b.Loop() {
						be.MatMul(dst, x, w)
					}
					b.ReportMetric(float64(rows*in*out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
				})
			}
		}
	}
}

// BenchmarkPanelPack: the cost of packing, per weight value.
func BenchmarkPanelPack(b *testing.B) {
	rng := rand.New(rand.NewPCG(19, 20))
	be := New(1)
	defer be.Close()
	in, out := 3072, 64
	for _, typ := range sortedTypes(panelPackers) {
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		pk := panelPackers[typ]
		var p panel
		b.Run(typ.String(), func(b *testing.B) {
			for b.Loop() {
				for o := 0; o < out; o += panelRows {
					p.reset(pk.group, in)
					pk.pack(w.(*tensor), o, &p)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(in*out), "ns/value")
		})
	}
}

// BenchmarkGEMMRows: the GEMM against the row kernels by batch size, to
// place gemmMinRows.
func BenchmarkGEMMRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(23, 24))
	be := New(2)
	defer be.Close()
	in, out := 1024, 3072
	for _, typ := range []quant.Type{quant.Q4_0, quant.Q8_0, quant.Q4_K} {
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		for _, rows := range []int{1, 4, 8, 12, 16, 24, 32} {
			x, dst := be.Upload(rows, in, computetest.Random(rng, rows*in, 1)), be.Alloc(rows, out)
			for _, mode := range []string{"gemm", "rows"} {
				b.Run(fmt.Sprintf("%v/%d/%s", typ, rows, mode), func(b *testing.B) {
					n := 1
					if mode == "rows" {
						n = 1 << 30
					}
					defer gemmForce(n)()
					for b.Loop() {
						be.MatMul(dst, x, w)
					}
				})
			}
		}
	}
}

// gemmForce sets the GEMM's threshold of every type to n (1: always,
// 1<<30: never) and returns the function restoring it.
func gemmForce(n int) func() {
	saved, savedDefault := gemmMinRows, gemmMinRowsDefault
	gemmMinRows, gemmMinRowsDefault = map[quant.Type]int{}, n
	return func() { gemmMinRows, gemmMinRowsDefault = saved, savedDefault }
}
