// Package llama runs the Llama family of decoders: LlamaForCausalLM (Llama
// 2, 3, 3.1, 3.2, TinyLlama), MistralForCausalLM, Qwen2ForCausalLM and
// Qwen3ForCausalLM. They differ only in switches the Config carries (GQA,
// biases, q/k norm, RoPE scaling, sliding windows, tied embeddings), so one
// forward pass reads top to bottom for all of them, from safetensors or
// GGUF alike.
//
// The decoder trunk (embedding, attention layers, final norm, LM head) is
// exported through NewDecoder so that architectures differing only in their
// feed-forward (model/qwen3moe's experts) run this same attention code.
package llama

import (
	"context"
	"fmt"
	"sync"

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
	name    string // prefixes errors: the package that built it
	cfg     *model.Config
	be      compute.Backend
	weights model.Weights
	dump    *model.Dumper

	embed  nn.Embedding
	layers []layer
	norm   nn.RMSNorm
	output nn.Linear // lm_head; shares the embedding table when tied
	rope   *nn.RoPE

	steps sync.Pool // of *step, each with its arena: no allocation per decode step
}

type layer struct {
	attnNorm nn.RMSNorm
	attn     attention
	ffnNorm  nn.RMSNorm
	ffn      FFN
	names    layerNames
}

// layerNames are the dumper's names of a layer's activations, built at
// load so that a forward pass formats no strings.
type layerNames struct {
	attnNorm, attnOut, ffnInp, ffnNorm, ffnOut, out string
	q, k, v, qNorm, kNorm                           string
}

func newLayerNames(l int) layerNames {
	n := func(s string) string { return fmt.Sprintf("blk.%d.%s", l, s) }
	return layerNames{
		attnNorm: n("attn_norm"), attnOut: n("attn_out"), ffnInp: n("ffn_inp"),
		ffnNorm: n("ffn_norm"), ffnOut: n("ffn_out"), out: n("l_out"),
		q: n("attn_q"), k: n("attn_k"), v: n("attn_v"), qNorm: n("attn_q_norm"), kNorm: n("attn_k_norm"),
	}
}

// FFN is a layer's feed-forward: Llama's gated MLP, or a mixture of experts.
type FFN interface {
	Forward(be compute.Backend, x compute.Tensor) compute.Tensor
}

// FFNBinder binds layer l's feed-forward (its input is hidden wide).
type FFNBinder func(b *model.Binder, l int) FFN

// New binds the weights named by cfg. Every missing or misshapen tensor is
// reported, each with the shape expected.
func New(cfg *model.Config, w model.Weights, be compute.Backend, opts model.Options) (model.Model, error) {
	return NewDecoder("llama", cfg, w, be, opts, func(b *model.Binder, l int) FFN {
		return BindGatedMLP(b, l, cfg.HiddenSize, cfg.IntermediateSize, cfg.MLPBias)
	})
}

// NewDecoder binds a Llama-style decoder whose layer feed-forwards ffn
// binds; name prefixes its errors.
func NewDecoder(name string, cfg *model.Config, w model.Weights, be compute.Backend, opts model.Options, ffn FFNBinder) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{name: name, cfg: cfg, be: be, weights: w, dump: opts.Dump}
	b := &model.Binder{Backend: be, Weights: w}
	eps := float32(cfg.RMSNormEps)
	hidden := cfg.HiddenSize

	m.embed = nn.Embedding{Table: b.Matrix("model.embed_tokens.weight", cfg.VocabSize, hidden)}
	for l := 0; l < cfg.NumLayers; l++ {
		p := func(s string) string { return model.LayerName(l, s) }
		ly := layer{attnNorm: nn.RMSNorm{W: b.Vector(p("input_layernorm.weight"), hidden), Eps: eps}}
		ly.attn = bindAttention(b, cfg, l)
		ly.ffnNorm = nn.RMSNorm{W: b.Vector(p("post_attention_layernorm.weight"), hidden), Eps: eps}
		ly.ffn = ffn(b, l)
		ly.names = newLayerNames(l)
		m.layers = append(m.layers, ly)
	}
	m.norm = nn.RMSNorm{W: b.Vector("model.norm.weight", hidden), Eps: eps}
	if cfg.TieWordEmbeddings && !b.Has("lm_head.weight") {
		m.output = nn.Linear{W: m.embed.Table}
	} else {
		m.output = BindLinear(b, "lm_head", cfg.VocabSize, hidden, false)
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
	m.steps.New = func() any {
		a := nn.NewArena(be)
		return &step{be: a, arena: a}
	}
	if err := b.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// BindLinear binds name.weight as an [out, in] matrix, and name.bias too
// when bias is set.
func BindLinear(b *model.Binder, name string, out, in int, bias bool) nn.Linear {
	l := nn.Linear{W: b.Matrix(name+".weight", out, in)}
	if bias {
		l.B = b.Vector(name+".bias", out)
	}
	return l
}

// BindGatedMLP binds layer l's SwiGLU MLP (mlp.{gate,up,down}_proj).
func BindGatedMLP(b *model.Binder, l, hidden, inter int, bias bool) *nn.GatedMLP {
	p := func(s string) string { return model.LayerName(l, s) }
	return &nn.GatedMLP{
		Gate: BindLinear(b, p("mlp.gate_proj"), inter, hidden, bias),
		Up:   BindLinear(b, p("mlp.up_proj"), inter, hidden, bias),
		Down: BindLinear(b, p("mlp.down_proj"), hidden, inter, bias),
	}
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
// The Logits are new (the caller keeps them); ForwardInto reuses a buffer.
func (m *Model) Forward(ctx context.Context, b *model.Batch) (*model.Logits, error) {
	out := &model.Logits{}
	if err := m.ForwardInto(ctx, b, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ForwardInto is Forward writing the logits into out, whose Data is reused
// when large enough. With the same out every step, a decode loop allocates
// nothing once its first step has sized the buffers.
func (m *Model) ForwardInto(ctx context.Context, b *model.Batch, out *model.Logits) error {
	st := m.steps.Get().(*step)
	defer m.putStep(st)
	// The arena keeps every layer's activations of the largest batch it has
	// served, for as long as the step lives in the pool: worth it for decode
	// steps, far too much memory after a long prefill. Large batches
	// allocate per layer instead, and the garbage collector frees them.
	st.be = st.arena
	if len(b.Tokens) > arenaMaxRows {
		st.be = m.be
	}
	x, err := m.trunk(ctx, b, st)
	if err != nil {
		return err
	}
	x = nn.Gather(st.be, x, st.ids)
	logits := m.output.Forward(st.be, x)
	m.record("result_output", logits)
	out.Vocab = m.cfg.VocabSize
	out.Data = resize(out.Data, len(b.LogitRows)*m.cfg.VocabSize)
	st.be.Download(logits, nil, out.Data)
	return nil
}

// arenaMaxRows is the largest batch whose activations a pooled step keeps.
const arenaMaxRows = 32

func (m *Model) putStep(st *step) {
	st.done()
	m.steps.Put(st)
}

// trunk runs every row of the batch through the layers and the final norm:
// all of Forward but the LM head. Its activations come from st.be.
func (m *Model) trunk(ctx context.Context, b *model.Batch, st *step) (compute.Tensor, error) {
	cfg := m.cfg
	if err := b.Validate(cfg.VocabSize); err != nil {
		return nil, err
	}
	if len(b.Cache.K) != cfg.NumLayers {
		return nil, fmt.Errorf("%s: KV cache has %d layers, model %d", m.name, len(b.Cache.K), cfg.NumLayers)
	}
	for l, w := range b.Cache.KVWidth {
		if w != cfg.KVWidth() {
			return nil, fmt.Errorf("%s: KV cache layer %d has width %d, model needs %d", m.name, l, w, cfg.KVWidth())
		}
	}
	st.reset(b)
	be := st.be

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
	return x, nil
}

// block is one decoder layer: pre-norm attention and pre-norm feed-forward,
// each added back to the residual stream.
func (m *Model) block(l int, x compute.Tensor, st *step) compute.Tensor {
	ly, be := &m.layers[l], st.be
	names := &ly.names

	h := ly.attnNorm.Forward(be, x)
	m.record(names.attnNorm, h)
	attnOut := ly.attn.forward(m, l, h, st)
	m.record(names.attnOut, attnOut)
	x = nn.Add(be, x, attnOut)
	m.record(names.ffnInp, x)

	h = ly.ffnNorm.Forward(be, x)
	m.record(names.ffnNorm, h)
	ffnOut := ly.ffn.Forward(be, h)
	m.record(names.ffnOut, ffnOut)
	x = nn.Add(be, x, ffnOut)
	m.record(names.out, x)
	return x
}

func (m *Model) record(name string, t compute.Tensor) {
	if m.dump != nil {
		m.dump.Record(m.be, name, t)
	}
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
