package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// TestDecodeOpsDoNotAllocate: the ops of a decode step allocate nothing
// once warm (scratch comes from pools, loop bodies are static functions
// with pooled argument records), on several threads.
func TestDecodeOpsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	be := New(2)
	defer be.Close()
	in, out, hd, heads, kvHeads := 512, 1024, 64, 8, 4
	x := be.Upload(1, in, computetest.Random(rng, in, 1))
	dst := be.Alloc(1, out)
	var ws []compute.Tensor
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K, quant.BF16, quant.F16, quant.F32, quant.Q5_K} {
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	norm := be.Upload(1, in, computetest.Random(rng, in, 1))
	q := be.Upload(1, heads*hd, computetest.Random(rng, heads*hd, 1))
	kp := be.Upload(64, kvHeads*hd, computetest.Random(rng, 64*kvHeads*hd, 1))
	vp := be.Upload(64, kvHeads*hd, computetest.Random(rng, 64*kvHeads*hd, 1))
	att := be.Alloc(1, heads*hd)
	inv := make([]float32, hd/2)
	for i := range inv {
		inv[i] = float32(math.Pow(10000, -float64(2*i)/float64(hd)))
	}
	rope := compute.RoPEParams{HeadDim: hd, RotDim: hd, NeoX: true, InvFreq: inv}
	ap := &compute.AttentionParams{Heads: heads, KVHeads: kvHeads, HeadDim: hd, Scale: 0.125, BlockSize: 16,
		Positions: []int32{40}, Seqs: []compute.AttentionSeq{{FirstRow: 0, NumRows: 1, BlockTable: []int32{3, 0, 2}}}}
	pos := []int32{40}
	step := func() {
		for _, w := range ws {
			be.MatMul(dst, x, w)
		}
		be.RMSNorm(x, x, norm, 1e-6)
		be.SwiGLU(dst, dst, dst)
		be.Add(x, x, x)
		be.RoPE(q, pos, rope)
		be.Attention(att, q, kp, vp, ap)
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Errorf("a decode step's ops allocate %v times", n)
	}
}
