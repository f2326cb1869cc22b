//go:build unix

package cpu

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
)

// BenchmarkGEMMDecode: one activation row, GEMM against row kernels, in
// CPU time on one thread (the threshold's 1-row column: wall time on the
// shared machine was too noisy for a 10% difference).
func BenchmarkGEMMDecode(b *testing.B) {
	rng := rand.New(rand.NewPCG(25, 26))
	be := New(1)
	defer be.Close()
	in, out := 1024, 3072
	for _, typ := range sortedTypes(panelPackers) {
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		x, dst := be.Upload(1, in, computetest.Random(rng, in, 1)), be.Alloc(1, out)
		for _, mode := range []string{"gemm", "rows"} {
			b.Run(fmt.Sprintf("%v/%s", typ, mode), func(b *testing.B) {
				n := 1
				if mode == "rows" {
					n = 1 << 30
				}
				defer gemmForce(n)()
				t0 := gemmCPUTime()
				for b.Loop() {
					be.MatMul(dst, x, w)
				}
				b.ReportMetric(float64(gemmCPUTime()-t0)/float64(b.N)/1e3, "cpu-us/op")
			})
		}
	}
}

func gemmCPUTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
