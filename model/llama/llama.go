// Package llama runs the Llama family of decoders: LlamaForCausalLM (Llama
// 2, 3, 3.1, 3.2, TinyLlama), MistralForCausalLM, Qwen2ForCausalLM and
// Qwen3ForCausalLM. They differ only in switches the Config carries (GQA,
// biases, q/k norm, RoPE scaling, sliding windows, tied embeddings), so one
// forward pass reads top to bottom for all of them, from safetensors or
// GGUF alike.
package llama

import (
	"context"
	"fmt"
	"math"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/nn"
)

func init() {
	for _, arch := range []string{"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM"} {
		model.Register(arch, New)
	}
}

// Model is a loaded decoder: config, weights, nothing per request.
type Model struct {
	cfg     *model.Config
	be      compute.Backend
	weights model.Weights
	dump    *model.Dumper

	embed  nn.Embedding
	layers []layer
	norm   nn.RMSNorm
	output nn.Linear // lm_head; shares the embedding table when tied
	rope   *nn.RoPE
}

type layer struct {
	attnNorm     nn.RMSNorm
	q, k, v, o   nn.Linear
	qNorm, kNorm *nn.RMSNorm // Qwen3 only
	attn         nn.PagedAttention
	ffnNorm      nn.RMSNorm
	mlp          nn.GatedMLP
}

// New binds the weights named by cfg. Every missing or misshapen tensor is
// reported, each with the shape expected.
func New(cfg *model.Config, w model.Weights, be compute.Backend, opts model.Options) (model.Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, be: be, weights: w, dump: opts.Dump}
	b := &model.Binder{Backend: be, Weights: w}
	eps := float32(cfg.RMSNormEps)
	hidden, inter := cfg.HiddenSize, cfg.IntermediateSize
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
			mlp: nn.GatedMLP{
				Gate: linear(p("mlp.gate_proj"), inter, hidden, cfg.MLPBias),
				Up:   linear(p("mlp.up_proj"), inter, hidden, cfg.MLPBias),
				Down: linear(p("mlp.down_proj"), hidden, inter, cfg.MLPBias),
			},
		}
		if cfg.QKNorm {
			ly.qNorm = &nn.RMSNorm{W: b.Vector(p("self_attn.q_norm.weight"), cfg.HeadDim), Eps: eps}
			ly.kNorm = &nn.RMSNorm{W: b.Vector(p("self_attn.k_norm.weight"), cfg.HeadDim), Eps: eps}
		}
		m.layers = append(m.layers, ly)
	}
	m.norm = nn.RMSNorm{W: b.Vector("model.norm.weight", hidden), Eps: eps}
	if cfg.TieWordEmbeddings && !b.Has("lm_head.weight") {
		m.output = nn.Linear{W: m.embed.Table}
	} else {
		m.output = linear("lm_head", cfg.VocabSize, hidden, false)
	}

	rc := cfg.RoPEConfig()
	if ff, err := ropeFreqFactors(w, cfg.RotaryDim/2); err != nil {
		b.Fail(err)
	} else {
		rc.FreqFactors = ff
	}
	rope, err := nn.NewRoPE(rc)
	if err != nil {
		b.Fail(err)
	}
	m.rope = rope
	if err := b.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Config() *model.Config { return m.cfg }

// Close writes any pending activation dump and releases the weight files.
func (m *Model) Close() error {
	err := m.dump.Flush()
	if cerr := m.weights.Close(); err == nil {
		err = cerr
	}
	return err
}

// Forward runs one step of a varlen batch: every row is embedded, passes
// through the layers (writing its K and V into the cache and attending over
// its sequence's cached positions), and the rows asked for get logits.
func (m *Model) Forward(ctx context.Context, b *model.Batch) (*model.Logits, error) {
	cfg, be := m.cfg, m.be
	if err := b.Validate(cfg.VocabSize); err != nil {
		return nil, err
	}
	if len(b.Cache.K) != cfg.NumLayers {
		return nil, fmt.Errorf("llama: KV cache has %d layers, model %d", len(b.Cache.K), cfg.NumLayers)
	}
	for l, w := range b.Cache.KVWidth {
		if w != cfg.KVWidth() {
			return nil, fmt.Errorf("llama: KV cache layer %d has width %d, model needs %d", l, w, cfg.KVWidth())
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

// block is one decoder layer: pre-norm attention and pre-norm gated MLP,
// each added back to the residual stream.
func (m *Model) block(l int, x compute.Tensor, st *step) compute.Tensor {
	ly, be, cfg := &m.layers[l], m.be, m.cfg
	name := func(s string) string { return fmt.Sprintf("blk.%d.%s", l, s) }

	h := ly.attnNorm.Forward(be, x)
	m.record(name("attn_norm"), h)

	// 1. Project to queries, keys and values.
	q := ly.q.Forward(be, h)
	k := ly.k.Forward(be, h)
	v := ly.v.Forward(be, h)
	m.record(name("attn_q"), q)
	m.record(name("attn_k"), k)
	m.record(name("attn_v"), v)

	// 2. Qwen3 normalizes each head of q and k on its own.
	if ly.qNorm != nil {
		rows := q.Rows()
		q = be.Reshape(ly.qNorm.Forward(be, be.Reshape(q, rows*cfg.NumHeads, cfg.HeadDim)), rows, cfg.NumHeads*cfg.HeadDim)
		k = be.Reshape(ly.kNorm.Forward(be, be.Reshape(k, rows*cfg.NumKVHeads, cfg.HeadDim)), rows, cfg.NumKVHeads*cfg.HeadDim)
		m.record(name("attn_q_norm"), q)
		m.record(name("attn_k_norm"), k)
	}

	// 3. Rotate q and k by their positions.
	m.rope.Apply(be, q, st.batch.Positions, st.seqLens)
	m.rope.Apply(be, k, st.batch.Positions, st.seqLens)

	// 4. Store k, v in the cache and attend over each sequence's past.
	a := ly.attn.Forward(be, q, k, v, st.batch.Cache.K[l], st.batch.Cache.V[l],
		st.slots, st.batch.Positions, st.seqs, st.batch.Cache.BlockSize())

	// 5. Project back to the residual stream.
	attnOut := ly.o.Forward(be, a)
	m.record(name("attn_out"), attnOut)
	x = nn.Add(be, x, attnOut)
	m.record(name("ffn_inp"), x)

	h = ly.ffnNorm.Forward(be, x)
	m.record(name("ffn_norm"), h)
	ffnOut := ly.mlp.Forward(be, h)
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

// step is what every layer of one Forward shares: where rows go in the
// cache and which sequence each belongs to.
type step struct {
	batch   *model.Batch
	slots   []int32
	seqs    []compute.AttentionSeq
	seqLens []int32 // per row: its sequence's length after this step
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

// ropeFreqFactors reads GGUF's rope_freqs tensor, if the file has one.
func ropeFreqFactors(w model.Weights, pairs int) ([]float32, error) {
	info, data, ok := w.Extra(model.RopeFreqsName)
	if !ok {
		return nil, nil
	}
	if len(info.Shape) != 1 || info.Shape[0] != int64(pairs) {
		return nil, fmt.Errorf("tensor %s has shape %v, expected [%d]", model.RopeFreqsName, info.Shape, pairs)
	}
	ff := make([]float32, pairs)
	if err := dequantize(info, data, ff); err != nil {
		return nil, fmt.Errorf("tensor %s: %w", model.RopeFreqsName, err)
	}
	return ff, nil
}
