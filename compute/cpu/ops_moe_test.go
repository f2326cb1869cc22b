package cpu

import (
	"fmt"
	"math"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
)

// TestMoEFFNFast holds the fused MoE op with quantized activations to
// compute/ref within the integer kernels' error, and bit for bit to the op
// sequence it replaces (Embed, MatMul, SwiGLU, AddScaledRows: the same
// kernels, GEMM or row kernels as MatMul picks them), and checks that a
// row's result is the same alone as in its batch. (That last holds here
// because each case's types keep one kernel choice across its row counts:
// MatMul's own invariance.)
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
			sameBits(t, fmt.Sprintf("threads %d %s: fused vs op sequence", threads, c.Name), got, download(be, dst))
			checkRowsAlone(t, be, in, got)
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
		sameBits(t, fmt.Sprintf("%s: row %d alone vs in its batch", in.C.Name, r), download(be, dst), batch[r*h:(r+1)*h])
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i, v := range got {
		if math.Float32bits(v) != math.Float32bits(want[i]) {
			t.Errorf("%s: value %d is %g, want %g", what, i, v, want[i])
			return
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

// TestMoEFFNPlan: a decode call takes the fused loops, on the GEMM
// exactly where MatMul would take it for one row.
func TestMoEFFNPlan(t *testing.T) {
	be := New(2)
	defer be.Close()
	for i, c := range computetest.MoEFFNCases[:1] {
		in := computetest.BuildMoEFFN(t, be, c, uint64(200+i))
		ctx := moeCtxs.get()
		x := f32Of(be.Upload(c.Rows, c.Hidden, in.X))
		if !ctx.plan(be, f32Of(be.Alloc(c.Rows, c.Hidden)), x, in.Experts, in.RowsOf, in.Scales) {
			t.Fatalf("%s: the fused loops refused a decode call", c.Name)
		}
		_, packed := panelPackers[c.Gate]
		want := gemms[c.Gate] != nil && packed && gemmTileKernel != nil && gemmRowsFor(c.Gate) <= 1
		if ctx.gu.gemm != want {
			t.Errorf("%s: gate/up on the GEMM %v, MatMul would %v", c.Name, ctx.gu.gemm, want)
		}
		t.Logf("%s: gate/up GEMM %v, down GEMM %v", c.Name, ctx.gu.gemm, ctx.dn.gemm)
		ctx.release()
		moeCtxs.put(ctx)
	}
}
