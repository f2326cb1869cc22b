package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/compute/ref"
)

// TestAttentionLong covers what computetest's small case does not: head
// sizes the SIMD kernels take (64, 128), contexts longer than one key
// chunk, runs split at block borders, GQA and a window.
func TestAttentionLong(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range []struct{ hd, heads, kvHeads, window, bs int }{
		{128, 4, 2, 0, 16}, {64, 8, 2, 0, 7}, {128, 2, 1, 100, 16}, {80, 2, 2, 0, 16},
	} {
		be := New(2)
		numBlocks := 300/c.bs + 2
		kvw := c.kvHeads * c.hd
		nrow := numBlocks * c.bs
		k := computetest.Random(rng, nrow*kvw, 2)
		v := computetest.Random(rng, nrow*kvw, 2)
		table := rng.Perm(numBlocks)
		bt := make([]int32, len(table))
		for i, b := range table {
			bt[i] = int32(b)
		}
		pos := []int32{0, 63, 64, 65, 150, 299}
		p := &compute.AttentionParams{
			Heads: c.heads, KVHeads: c.kvHeads, HeadDim: c.hd, Scale: 1 / float32(math.Sqrt(float64(c.hd))),
			Window: c.window, BlockSize: c.bs, Positions: pos,
		}
		for r := range pos {
			p.Seqs = append(p.Seqs, compute.AttentionSeq{FirstRow: r, NumRows: 1, BlockTable: bt})
		}
		q := computetest.Random(rng, len(pos)*c.heads*c.hd, 2)
		dst := be.Alloc(len(pos), c.heads*c.hd)
		be.Attention(dst, be.Upload(len(pos), c.heads*c.hd, q), be.Upload(nrow, kvw, k), be.Upload(nrow, kvw, v), p)
		got := make([]float32, len(pos)*c.heads*c.hd)
		be.Download(dst, nil, got)
		if e := computetest.RelErr(got, ref.Attention(q, k, v, p)); !(e < 1e-5) {
			t.Errorf("hd %d heads %d/%d window %d block %d: relative error %.3g", c.hd, c.heads, c.kvHeads, c.window, c.bs, e)
		}
		be.Close()
	}
}
