// Package qwen3moe runs Qwen3MoeForCausalLM (GGUF arch qwen3moe): Qwen3's
// attention (GQA, per-head q/k RMSNorm, NeoX RoPE) with a mixture-of-experts
// feed-forward on the sparse layers and Qwen3's dense SwiGLU MLP on the
// others (mlp_only_layers, decoder_sparse_step).
//
// Experts run grouped: the tokens routed to an expert are gathered into one
// matrix and multiplied by that expert's weights once, so a step reads only
// the experts some token chose (see Stats), never the whole layer.
package qwen3moe

import (
	"context"
	"fmt"
	"math"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/nn"
)

func init() { model.Register("Qwen3MoeForCausalLM", New) }

// Model is a loaded Qwen3-MoE decoder: weights only, nothing per request.
type Model struct {
	cfg     *model.Config
	moe     *MoEConfig
	be      compute.Backend
	weights model.Weights
	dump    *model.Dumper
	stats   *Stats

	embed  nn.Embedding
	layers []layer
	norm   nn.RMSNorm
	output nn.Linear
	rope   *nn.RoPE
}

type layer struct {
	attnNorm     nn.RMSNorm
	q, k, v, o   nn.Linear
	qNorm, kNorm *nn.RMSNorm
	attn         nn.PagedAttention
	ffnNorm      nn.RMSNorm
	dense        *nn.GatedMLP // mlp_only_layers and layers off the sparse step
	sparse       *sparseMLP
}

// New binds a Qwen3-MoE checkpoint. The MoE fields come from the GGUF
// metadata or the config.json beside the safetensors (see MoEConfig).
func New(cfg *model.Config, w model.Weights, be compute.Backend, opts model.Options) (model.Model, error) {
	moe, err := moeConfigFor(w, cfg.NumLayers)
	if err != nil {
		return nil, err
	}
	return NewWithMoE(cfg, moe, w, be, opts)
}

// NewWithMoE is New with the MoE fields given.
func NewWithMoE(cfg *model.Config, moe *MoEConfig, w model.Weights, be compute.Backend, opts model.Options) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := moe.Validate(cfg.NumLayers); err != nil {
		return nil, err
	}
	if _, ok := be.(compute.MoEBackend); !ok {
		return nil, fmt.Errorf("qwen3moe: backend %s lacks the MoE ops (compute.MoEBackend)", be.Name())
	}
	c := *cfg
	// Every Qwen3-MoE has q/k norms; model.Config only infers them for
	// model_type qwen3 (GGUF infers them from the tensors).
	c.QKNorm = cfg.QKNorm || w != nil && has(w, model.LayerName(0, "self_attn.q_norm.weight"))
	if !moe.UseSlidingWindow && c.ModelType == "qwen3_moe" {
		c.SlidingWindow, c.LayerSliding = 0, nil
	}
	cfg = &c
	m := &Model{cfg: cfg, moe: moe, be: be, weights: w, dump: opts.Dump, stats: &Stats{}}
	b := &model.Binder{Backend: be, Weights: w}
	eps := float32(cfg.RMSNormEps)
	hidden := cfg.HiddenSize
	qDim, kvDim := cfg.NumHeads*cfg.HeadDim, cfg.NumKVHeads*cfg.HeadDim
	linear := func(name string, out, in int, bias bool) nn.Linear {
		l := nn.Linear{W: b.Matrix(name+".weight", out, in)}
		if bias {
			l.B = b.Vector(name+".bias", out)
		}
		return l
	}

	m.embed = nn.Embedding{Table: b.Matrix("model.embed_tokens.weight", cfg.VocabSize, hidden)}
	for l := 0; l < cfg.NumLayers; l++ {
		p := func(s string) string { return model.LayerName(l, s) }
		ly := layer{
			attnNorm: nn.RMSNorm{W: b.Vector(p("input_layernorm.weight"), hidden), Eps: eps},
			q:        linear(p("self_attn.q_proj"), qDim, hidden, cfg.AttentionBias),
			k:        linear(p("self_attn.k_proj"), kvDim, hidden, cfg.AttentionBias),
			v:        linear(p("self_attn.v_proj"), kvDim, hidden, cfg.AttentionBias),
			o:        linear(p("self_attn.o_proj"), hidden, qDim, cfg.OutputBias),
			attn: nn.PagedAttention{
				Heads: cfg.NumHeads, KVHeads: cfg.NumKVHeads, HeadDim: cfg.HeadDim,
				Scale: float32(1 / math.Sqrt(float64(cfg.HeadDim))), Window: cfg.Window(l),
			},
			ffnNorm: nn.RMSNorm{W: b.Vector(p("post_attention_layernorm.weight"), hidden), Eps: eps},
		}
		if cfg.QKNorm {
			ly.qNorm = &nn.RMSNorm{W: b.Vector(p("self_attn.q_norm.weight"), cfg.HeadDim), Eps: eps}
			ly.kNorm = &nn.RMSNorm{W: b.Vector(p("self_attn.k_norm.weight"), cfg.HeadDim), Eps: eps}
		}
		if moe.Sparse(l) {
			ly.sparse = &sparseMLP{
				router:  linear(p("mlp.gate"), moe.NumExperts, hidden, false),
				experts: bindExperts(b, w, l, moe.NumExperts, moe.MoEIntermediateSize, hidden),
				topK:    moe.NumExpertsPerTok,
				renorm:  moe.NormTopKProb,
				stats:   m.stats,
			}
		} else {
			inter := cfg.IntermediateSize
			ly.dense = &nn.GatedMLP{
				Gate: linear(p("mlp.gate_proj"), inter, hidden, false),
				Up:   linear(p("mlp.up_proj"), inter, hidden, false),
				Down: linear(p("mlp.down_proj"), hidden, inter, false),
			}
		}
		m.layers = append(m.layers, ly)
	}
	m.norm = nn.RMSNorm{W: b.Vector("model.norm.weight", hidden), Eps: eps}
	if cfg.TieWordEmbeddings && !b.Has("lm_head.weight") {
		m.output = nn.Linear{W: m.embed.Table}
	} else {
		m.output = linear("lm_head", cfg.VocabSize, hidden, false)
	}
	rope, err := nn.NewRoPE(cfg.RoPEConfig())
	if err != nil {
		b.Fail(err)
	}
	m.rope = rope
	if err := b.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

func has(w model.Weights, name string) bool { _, ok := w.Info(name); return ok }

func (m *Model) Config() *model.Config { return m.cfg }

// MoE returns the mixture-of-experts configuration.
func (m *Model) MoE() *MoEConfig { return m.moe }

// Stats counts expert weight traffic since load.
func (m *Model) Stats() *Stats { return m.stats }

// ExpertBytes is the size of every expert weight of the model, the bytes a
// dense (all-experts) evaluation would read per token.
func (m *Model) ExpertBytes() int64 {
	var n int64
	for _, ly := range m.layers {
		if ly.sparse != nil {
			for _, e := range ly.sparse.experts {
				n += e.bytes
			}
		}
	}
	return n
}

func (m *Model) Close() error {
	err := m.dump.Flush()
	if cerr := m.weights.Close(); err == nil {
		err = cerr
	}
	return err
}

// Forward runs one step of a varlen batch (prefill, decode, chunks, any mix).
func (m *Model) Forward(ctx context.Context, b *model.Batch) (*model.Logits, error) {
	cfg, be := m.cfg, m.be
	if err := b.Validate(cfg.VocabSize); err != nil {
		return nil, err
	}
	if len(b.Cache.K) != cfg.NumLayers {
		return nil, fmt.Errorf("qwen3moe: KV cache has %d layers, model %d", len(b.Cache.K), cfg.NumLayers)
	}
	for l, w := range b.Cache.KVWidth {
		if w != cfg.KVWidth() {
			return nil, fmt.Errorf("qwen3moe: KV cache layer %d has width %d, model needs %d", l, w, cfg.KVWidth())
		}
	}
	st := newStep(b)
	x := m.embed.Forward(be, b.Tokens)
	m.record("tok_embd", x)
	for l := range m.layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x = m.block(l, x, st)
	}
	x = m.norm.Forward(be, x)
	m.record("result_norm", x)
	x = nn.GatherRows(be, x, b.LogitRows)
	logits := m.output.Forward(be, x)
	m.record("result_output", logits)
	out := &model.Logits{Vocab: cfg.VocabSize, Data: make([]float32, len(b.LogitRows)*cfg.VocabSize)}
	be.Download(logits, nil, out.Data)
	return out, nil
}

// block is one decoder layer: Qwen3's pre-norm attention, then the dense
// or sparse MLP, each added to the residual stream.
func (m *Model) block(l int, x compute.Tensor, st *step) compute.Tensor {
	ly, be, cfg := &m.layers[l], m.be, m.cfg
	name := func(s string) string { return fmt.Sprintf("blk.%d.%s", l, s) }

	h := ly.attnNorm.Forward(be, x)
	m.record(name("attn_norm"), h)

	// 1. Project; 2. normalize each q and k head; 3. rotate.
	q, k, v := ly.q.Forward(be, h), ly.k.Forward(be, h), ly.v.Forward(be, h)
	m.record(name("attn_q"), q)
	m.record(name("attn_k"), k)
	m.record(name("attn_v"), v)
	if ly.qNorm != nil {
		rows := q.Rows()
		q = be.Reshape(ly.qNorm.Forward(be, be.Reshape(q, rows*cfg.NumHeads, cfg.HeadDim)), rows, cfg.NumHeads*cfg.HeadDim)
		k = be.Reshape(ly.kNorm.Forward(be, be.Reshape(k, rows*cfg.NumKVHeads, cfg.HeadDim)), rows, cfg.NumKVHeads*cfg.HeadDim)
		m.record(name("attn_q_norm"), q)
		m.record(name("attn_k_norm"), k)
	}
	m.rope.Apply(be, q, st.batch.Positions, st.seqLens)
	m.rope.Apply(be, k, st.batch.Positions, st.seqLens)

	// 4. Cache k, v and attend; 5. project back.
	a := ly.attn.Forward(be, q, k, v, st.batch.Cache.K[l], st.batch.Cache.V[l],
		st.slots, st.batch.Positions, st.seqs, st.batch.Cache.BlockSize())
	attnOut := ly.o.Forward(be, a)
	m.record(name("attn_out"), attnOut)
	x = nn.Add(be, x, attnOut)
	m.record(name("ffn_inp"), x)

	h = ly.ffnNorm.Forward(be, x)
	m.record(name("ffn_norm"), h)
	var ffnOut compute.Tensor
	if ly.sparse != nil {
		ffnOut = ly.sparse.Forward(be, h)
	} else {
		ffnOut = ly.dense.Forward(be, h)
	}
	m.record(name("ffn_out"), ffnOut)
	x = nn.Add(be, x, ffnOut)
	m.record(name("l_out"), x)
	return x
}

func (m *Model) record(name string, t compute.Tensor) {
	if m.dump != nil {
		m.dump.Record(m.be, name, t)
	}
}

// step is what every layer of one Forward shares.
type step struct {
	batch   *model.Batch
	slots   []int32
	seqs    []compute.AttentionSeq
	seqLens []int32
}

func newStep(b *model.Batch) *step {
	st := &step{batch: b, slots: b.Slots(), seqLens: make([]int32, len(b.Tokens))}
	for _, s := range b.Seqs {
		st.seqs = append(st.seqs, compute.AttentionSeq{FirstRow: s.FirstRow, NumRows: s.NumRows, BlockTable: s.Blocks})
		var last int32
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			last = max(last, b.Positions[r]+1)
		}
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			st.seqLens[r] = last
		}
	}
	return st
}
