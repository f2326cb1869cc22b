package llama

import (
	"math"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/nn"
)

// attention is one layer's self-attention: q/k/v projections, Qwen3's
// per-head q/k norms, RoPE, paged attention over the KV cache and the
// output projection.
type attention struct {
	q, k, v, o   nn.Linear
	qNorm, kNorm *nn.RMSNorm // Qwen3 only
	paged        nn.PagedAttention
	heads        int
	kvHeads      int
	headDim      int
}

// bindAttention binds layer l's self_attn weights as cfg shapes them.
func bindAttention(b *model.Binder, cfg *model.Config, l int) attention {
	p := func(s string) string { return model.LayerName(l, s) }
	hidden, eps := cfg.HiddenSize, float32(cfg.RMSNormEps)
	qDim, kvDim := cfg.NumHeads*cfg.HeadDim, cfg.NumKVHeads*cfg.HeadDim
	a := attention{
		q: BindLinear(b, p("self_attn.q_proj"), qDim, hidden, cfg.AttentionBias),
		k: BindLinear(b, p("self_attn.k_proj"), kvDim, hidden, cfg.AttentionBias),
		v: BindLinear(b, p("self_attn.v_proj"), kvDim, hidden, cfg.AttentionBias),
		o: BindLinear(b, p("self_attn.o_proj"), hidden, qDim, cfg.OutputBias),
		paged: nn.PagedAttention{
			Heads: cfg.NumHeads, KVHeads: cfg.NumKVHeads, HeadDim: cfg.HeadDim,
			Scale: float32(1 / math.Sqrt(float64(cfg.HeadDim))), Window: cfg.Window(l),
		},
		heads: cfg.NumHeads, kvHeads: cfg.NumKVHeads, headDim: cfg.HeadDim,
	}
	if cfg.QKNorm {
		a.qNorm = &nn.RMSNorm{W: b.Vector(p("self_attn.q_norm.weight"), cfg.HeadDim), Eps: eps}
		a.kNorm = &nn.RMSNorm{W: b.Vector(p("self_attn.k_norm.weight"), cfg.HeadDim), Eps: eps}
	}
	return a
}

// forward runs layer l's attention on the normed rows h and returns the
// output projection (not yet added to the residual stream).
func (a *attention) forward(m *Model, l int, h compute.Tensor, st *step) compute.Tensor {
	be, names := st.be, &m.layers[l].names

	// 1. Project to queries, keys and values.
	q := a.q.Forward(be, h)
	k := a.k.Forward(be, h)
	v := a.v.Forward(be, h)
	m.record(names.q, q)
	m.record(names.k, k)
	m.record(names.v, v)

	// 2. Qwen3 normalizes each head of q and k on its own.
	if a.qNorm != nil {
		rows := q.Rows()
		q = be.Reshape(a.qNorm.Forward(be, be.Reshape(q, rows*a.heads, a.headDim)), rows, a.heads*a.headDim)
		k = be.Reshape(a.kNorm.Forward(be, be.Reshape(k, rows*a.kvHeads, a.headDim)), rows, a.kvHeads*a.headDim)
		m.record(names.qNorm, q)
		m.record(names.kNorm, k)
	}

	// 3. Rotate q and k by their positions.
	m.rope.Apply(be, q, st.batch.Positions, st.seqLens)
	m.rope.Apply(be, k, st.batch.Positions, st.seqLens)

	// 4. Store k, v in the cache and attend over each sequence's past.
	out := a.paged.Forward(be, q, k, v, st.batch.Cache.K[l], st.batch.Cache.V[l],
		st.slots, st.batch.Positions, st.seqs, st.batch.Cache.BlockSize(), &st.attn)

	// 5. Project back to the residual stream's width.
	return a.o.Forward(be, out)
}
