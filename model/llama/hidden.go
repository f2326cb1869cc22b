package llama

import (
	"context"
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
)

// Hidden runs the batch like Forward but stops before the LM head: it
// returns the final-norm hidden state of every row (rows x hidden), on the
// backend. Decoder embedding models (Qwen3-Embedding: last-token pooling)
// pool these rows instead of asking for logits; the embed package uses it.
// (Added by the embeddings work as its own file; Forward is unchanged.)
func (m *Model) Hidden(ctx context.Context, b *model.Batch) (compute.Tensor, error) {
	cfg := m.cfg
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
	x := m.embed.Forward(m.be, b.Tokens)
	for l := range m.layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x = m.block(l, x, st)
	}
	return m.norm.Forward(m.be, x), nil
}

// Backend is the backend the model's weights live on.
func (m *Model) Backend() compute.Backend { return m.be }
