package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// TestGEMMOneToken: every gemmOneToken kernel gives, for one token, the
// very bits of packing the panels and running gemmTileKernel (which the
// other GEMM tests check against the references), on quantized random
// weights and on raw random blocks (any scale bytes, huge and subnormal
// f16 scales), for whole panels and a partial last one.
func TestGEMMOneToken(t *testing.T) {
	if len(gemmOneToken) == 0 {
		t.Skip("no one-token GEMM kernel on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, typ := range sortedTypes(gemmOneToken) {
		if f16Scales[typ] == nil {
			t.Fatalf("%v: no f16 scale offsets for the raw-block case", typ)
		}
		// Count the panels the kernel took: every whole one must be.
		one := gemmOneToken[typ]
		var took atomic.Int32
		gemmOneToken[typ] = func(w *tensor, o int, act []byte, f []float32, dst []float32) bool {
			ok := one(w, o, act, f, dst)
			if ok {
				took.Add(1)
			}
			return ok
		}
		defer func() { gemmOneToken[typ] = one }()
		for _, sh := range [][2]int{{256, 16}, {512, 48}, {2048, 37}, {1280, 64}} {
			in, out := sh[0], sh[1]
			for _, rawRandom := range []bool{false, true} {
				be := New(2)
				var w *tensor
				if rawRandom {
					rb, _ := quant.RowBytes(typ, int64(in))
					raw := make([]byte, int(rb)*out)
					for i := range raw {
						raw[i] = byte(rng.Uint32())
					}
					// Keep the f16 scales finite (any other exponent,
					// subnormals included).
					for off := 0; off < len(raw); off += typ.TypeSize() {
						for _, h := range f16Scales[typ] {
							raw[off+h+1] &= 0x7b
						}
					}
					wt, err := be.Weight(typ, out, in, raw)
					if err != nil {
						t.Fatal(err)
					}
					w = wt.(*tensor)
				} else {
					wt, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
					if err != nil {
						t.Fatal(err)
					}
					w = wt.(*tensor)
				}
				x := computetest.Random(rng, in, 1)
				want := make([]float32, out)
				got := make([]float32, out)
				if !runGEMM(be, want, x, 1, w, gemmTileKernel) || !runGEMMWith(be, got, x, 1, w, gemmTileKernel, true) {
					t.Fatalf("%v: GEMM declined", typ)
				}
				name := fmt.Sprintf("%v %dx%d raw=%v", typ, in, out, rawRandom)
				if int(took.Load()) != out/panelRows {
					t.Fatalf("%s: the kernel took %d panels of %d", name, took.Load(), out/panelRows)
				}
				took.Store(0)
				for o := range want {
					if math.Float32bits(got[o]) != math.Float32bits(want[o]) && !(got[o] != got[o] && want[o] != want[o]) {
						t.Fatalf("%s: row %d: one-token %v, packed %v", name, o, got[o], want[o])
					}
				}
				be.Close()
			}
		}
	}
}

// f16Scales: the byte offsets of each block's f16 scales, per type.
var f16Scales = map[quant.Type][]int{
	quant.Q4_K: {0, 2}, quant.Q5_K: {0, 2}, quant.Q6_K: {208},
	quant.Q8_0: {0}, quant.Q4_0: {0}, quant.Q5_0: {0}, quant.Q4_1: {0, 2}, quant.Q5_1: {0, 2},
}
