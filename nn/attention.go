package nn

import (
	"github.com/ferrum-go/ferrum/compute"
)

// PagedAttention stores a step's keys and values in a layer's pools and
// attends every query row to its sequence's cached positions.
type PagedAttention struct {
	Heads, KVHeads, HeadDim int
	Scale                   float32
	Window                  int // 0: full causal attention
}

// Forward writes k, v (rows x KVHeads*HeadDim) at slots, then returns the
// attention output (rows x Heads*HeadDim) of q. p is the caller's scratch:
// Forward fills in the layer's fields and the call's, so that a decode loop
// passing the same p each step allocates nothing.
func (a *PagedAttention) Forward(be compute.Backend, q, k, v, kPool, vPool compute.Tensor,
	slots []int32, positions []int32, seqs []compute.AttentionSeq, blockSize int, p *compute.AttentionParams) compute.Tensor {
	be.WriteKV(kPool, vPool, k, v, slots)
	out := be.Alloc(q.Rows(), a.Heads*a.HeadDim)
	*p = compute.AttentionParams{
		Heads: a.Heads, KVHeads: a.KVHeads, HeadDim: a.HeadDim, Scale: a.Scale, Window: a.Window,
		BlockSize: blockSize, Positions: positions, Seqs: seqs,
	}
	be.Attention(out, q, kPool, vPool, p)
	return out
}
