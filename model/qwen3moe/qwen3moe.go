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

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/llama"
)

func init() { model.Register("Qwen3MoeForCausalLM", New) }

// Model is a loaded Qwen3-MoE decoder: weights only, nothing per request.
// Its trunk (embedding, attention, norms, LM head, Forward) is llama's
// decoder; only the feed-forward of the sparse layers is this package's.
type Model struct {
	dec    *llama.Model // not embedded: Hidden (embeddings) stays llama's alone
	moe    *MoEConfig
	stats  *Stats
	sparse []*sparseMLP // the sparse layers' feed-forwards
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
	m := &Model{moe: moe, stats: &Stats{}}
	hidden := cfg.HiddenSize
	ffn := func(b *model.Binder, l int) llama.FFN {
		if !moe.Sparse(l) {
			// mlp_only_layers and layers off the sparse step.
			return llama.BindGatedMLP(b, l, hidden, cfg.IntermediateSize, false)
		}
		s := &sparseMLP{
			router:  llama.BindLinear(b, model.LayerName(l, "mlp.gate"), moe.NumExperts, hidden, false),
			experts: bindExperts(b, w, l, moe.NumExperts, moe.MoEIntermediateSize, hidden),
			topK:    moe.NumExpertsPerTok,
			renorm:  moe.NormTopKProb,
			stats:   m.stats,
		}
		if f, ok := be.(compute.MoEFFNBackend); ok {
			s.fused = f
			for _, e := range s.experts {
				s.weights = append(s.weights, compute.Expert{Gate: e.gate, Up: e.up, Down: e.down})
			}
		}
		m.sparse = append(m.sparse, s)
		return s
	}
	dec, err := llama.NewDecoder("qwen3moe", cfg, w, be, opts, ffn)
	if err != nil {
		return nil, err
	}
	m.dec = dec
	return m, nil
}

func has(w model.Weights, name string) bool { _, ok := w.Info(name); return ok }

func (m *Model) Config() *model.Config { return m.dec.Config() }

// Close writes any pending activation dump and releases the weight files.
func (m *Model) Close() error { return m.dec.Close() }

// Forward runs one step of a varlen batch (prefill, decode, chunks, any mix).
func (m *Model) Forward(ctx context.Context, b *model.Batch) (*model.Logits, error) {
	return m.dec.Forward(ctx, b)
}

// MoE returns the mixture-of-experts configuration.
func (m *Model) MoE() *MoEConfig { return m.moe }

// Stats counts expert weight traffic since load.
func (m *Model) Stats() *Stats { return m.stats }

// ExpertBytes is the size of every expert weight of the model, the bytes a
// dense (all-experts) evaluation would read per token.
func (m *Model) ExpertBytes() int64 {
	var n int64
	for _, s := range m.sparse {
		for _, e := range s.experts {
			n += e.bytes
		}
	}
	return n
}
