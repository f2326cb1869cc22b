package cpu_test

import (
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/compute/ref"
)

// The MoE and encoder ops against compute/ref, with 1 and 3 threads.
func TestMoEEncoderOps(t *testing.T) {
	for _, threads := range []int{1, 3} {
		be := cpu.New(threads)
		defer be.Close()
		rng := rand.New(rand.NewPCG(7, uint64(threads)))

		x := computetest.Random(rng, 37*19, 3)
		xt := be.Upload(37, 19, x)
		got := be.Alloc(37, 19)
		be.GELUTanh(got, xt)
		if e := computetest.RelErr(download(be, got), ref.GELUTanh(x)); e > 1e-6 {
			t.Errorf("threads %d: GELUTanh rel err %g", threads, e)
		}

		be.Tanh(got, xt)
		if e := computetest.RelErr(download(be, got), ref.Tanh(x)); e > 1e-6 {
			t.Errorf("threads %d: Tanh rel err %g", threads, e)
		}

		seqs := []compute.AttentionSeq{{FirstRow: 0, NumRows: 1}, {FirstRow: 1, NumRows: 5}, {FirstRow: 6, NumRows: 31}}
		for mode := compute.PoolCLS; mode <= compute.PoolWeightedMean; mode++ {
			dst := be.Alloc(len(seqs), 19)
			be.Pool(dst, xt, seqs, mode)
			if e := computetest.RelErr(download(be, dst), ref.Pool(x, 19, seqs, mode)); e > 1e-6 {
				t.Errorf("threads %d: Pool %v rel err %g", threads, mode, e)
			}
		}

		base := computetest.Random(rng, 37*19, 1)
		src := computetest.Random(rng, 4*19, 1)
		rows := []int32{36, 0, 5, 17}
		scales := []float32{0.25, -1.5, 0.75, 2}
		dt := be.Upload(37, 19, base)
		be.AddScaledRows(dt, be.Upload(4, 19, src), rows, scales)
		if e := computetest.RelErr(download(be, dt), ref.AddScaledRows(base, 19, src, rows, scales)); e > 1e-6 {
			t.Errorf("threads %d: AddScaledRows rel err %g", threads, e)
		}
	}
}

func download(be compute.Backend, t compute.Tensor) []float32 {
	out := make([]float32, t.Rows()*t.Cols())
	be.Download(t, nil, out)
	return out
}
