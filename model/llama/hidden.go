package llama

import (
	"context"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
)

// Hidden runs the batch like Forward but stops before the LM head: it
// returns the final-norm hidden state of every row (rows x hidden), on the
// backend. Decoder embedding models (Qwen3-Embedding: last-token pooling)
// pool these rows instead of asking for logits; the embed package uses it.
func (m *Model) Hidden(ctx context.Context, b *model.Batch) (compute.Tensor, error) {
	// Its own step with the plain backend: the tensor returned outlives the
	// call, so it must not come from a pooled arena.
	return m.trunk(ctx, b, &step{be: m.be})
}

// Backend is the backend the model's weights live on.
func (m *Model) Backend() compute.Backend { return m.be }
