package cpu

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkLaneGemm times a 512-token prefill chunk of Qwen3-0.6B's FFN up
// projection (1024 -> 3072) on 2 threads: fmatmul.go's row kernels ("rows",
// MatMul with no GEMM registered), the F32-word GEMM ("fma") and, for
// BF16, the vdpbf16ps GEMM ("bf16dot").
func BenchmarkLaneGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	rows, in, out := 512, 1024, 3072
	threads := 2
	if *benchThreads > 0 {
		threads = *benchThreads
	}
	be := New(threads)
	defer be.Close()
	x := computetest.Random(rng, rows*in, 1)
	xt := be.Upload(rows, in, x)
	dst := be.Alloc(rows, out)
	for _, typ := range []quant.Type{quant.BF16, quant.F16, quant.F32} {
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		run := func(name string, f func()) {
			b.Run(fmt.Sprintf("%v/%s", typ, name), func(b *testing.B) {
				c0 := laneCPUTime()
				for i := 0; i < b.N; i++ {
					f()
				}
				b.ReportMetric(float64(laneCPUTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(2*rows*in*out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		run("rows", func() {
			saved := gemms[typ]
			delete(gemms, typ)
			be.MatMul(dst, xt, w)
			if saved != nil {
				gemms[typ] = saved
			}
		})
		run("fma", func() { floatGemms[typ].matmul(be, dst.(*tensor).f32, x, rows, w.(*tensor)) })
		if typ == quant.BF16 {
			run("bf16dot", func() { bf16Dot.matmul(be, dst.(*tensor).f32, x, rows, w.(*tensor)) })
		}
	}
}

// benchThreads (-lanethreads) overrides the 2 threads: 1 makes CPU time a
// measure of the kernels alone (no worker waits for another).
var benchThreads = flag.Int("lanethreads", 0, "threads of BenchmarkLaneGemm")

// laneCPUTime is the process's user+system CPU time in nanoseconds: on a
// shared machine it tracks a kernel's cost better than wall time.
func laneCPUTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
