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
}

type layer struct {
	attnNorm nn.RMSNorm
	attn     attention
	ffnNorm  nn.RMSNorm
	ffn      FFN
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
func (m *Model) Forward(ctx context.Context, b *model.Batch) (*model.Logits, error) {
	cfg, be := m.cfg, m.be
	x, err := m.trunk(ctx, b)
	if err != nil {
		return nil, err
	}
	x = nn.GatherRows(be, x, b.LogitRows)
	logits := m.output.Forward(be, x)
	m.record("result_output", logits)
	out := &model.Logits{Vocab: cfg.VocabSize, Data: make([]float32, len(b.LogitRows)*cfg.VocabSize)}
	be.Download(logits, nil, out.Data)
	return out, nil
}

// trunk runs every row of the batch through the layers and the final norm:
// all of Forward but the LM head.
func (m *Model) trunk(ctx context.Context, b *model.Batch) (compute.Tensor, error) {
	cfg, be := m.cfg, m.be
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
	return x, nil
}

// block is one decoder layer: pre-norm attention and pre-norm feed-forward,
// each added back to the residual stream.
func (m *Model) block(l int, x compute.Tensor, st *step) compute.Tensor {
	ly, be := &m.layers[l], m.be
	name := func(s string) string { return fmt.Sprintf("blk.%d.%s", l, s) }

	h := ly.attnNorm.Forward(be, x)
	m.record(name("attn_norm"), h)
	attnOut := ly.attn.forward(m, l, h, st)
	m.record(name("attn_out"), attnOut)
	x = nn.Add(be, x, attnOut)
	m.record(name("ffn_inp"), x)

	h = ly.ffnNorm.Forward(be, x)
	m.record(name("ffn_norm"), h)
	ffnOut := ly.ffn.Forward(be, h)
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
