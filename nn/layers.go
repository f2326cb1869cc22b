// Package nn holds the layers models are written in: thin structs over
// backend tensors whose Forward calls compute ops. A layer never sees a
// kernel (invariant 4) and never holds per-request state.
package nn

import (
	"github.com/ferrum-go/ferrum/compute"
)

// Linear is y = x W^T + b. W is [out, in] in any element type the backend
// takes (a quantized W is just another Linear); B is nil or 1 x out.
type Linear struct {
	W, B compute.Tensor
}

func (l *Linear) Forward(be compute.Backend, x compute.Tensor) compute.Tensor {
	y := be.Alloc(x.Rows(), l.W.Rows())
	be.MatMul(y, x, l.W)
	if l.B != nil {
		be.AddRow(y, l.B)
	}
	return y
}

// RMSNorm scales each row to unit root-mean-square, then by W.
type RMSNorm struct {
	W   compute.Tensor
	Eps float32
}

func (n *RMSNorm) Forward(be compute.Backend, x compute.Tensor) compute.Tensor {
	y := be.Alloc(x.Rows(), x.Cols())
	be.RMSNorm(y, x, n.W, n.Eps)
	return y
}

// LayerNorm is (x - mean) / std * W + B (B may be nil).
type LayerNorm struct {
	W, B compute.Tensor
	Eps  float32
}

func (n *LayerNorm) Forward(be compute.Backend, x compute.Tensor) compute.Tensor {
	y := be.Alloc(x.Rows(), x.Cols())
	be.LayerNorm(y, x, n.W, n.B, n.Eps)
	return y
}

// Embedding looks rows up in a [vocab, dim] table of any element type.
type Embedding struct {
	Table compute.Tensor
}

func (e *Embedding) Forward(be compute.Backend, ids []int32) compute.Tensor {
	y := be.Alloc(len(ids), e.Table.Cols())
	be.Embed(y, e.Table, ids)
	return y
}

// GatedMLP is the SwiGLU feed-forward: Down(silu(Gate x) * Up x).
type GatedMLP struct {
	Gate, Up, Down Linear
}

func (m *GatedMLP) Forward(be compute.Backend, x compute.Tensor) compute.Tensor {
	g := m.Gate.Forward(be, x)
	u := m.Up.Forward(be, x)
	be.SwiGLU(g, g, u)
	return m.Down.Forward(be, g)
}

// Add returns a + b in a new tensor (a residual connection).
func Add(be compute.Backend, a, b compute.Tensor) compute.Tensor {
	y := be.Alloc(a.Rows(), a.Cols())
	be.Add(y, a, b)
	return y
}

// GatherRows returns the listed rows of x (the rows that need logits).
func GatherRows(be compute.Backend, x compute.Tensor, rows []int) compute.Tensor {
	ids := make([]int32, len(rows))
	for i, r := range rows {
		ids[i] = int32(r)
	}
	return Gather(be, x, ids)
}

// Gather is GatherRows with the rows as int32 ids, which a caller can keep
// in a reused buffer.
func Gather(be compute.Backend, x compute.Tensor, ids []int32) compute.Tensor {
	y := be.Alloc(len(ids), x.Cols())
	be.Embed(y, x, ids)
	return y
}
