package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/compute/ref"
	"github.com/ferrum-go/ferrum/quant"
)

// qShapes cover decode (1 row), the 4-row kernel with and without a
// remainder, more rows than one activation tile, and odd block counts
// (the Go tail after the assembly's pairs).
var qShapes = [][3]int{{1, 256, 7}, {3, 512, 5}, {4, 256, 9}, {9, 768, 33}, {70, 256, 6}, {2, 2560, 3}}

func TestQuantMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for typ, qk := range qKernels {
		for _, sh := range qShapes {
			rows, in, out := sh[0], sh[1], sh[2]
			if qk.elems == 32 {
				in += 32 // odd number of blocks
			}
			if in%qk.elems != 0 {
				continue
			}
			for _, threads := range []int{1, 2} {
				be := New(threads)
				x := computetest.Random(rng, rows*in, 1)
				w, wdec, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
				if err != nil {
					t.Fatal(err)
				}
				dst := be.Alloc(rows, out)
				be.MatMul(dst, be.Upload(rows, in, x), w)
				got := make([]float32, rows*out)
				be.Download(dst, nil, got)
				name := fmt.Sprintf("%v %dx%dx%d/%d", typ, rows, in, out, threads)
				// Against F32 activations: the int8 activations cost about 1/127
				// of each block's range; sums of many such errors stay near 1%.
				if e := computetest.RelErr(got, ref.MatMul(x, rows, in, wdec, out)); !(e < 2e-2) {
					t.Errorf("%s: relative error %.3g vs F32 reference", name, e)
				}
				// Against the plain-Go integer kernel on the same quantized
				// activations: only float rounding may differ.
				a := new(actBuf)
				if qk.k != 0 {
					a.shapeQ8(rows, in)
				} else {
					a.shapeQ8K(rows, in)
				}
				qk.quantizeRows(a, x, 0, rows, in)
				wt := w.(*tensor)
				want := make([]float32, rows*out)
				for r := 0; r < rows; r++ {
					for o := 0; o < out; o++ {
						want[r*out+o] = qk.ref(wt.rawRow(o), a, r, 0, in/qk.elems)
					}
				}
				if e := computetest.RelErr(got, want); !(e < 1e-5) {
					t.Errorf("%s: relative error %.3g vs the Go integer kernel", name, e)
				}
				be.Close()
			}
		}
	}
}

func TestFloatMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.BF16} {
		for _, sh := range [][3]int{{1, 256, 7}, {5, 100, 9}, {9, 64, 33}, {70, 48, 3}, {4, 8, 5}} {
			rows, in, out := sh[0], sh[1], sh[2]
			be := New(2)
			x := computetest.Random(rng, rows*in, 1)
			w, wdec, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
			if err != nil {
				t.Fatal(err)
			}
			dst := be.Alloc(rows, out)
			be.MatMul(dst, be.Upload(rows, in, x), w)
			got := make([]float32, rows*out)
			be.Download(dst, nil, got)
			if e := computetest.RelErr(got, ref.MatMul(x, rows, in, wdec, out)); !(e < 1e-5) {
				t.Errorf("%v %dx%dx%d: relative error %.3g", typ, rows, in, out, e)
			}
			be.Close()
		}
	}
}

// TestMatMulBatchInvariant: a row's result is bit-identical alone and in a
// batch (the 1-row and 4-row kernels reduce the same lanes the same way);
// the model's batch-invariance tests rely on it.
func TestMatMulBatchInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	be := New(2)
	defer be.Close()
	rows, in, out := 9, 544, 5
	types := []quant.Type{quant.F32, quant.F16, quant.BF16}
	for typ := range qKernels {
		types = append(types, typ)
	}
	for _, typ := range types {
		if qKernels[typ] != nil && qKernels[typ].elems == 256 {
			in = 512
		} else {
			in = 544
		}
		x := computetest.Random(rng, rows*in, 1)
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		all := be.Alloc(rows, out)
		be.MatMul(all, be.Upload(rows, in, x), w)
		got := make([]float32, rows*out)
		be.Download(all, nil, got)
		one := be.Alloc(1, out)
		alone := make([]float32, out)
		for r := 0; r < rows; r++ {
			be.MatMul(one, be.Upload(1, in, x[r*in:(r+1)*in]), w)
			be.Download(one, nil, alone)
			for o := range alone {
				if alone[o] != got[r*out+o] {
					t.Fatalf("%v row %d col %d: %v alone, %v in a batch", typ, r, o, alone[o], got[r*out+o])
				}
			}
		}
	}
}
