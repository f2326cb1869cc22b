package cpu

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkGEMMDecodePanel: one token against one 16 x 4096 panel held in
// cache, on the calling goroutine: the one-token kernel against packing
// the panel and running the 1-token tile kernel (what it replaces). B/s is
// weight bytes per second of one core.
func BenchmarkGEMMDecodePanel(b *testing.B) {
	if len(gemmOneToken) == 0 {
		b.Skip("no one-token GEMM kernel on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const in = 4096
	be := New(1)
	defer be.Close()
	for _, typ := range sortedTypes(gemmOneToken) {
		w, _, err := computetest.QuantizedWeight(be, typ, panelRows, in, computetest.Random(rng, panelRows*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		wt := w.(*tensor)
		pk := panelPackers[typ]
		a := new(gemmAct)
		a.shape(1, in, pk.group, qKernels[typ].k == 0)
		a.quantizeRows(new(actBuf), computetest.Random(rng, in, 1), 0, 1)
		dst := make([]float32, panelRows)
		one := gemmOneToken[typ]
		b.Run(typ.String()+"/one-token", func(b *testing.B) {
			b.SetBytes(int64(panelRows * wt.rowBytes))
			for b.Loop() {
				one(wt, 0, a.tileQ(0), a.tileF(0), dst)
			}
		})
		p := new(panel)
		b.Run(typ.String()+"/pack+tile", func(b *testing.B) {
			b.SetBytes(int64(panelRows * wt.rowBytes))
			for b.Loop() {
				p.reset(pk.group, in)
				pk.pack(wt, 0, p)
				gemmTileKernel(p, a.tileQ(0), a.tileF(0), dst, panelRows, 1, panelRows)
			}
		})
	}
}

// BenchmarkDecodeBandwidth: one-row MatMuls (2048 -> 8192, Llama-3.2-1B's
// FFN shape) over about 300 MB of distinct weights per type, 2 threads, so
// that the weights stream from memory as in decode; B/s is weight bytes
// per second, to set beside BenchmarkStream's copy. FERRUM_BENCH_ROWS=1
// adds the row kernels ("rows") and the GEMM at every row count ("gemm")
// beside the default choice.
func BenchmarkDecodeBandwidth(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const in, out, total = 2048, 8192, 300 << 20
	be := New(2)
	defer be.Close()
	modes := []string{"default"}
	if os.Getenv("FERRUM_BENCH_ROWS") != "" {
		modes = append(modes, "rows", "gemm")
	}
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q5_K, quant.Q6_K, quant.F16, quant.BF16} {
		// 256 rows quantized once, repeated: quantizing 300 MB would
		// take minutes and the kernels do not care.
		raw1, err := quant.QuantizeRows(typ, computetest.Random(rng, 256*in, 0.5), in)
		if err != nil {
			b.Fatal(err)
		}
		rb, _ := quant.RowBytes(typ, in)
		n := int(total / (rb * out))
		ws := make([]compute.Tensor, n)
		for i := range ws {
			raw := make([]byte, int(rb)*out)
			for off := 0; off < len(raw); off += len(raw1) {
				copy(raw[off:], raw1)
			}
			if ws[i], err = be.Weight(typ, out, in, raw); err != nil {
				b.Fatal(err)
			}
		}
		x := be.Upload(1, in, computetest.Random(rng, in, 1))
		dst := be.Alloc(1, out)
		for _, mode := range modes {
			b.Run(fmt.Sprintf("%v/%s", typ, mode), func(b *testing.B) {
				switch mode {
				case "rows":
					defer gemmForce(1 << 30)()
				case "gemm":
					defer gemmForce(1)()
				}
				b.SetBytes(rb * out * int64(n))
				for b.Loop() {
					for _, w := range ws {
						be.MatMul(dst, x, w)
					}
				}
			})
		}
	}
}
