package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/compute/ref"
	"github.com/ferrum-go/ferrum/quant"
)

// gemmShapes: partial panels (N not a multiple of 16), token counts not a
// multiple of gemmNT (last tiles of 1, 2, 4 and 7 tokens: every kernel
// size), one token, many groups, a single panel.
var gemmShapes = [][3]int{{13, 512, 37}, {40, 256, 16}, {1, 768, 20}, {25, 2560, 9}, {gemmNT, 1024, 48}, {2, 256, 17}, {19, 512, 16}}

// TestGEMM runs the GEMM driver with the plain-Go tile kernel (every CPU)
// and with the assembly one (where there is one) for every packed type:
// against the F32 reference within the int8 activations' error, against
// the row kernels' plain-Go integer dot products on the same quantized
// activations within float rounding, and the assembly against its Go twin
// to the last bit but for rare double-rounding ties of gemmTileRef.
func TestGEMM(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, typ := range sortedTypes(panelPackers) {
		for _, sh := range gemmShapes {
			rows, in, out := sh[0], sh[1], sh[2]
			if in%256 != 0 && qKernels[typ] != nil && qKernels[typ].k == 0 {
				continue
			}
			for _, threads := range []int{1, 2} {
				be := New(threads)
				x := computetest.Random(rng, rows*in, 1)
				w, wdec, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
				if err != nil {
					t.Fatal(err)
				}
				wt := w.(*tensor)
				name := fmt.Sprintf("%v %dx%dx%d/%d", typ, rows, in, out, threads)
				got := make([]float32, rows*out)
				if !runGEMM(be, got, x, rows, wt, gemmTileRef) {
					t.Fatalf("%s: GEMM declined", name)
				}
				if e := computetest.RelErr(got, ref.MatMul(x, rows, in, wdec, out)); !(e < 2e-2) {
					t.Errorf("%s: relative error %.3g vs F32 reference", name, e)
				}
				if qk := qKernels[typ]; qk != nil {
					a := new(actBuf)
					if qk.k != 0 {
						a.shapeQ8(rows, in)
					} else {
						a.shapeQ8K(rows, in)
					}
					qk.quantizeRows(a, x, 0, rows, in)
					want := make([]float32, rows*out)
					for r := 0; r < rows; r++ {
						for o := 0; o < out; o++ {
							want[r*out+o] = qk.ref(wt.rawRow(o), a, r, 0, in/qk.elems)
						}
					}
					if e := computetest.RelErr(got, want); !(e < 1e-5) {
						t.Errorf("%s: relative error %.3g vs the row kernels' Go integer dot", name, e)
					}
				}
				if gemmTileKernel != nil {
					fast := make([]float32, rows*out)
					runGEMM(be, fast, x, rows, wt, gemmTileKernel)
					checkTwin(t, name, fast, got)
				}
				be.Close()
			}
		}
	}
}

// checkTwin: the assembly and gemmTileRef agree bit for bit on all but a
// few values (gemmTileRef's double rounding), and those within 1e-6 of the
// largest output.
func checkTwin(t *testing.T, name string, fast, twin []float32) {
	t.Helper()
	var maxAbs float64
	for _, v := range twin {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	diff := 0
	for i := range twin {
		if math.Float32bits(fast[i]) != math.Float32bits(twin[i]) {
			diff++
			if math.Abs(float64(fast[i]-twin[i])) > 1e-6*maxAbs {
				t.Fatalf("%s: kernel %v, Go twin %v at %d", name, fast[i], twin[i], i)
			}
		}
	}
	if diff > len(twin)/100 {
		t.Errorf("%s: %d of %d values differ from the Go twin in the last bits", name, diff, len(twin))
	}
}

// TestGEMMRowIndependent: through MatMul, a token's result is the same bits
// whatever the other tokens of the call and whatever its tile position
// (40 rows vs 64 rows with the same tokens shifted by 5), and whichever
// tile kernel size ran it.
func TestGEMMRowIndependent(t *testing.T) {
	if gemmTileKernel == nil {
		t.Skip("no GEMM on this CPU")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	in, out := 512, 40
	for _, typ := range sortedTypes(panelPackers) {
		be := New(2)
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		big := computetest.Random(rng, 64*in, 1)
		small := big[5*in : 45*in]
		run := func(x []float32, rows int) []float32 {
			dst := be.Alloc(rows, out)
			be.MatMul(dst, be.Upload(rows, in, x), w)
			got := make([]float32, rows*out)
			be.Download(dst, nil, got)
			return got
		}
		a, b := run(small, 40), run(big, 64)
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[5*out+i]) {
				t.Fatalf("%v: token %d output %d: %v in 40 rows, %v in 64", typ, i/out, i%out, a[i], b[5*out+i])
			}
		}
		// The smaller tile kernels (a call of 1..8 tokens) give the same
		// bits as the 12-token one.
		for _, n := range []int{1, 2, 3, 5, 8} {
			got := make([]float32, n*out)
			runGEMM(be, got, big[7*in:(7+n)*in], n, w.(*tensor), gemmTileKernel)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(b[7*out+i]) {
					t.Fatalf("%v: token %d output %d: %v in a %d-token GEMM, %v in 64 rows", typ, i/out, i%out, got[i], n, b[7*out+i])
				}
			}
		}
		be.Close()
	}
}

// TestGEMMRegistered: every packed type takes the GEMM where the CPU has a
// tile kernel.
func TestGEMMRegistered(t *testing.T) {
	if gemmTileKernel == nil && os.Getenv("FERRUM_AVX2GEMM") == "1" {
		t.Skip("FERRUM_AVX2GEMM=1 registers the AVX2 GEMM without a VNNI tile kernel")
	}
	for typ := range panelPackers {
		if (gemms[typ] != nil) != (gemmTileKernel != nil) {
			t.Errorf("%v: GEMM registered %v, tile kernel %v", typ, gemms[typ] != nil, gemmTileKernel != nil)
		}
	}
}

func TestGEMMAllocs(t *testing.T) {
	if gemmTileKernel == nil || raceEnabled {
		t.Skip("no GEMM on this CPU, or race detector")
	}
	rng := rand.New(rand.NewPCG(15, 16))
	be := New(2)
	defer be.Close()
	in, out := 512, 64
	for _, typ := range sortedTypes(panelPackers) {
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		// A prefill chunk, and a decode step (the GEMM for the types
		// that take every row count).
		for _, rows := range []int{64, 1} {
			x, dst := be.Upload(rows, in, computetest.Random(rng, rows*in, 1)), be.Alloc(rows, out)
			if n := testing.AllocsPerRun(20, func() { be.MatMul(dst, x, w) }); n != 0 {
				t.Errorf("%v: %v allocations per %d-row MatMul", typ, n, rows)
			}
		}
	}
}

func sortedTypes[V any](m map[quant.Type]V) []quant.Type {
	var ts []quant.Type
	for t := range m {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}

// TestPack32AVX512MatchesGo: the assembly packers write the Go packers'
// bytes, for full panels and for one running past the last row.
func TestPack32AVX512MatchesGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	goPacks := map[quant.Type]func(*tensor, int, *panel){quant.Q8_0: packPanelQ8_0, quant.Q4_0: packPanelQ4_0,
		quant.Q4_1: packPanelQ4_1, quant.Q5_0: packPanelQ5_0, quant.Q5_1: packPanelQ5_1}
	rng := rand.New(rand.NewPCG(21, 22))
	be := New(1)
	defer be.Close()
	for _, typ := range sortedTypes(goPacks) {
		rows, cols := 37, 640
		w, _, err := computetest.QuantizedWeight(be, typ, rows, cols, computetest.Random(rng, rows*cols, 0.7))
		if err != nil {
			t.Fatal(err)
		}
		wt := w.(*tensor)
		var a, b panel
		for _, o := range []int{0, 16, 32} {
			a.reset(32, cols)
			b.reset(32, cols)
			for i := range b.q { // stale bytes must be overwritten
				b.q[i] = 0xa5
			}
			goPacks[typ](wt, o, &a)
			panelPackers[typ].pack(wt, o, &b)
			if !slices.Equal(a.q, b.q) || !slices.Equal(a.s, b.s) || !slices.Equal(a.m, b.m) {
				t.Fatalf("%v panel at row %d: assembly and Go packers differ", typ, o)
			}
		}
	}
}
