package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/quant"
)

// BenchmarkAttentionDecode: one decode row against a 4096-token context
// (Qwen3-0.6B's head layout), F32 vs F16 pools.
func BenchmarkAttentionDecode(b *testing.B) {
	const heads, kvHeads, hd, ctx, bs = 16, 8, 128, 4096, 16
	for _, typ := range []quant.Type{quant.F32, quant.F16} {
		b.Run(typ.String(), func(b *testing.B) {
			be := New(1)
			defer be.Close()
			kvw := kvHeads * hd
			kp, _ := be.AllocKV(typ, ctx, kvw)
			vp, _ := be.AllocKV(typ, ctx, kvw)
			rng := rand.New(rand.NewPCG(1, 2))
			rows := make([]float32, ctx*kvw)
			for i := range rows {
				rows[i] = rng.Float32()*2 - 1
			}
			slots := make([]int32, ctx)
			table := make([]int32, ctx/bs)
			for i := range slots {
				slots[i] = int32(i)
			}
			for i := range table {
				table[i] = int32(i)
			}
			x := be.Upload(ctx, kvw, rows)
			be.WriteKV(kp, vp, x, x, slots)
			q := be.Upload(1, heads*hd, rows[:heads*hd])
			dst := be.Alloc(1, heads*hd)
			p := &compute.AttentionParams{Heads: heads, KVHeads: kvHeads, HeadDim: hd, Scale: 0.08, BlockSize: bs,
				Positions: []int32{ctx - 1}, Seqs: []compute.AttentionSeq{{FirstRow: 0, NumRows: 1, BlockTable: table}}}
			b.ResetTimer()
			for range b.N {
				be.Attention(dst, q, kp, vp, p)
			}
		})
	}
}
