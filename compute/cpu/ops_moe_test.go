package cpu

import (
	"math"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
)

// TestMoEFFNFast holds the fused MoE op with quantized activations to
// compute/ref within the integer kernels' error, to the op sequence it
// replaces (Embed, MatMul, SwiGLU, AddScaledRows), and checks that a row's
// result is bit for bit the same alone as in its batch.
func TestMoEFFNFast(t *testing.T) {
	for _, threads := range []int{1, 3} {
		be := New(threads)
		for i, c := range computetest.MoEFFNCases {
			in := computetest.BuildMoEFFN(t, be, c, uint64(100+i))
			got := in.Run(be)
			if e := computetest.RelErr(got, in.Want()); e > 2e-2 {
				t.Errorf("threads %d %s: fused vs ref rel err %.3g", threads, c.Name, e)
			}
			dst := be.Alloc(c.Rows, c.Hidden)
			be.moeComposite(f32Of(dst), f32Of(be.Upload(c.Rows, c.Hidden, in.X)), in.Experts, in.RowsOf, in.Scales)
			if e := computetest.RelErr(got, download(be, dst)); e > 1e-6 {
				t.Errorf("threads %d %s: fused vs op sequence rel err %.3g", threads, c.Name, e)
			}
			if !c.EveryRowToExpertZero {
				// (A hot expert may go through a GEMM, whose rows differ
				// in the last bits from the row kernels'.)
				checkRowsAlone(t, be, in, got)
			}
		}
		be.Close()
	}
}

// checkRowsAlone reruns each row of in by itself and compares bits.
func checkRowsAlone(t *testing.T, be *Backend, in *computetest.MoEFFNInput, batch []float32) {
	t.Helper()
	h := in.C.Hidden
	for r := 0; r < in.C.Rows; r++ {
		rows := make([][]int32, len(in.RowsOf))
		scales := make([][]float32, len(in.RowsOf))
		for e, rs := range in.RowsOf {
			for i, q := range rs {
				if int(q) == r {
					rows[e], scales[e] = []int32{0}, in.Scales[e][i:i+1]
				}
			}
		}
		dst := be.Alloc(1, h)
		be.MoEFFN(dst, be.Upload(1, h, in.X[r*h:(r+1)*h]), in.Experts, rows, scales)
		alone := download(be, dst)
		for i, v := range alone {
			if math.Float32bits(v) != math.Float32bits(batch[r*h+i]) {
				t.Errorf("%s: row %d alone differs from its batch at %d: %g vs %g", in.C.Name, r, i, v, batch[r*h+i])
				break
			}
		}
	}
}

// TestMoEFFNEmpty: rows no expert sees are zero, and a call with no
// routed rows at all reads no weights.
func TestMoEFFNEmpty(t *testing.T) {
	be := New(2)
	defer be.Close()
	x := be.Upload(2, 4, []float32{1, 2, 3, 4, 5, 6, 7, 8})
	dst := be.Upload(2, 4, []float32{9, 9, 9, 9, 9, 9, 9, 9})
	be.MoEFFN(dst, x, []compute.Expert{{}}, [][]int32{nil}, [][]float32{nil})
	for i, v := range download(be, dst) {
		if v != 0 {
			t.Fatalf("value %d is %g, want 0", i, v)
		}
	}
}

func download(be *Backend, t compute.Tensor) []float32 {
	out := make([]float32, t.Rows()*t.Cols())
	be.Download(t, nil, out)
	return out
}
