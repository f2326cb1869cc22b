package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/compute/ref"
	"github.com/ferrum-go/ferrum/quant"
)

// laneShapes (rows, in, out) cover full and partial panels (out % 16) and
// panel groups, token counts that are and are not a multiple of fgNT (each
// tail kernel), fewer tokens than a tile, several k blocks, and odd in (a
// bf16 pair with a zero half).
var laneShapes = [][3]int{{fgNT, 64, 32}, {37, 100, 33}, {5, 33, 7}, {50, 256, 48}, {71, 48, 20}, {1, 2, 1}, {29, 301, 150}}

type laneCase struct {
	name string
	typ  quant.Type
	g    *laneGemm
	twin func(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int)
}

func laneCases() []laneCase {
	cs := []laneCase{{"bf16dot", quant.BF16, bf16Dot, bgTileGo}}
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.BF16} {
		cs = append(cs, laneCase{fmt.Sprintf("fma/%v", typ), typ, floatGemms[typ], fgTileGo})
	}
	return cs
}

// laneRun runs g (any row count taken) on x and w, returning dst.
func laneRun(be *Backend, g laneGemm, x []float32, rows int, w compute.Tensor) []float32 {
	g.minRows = 1
	dst := make([]float32, rows*w.Rows())
	if !g.matmul(be, dst, x, rows, w.(*tensor)) {
		panic("lane GEMM declined")
	}
	return dst
}

// TestLaneGemm: each GEMM against its plain-Go twin (bit for bit: the twin
// performs the kernel's roundings, vdpbf16ps's as Intel describes it) and
// against compute/ref, on 1 and 3 threads.
func TestLaneGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, c := range laneCases() {
		for _, sh := range laneShapes {
			rows, in, out := sh[0], sh[1], sh[2]
			for _, threads := range []int{1, 3} {
				be := New(threads)
				name := fmt.Sprintf("%s %dx%dx%d/%d", c.name, rows, in, out, threads)
				x := computetest.Random(rng, rows*in, 1)
				w, wdec, err := computetest.QuantizedWeight(be, c.typ, out, in, computetest.Random(rng, out*in, 0.5))
				if err != nil {
					t.Fatal(err)
				}
				got := laneRun(be, *c.g, x, rows, w)
				tw := *c.g
				tw.tile = c.twin
				want := laneRun(be, tw, x, rows, w)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s: [%d][%d] = %v, twin %v", name, i/out, i%out, got[i], want[i])
					}
				}
				xr := x
				if c.g.pairs {
					// Against the bf16-rounded activations only float
					// rounding may differ; against the F32 ones the rounding
					// costs about 2^-9 per value.
					if e := computetest.RelErr(got, ref.MatMul(x, rows, in, wdec, out)); !(e < 1e-2) {
						t.Errorf("%s: relative error %.3g vs F32 activations", name, e)
					}
					xr = make([]float32, len(x))
					for i, v := range x {
						xr[i] = quant.BF16ToF32(quant.F32ToBF16(v))
					}
				}
				if e := computetest.RelErr(got, ref.MatMul(xr, rows, in, wdec, out)); !(e < 1e-5) {
					t.Errorf("%s: relative error %.3g vs compute/ref", name, e)
				}
				be.Close()
			}
		}
	}
}

// TestLaneGemmRowIndependent: a token's bits are the same whatever the
// size of the call and its place in it (tile, padding).
func TestLaneGemmRowIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	be := New(2)
	defer be.Close()
	in, out := 96, 40
	x := computetest.Random(rng, 80*in, 1)
	for _, c := range laneCases() {
		w, _, err := computetest.QuantizedWeight(be, c.typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		full := laneRun(be, *c.g, x, 80, w)
		for _, sub := range [][2]int{{0, 1}, {3, 40}, {17, 80}, {79, 80}, {5, 5 + fgNT}} {
			part := laneRun(be, *c.g, x[sub[0]*in:sub[1]*in], sub[1]-sub[0], w)
			for i, v := range part {
				if f := full[sub[0]*out+i]; v != f {
					t.Fatalf("%s rows [%d,%d): row %d col %d = %v, in the 80-row call %v", c.name, sub[0], sub[1], sub[0]+i/out, i%out, v, f)
				}
			}
		}
	}
}

// TestLaneGemmDeclines: below minRows the GEMM leaves dst alone.
func TestLaneGemmDeclines(t *testing.T) {
	be := New(1)
	defer be.Close()
	for _, c := range laneCases() {
		w, _, err := computetest.QuantizedWeight(be, c.typ, 16, 32, make([]float32, 16*32))
		if err != nil {
			t.Fatal(err)
		}
		rows := c.g.minRows - 1
		dst := make([]float32, rows*16)
		dst[0] = 7
		if c.g.matmul(be, dst, make([]float32, rows*32), rows, w.(*tensor)) || dst[0] != 7 {
			t.Errorf("%s took %d rows", c.name, rows)
		}
	}
}

// TestLanePackers: the AVX-512 gather packers write what the Go packers
// write, for full and partial panels and tiles and odd column counts.
func TestLanePackers(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	be := New(1)
	defer be.Close()
	goPack := map[quant.Type]func(*tensor, int, []uint32){quant.F32: packPanelF32, quant.F16: packPanelF16, quant.BF16: packPanelBF16}
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.BF16} {
		for _, sh := range [][2]int{{21, 64}, {16, 33}, {5, 1}} {
			rows, in := sh[0], sh[1]
			w, _, err := computetest.QuantizedWeight(be, typ, rows, in, computetest.Random(rng, rows*in, 0.5))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []int{0, rows - 5} {
				got, want := make([]uint32, in*fgRows), make([]uint32, in*fgRows)
				floatGemms[typ].packW(w.(*tensor), o, got)
				goPack[typ](w.(*tensor), o, want)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%v %dx%d panel at %d: word %d = %#x, want %#x", typ, rows, in, o, i, got[i], want[i])
					}
				}
			}
			x := computetest.Random(rng, rows*in, 1)
			for _, n := range []int{min(rows, fgNT), 3} {
				got, want := make([]uint32, in*fgNT), make([]uint32, in*fgNT)
				floatGemms[typ].packX(x, in, 0, n, got)
				packXF32(x, in, 0, n, want)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%v tile of %d tokens of %d: word %d = %#x, want %#x", typ, n, in, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestBF16DotDenormals: vdpbf16ps reads denormal bf16 inputs as zero and
// flushes denormal sums to zero; the twin does the same (2^-63 * 2^-63 =
// 2^-126 is the least normal float32; taking back 2^-126 * (1 - 2^-7)
// leaves 2^-133, a denormal).
func TestBF16DotDenormals(t *testing.T) {
	p := make([]uint32, 2*fgRows)
	x := make([]uint32, 2*fgNT)
	one, tiny := uint32(quant.F32ToBF16(1)), uint32(0x0001) // tiny: a denormal bf16
	m63 := uint32(quant.F32ToBF16(float32(math.Ldexp(1, -63))))
	m63b := uint32(quant.F32ToBF16(float32(math.Ldexp(1-1.0/128, -63))))
	// Row 0: 1*tiny (read as 0), then (high halves first) 2^-63*2^-63 and
	// -2^-63*(2^-63(1-2^-7)). Row 1: 2^-63*2^-63 alone.
	p[0], p[fgRows] = one, (m63|0x8000)|m63<<16
	p[1], p[fgRows+1] = 0, m63<<16
	x[0], x[fgNT] = tiny|one<<16, m63b|m63<<16
	for _, tile := range []func(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int){bf16Dot.tile, bgTileGo} {
		var d [fgNT * fgRows]float32
		tile(&p[0], &x[0], 2, &d[0], fgRows, false, fgNT)
		if d[0] != 0 || d[1] != float32(math.Ldexp(1, -126)) {
			t.Errorf("row 0 %g (want 0: tiny read as 0, denormal flushed), row 1 %g (want 2^-126)", d[0], d[1])
		}
	}
}
