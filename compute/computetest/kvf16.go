package computetest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/ref"
	"github.com/ferrum-go/ferrum/quant"
)

// testAttentionF16 fills F16 pools through WriteKV and checks Attention
// against the reference over the same K/V rounded to F16: the only error
// an F16 cache may add is that rounding, so the bound stays F32-tight.
func testAttentionF16(t *testing.T, be compute.Backend, ka compute.KVAllocator) {
	rng := rand.New(rand.NewPCG(21, 22))
	const blockSize, numBlocks = 4, 16
	nrow := numBlocks * blockSize
	for _, c := range []struct {
		name                       string
		heads, kvHeads, hd, window int
	}{
		{"MHA", 4, 4, 8, 0}, {"GQA", 6, 2, 16, 0}, {"MQA", 4, 1, 64, 0}, {"GQA window", 4, 2, 32, 5},
	} {
		kvw := c.kvHeads * c.hd
		// Values past F16's 11-bit mantissa, so rounding is exercised.
		k := Random(rng, nrow*kvw, 3)
		v := Random(rng, nrow*kvw, 3)
		kp, err := ka.AllocKV(quant.F16, nrow, kvw)
		if err != nil {
			t.Fatal(err)
		}
		vp, err := ka.AllocKV(quant.F16, nrow, kvw)
		if err != nil {
			t.Fatal(err)
		}
		// Write in two batches, out of order, to cover scattered slots.
		slots := make([]int32, nrow)
		for i := range slots {
			slots[i] = int32((i*37 + 5) % nrow)
		}
		ks, vs := make([]float32, nrow*kvw), make([]float32, nrow*kvw)
		for i, s := range slots {
			copy(ks[i*kvw:(i+1)*kvw], k[int(s)*kvw:(int(s)+1)*kvw])
			copy(vs[i*kvw:(i+1)*kvw], v[int(s)*kvw:(int(s)+1)*kvw])
		}
		h := nrow / 2
		be.WriteKV(kp, vp, be.Upload(h, kvw, ks[:h*kvw]), be.Upload(h, kvw, vs[:h*kvw]), slots[:h])
		be.WriteKV(kp, vp, be.Upload(nrow-h, kvw, ks[h*kvw:]), be.Upload(nrow-h, kvw, vs[h*kvw:]), slots[h:])
		p := &compute.AttentionParams{
			Heads: c.heads, KVHeads: c.kvHeads, HeadDim: c.hd, Scale: 1 / float32(math.Sqrt(float64(c.hd))),
			Window: c.window, BlockSize: blockSize,
			Positions: []int32{0, 1, 2, 3, 4, 13, 9, 10, 11},
			Seqs: []compute.AttentionSeq{
				{FirstRow: 0, NumRows: 5, BlockTable: []int32{7, 2}},
				{FirstRow: 5, NumRows: 1, BlockTable: []int32{0, 15, 3, 9}},
				{FirstRow: 6, NumRows: 3, BlockTable: []int32{5, 11, 12}},
			},
		}
		q := Random(rng, len(p.Positions)*c.heads*c.hd, 2)
		dst := be.Alloc(len(p.Positions), c.heads*c.hd)
		be.Attention(dst, be.Upload(len(p.Positions), c.heads*c.hd, q), kp, vp, p)
		want := ref.Attention(q, ref.RoundF16(k), ref.RoundF16(v), p)
		check(t, "Attention F16 KV "+c.name, download(be, dst), want, 1e-5)
	}
	if _, err := ka.AllocKV(quant.Q8_0, 4, 4); err == nil {
		t.Error("AllocKV(Q8_0) succeeded; want an error naming the type")
	}
}
