// Package compute defines the narrow interface between model code and the
// kernels that run it: tensors that live on a backend, and the handful of ops
// a transformer forward pass needs. Model code (nn, model/...) only ever calls
// these ops; kernels live under compute/<backend> (DESIGN.md invariant 4) and
// every one of them is checked against the plain-Go reference in compute/ref.
//
// Tensors are two-dimensional, row-major: Rows x Cols with Cols contiguous.
// Activations are always F32. Weights keep the element type of the file they
// came from (F32, F16, BF16 or any ggml block type) and are only ever read,
// so a backend may keep them as the mmap'd bytes of the file.
package compute

import (
	"github.com/ferrum-go/ferrum/quant"
)

// Tensor is a handle to memory owned by a Backend. Its contents are reached
// only through that backend's ops and Download (invariant 5: data stays on
// its device).
type Tensor interface {
	// DType is F32 for activations; weights may be any quant.Type.
	DType() quant.Type
	// Rows and Cols give the logical shape; Cols is the contiguous axis.
	Rows() int
	Cols() int
}

// Backend owns memory and runs ops. Every op writes dst, which must not
// alias an input unless the op says so. Shapes are checked by the caller's
// layer (nn) and re-checked by backends only where a mistake would corrupt
// memory; a mismatch there is a programming error and panics.
type Backend interface {
	Name() string

	// Alloc returns a zeroed F32 tensor.
	Alloc(rows, cols int) Tensor
	// Upload copies host values into a new F32 tensor (len(data) == rows*cols).
	Upload(rows, cols int, data []float32) Tensor
	// Weight wraps read-only weight bytes of type t (rows x cols elements,
	// each row a whole number of blocks). The CPU backend keeps data as is,
	// so an mmap'd file is never copied; data must outlive the tensor.
	Weight(t quant.Type, rows, cols int, data []byte) (Tensor, error)
	// Download copies the listed rows of an F32 tensor to dst, row after row
	// (all rows when rows is nil).
	Download(t Tensor, rows []int, dst []float32)
	// Reshape views an F32 tensor's storage with another shape of the same size.
	Reshape(t Tensor, rows, cols int) Tensor

	// MatMul: dst[r,o] = sum_i x[r,i] * w[o,i]  (x times w transposed, the
	// layout of both HF Linear weights and GGUF tensors). w may be any type.
	MatMul(dst, x, w Tensor)
	// AddRow adds the 1 x Cols row b to every row of x, in place.
	AddRow(x, b Tensor)
	// Add: dst = a + b (same shape). dst may alias a or b.
	Add(dst, a, b Tensor)
	// Mul: dst = a * b elementwise (same shape). dst may alias a or b.
	Mul(dst, a, b Tensor)
	// RMSNorm normalizes every row of x over its Cols and scales by the
	// 1 x Cols weight w. dst may alias x.
	RMSNorm(dst, x, w Tensor, eps float32)
	// LayerNorm: (x - mean) / sqrt(var + eps) * w + b per row; b may be nil.
	LayerNorm(dst, x, w, b Tensor, eps float32)
	// SiLU: dst = x * sigmoid(x). dst may alias x.
	SiLU(dst, x Tensor)
	// GELU (erf form). dst may alias x.
	GELU(dst, x Tensor)
	// SwiGLU: dst = silu(gate) * up, the gated MLP's activation in one pass.
	SwiGLU(dst, gate, up Tensor)
	// Softmax over each row. dst may alias x.
	Softmax(dst, x Tensor)
	// RoPE rotates, in place, the heads of x (Rows x heads*HeadDim), row r
	// at position pos[r].
	RoPE(x Tensor, pos []int32, p RoPEParams)
	// Embed copies rows ids of table (any type) into dst (len(ids) x Cols).
	Embed(dst, table Tensor, ids []int32)
	// WriteKV stores row r of k and v into row slots[r] of the pools.
	WriteKV(kPool, vPool, k, v Tensor, slots []int32)
	// Attention computes causal (optionally sliding-window) multi-head
	// attention of the query rows q against keys and values in the pools,
	// reached through each sequence's block table. dst is Rows x Heads*HeadDim.
	Attention(dst, q, kPool, vPool Tensor, p *AttentionParams)
}

// KVAllocator is implemented by backends that can hold KV cache pools in a
// narrower type than F32 (F16 halves the cache's memory, as llama.cpp's
// default). WriteKV into such a pool rounds each value to nearest even, and
// Attention reads it widened back to F32; nothing else accepts it.
type KVAllocator interface {
	// AllocKV returns a zeroed rows x cols pool of type t (F32 or F16).
	AllocKV(t quant.Type, rows, cols int) (Tensor, error)
}

// Zeroer is implemented by backends that can clear an F32 tensor in place,
// so that a tensor reused across forward passes (nn.Arena) can stand in for
// a fresh zeroed one from Alloc without allocating.
type Zeroer interface {
	Zero(t Tensor)
}

// RoPEParams describes one rotary embedding. The frequency table is
// computed by the caller (nn) from the model's scaling rules, so backends
// implement only the rotation itself.
type RoPEParams struct {
	HeadDim int
	// RotDim is the number of leading dims of each head that rotate
	// (HeadDim unless partial rotary); the rest pass through.
	RotDim int
	// NeoX pairs dim i with i+RotDim/2 (HF's rotate_half, GGUF qwen2/qwen3);
	// otherwise dims 2i and 2i+1 form a pair (GGUF llama, whose converter
	// permuted the q/k rows so that both give the same result).
	NeoX bool
	// InvFreq has RotDim/2 entries: pair i rotates by pos*InvFreq[i].
	InvFreq []float32
	// PerRowInvFreq, when set, overrides InvFreq for row r (dynamic NTK
	// scaling, whose frequencies depend on a sequence's length).
	PerRowInvFreq func(r int) []float32
	// AttnFactor scales cos and sin (YaRN's mscale); 0 means 1.
	AttnFactor float32
}

// AttentionSeq is one sequence of a varlen batch: its query rows and the
// block table through which its keys and values are reached.
type AttentionSeq struct {
	FirstRow, NumRows int
	BlockTable        []int32
}

// AttentionParams describes a paged attention call.
type AttentionParams struct {
	Heads, KVHeads, HeadDim int
	Scale                   float32
	// Window > 0 limits a query at position p to keys at positions > p-Window.
	Window int
	// BlockSize is the number of token rows per KV block; pool row of
	// position j is BlockTable[j/BlockSize]*BlockSize + j%BlockSize.
	BlockSize int
	// Positions holds each query row's position; the query attends to its
	// sequence's keys at positions 0..Positions[r] (which must be written).
	Positions []int32
	Seqs      []AttentionSeq
}
