package embed

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/bert"
	_ "github.com/ferrum-go/ferrum/model/llama" // registers the decoders
)

// encoder is a model that turns a varlen batch into one hidden state per
// token: a BERT-family encoder, or a decoder read before its LM head.
type encoder interface {
	encode(ctx context.Context, tokens []int32, seqs []compute.AttentionSeq) (compute.Tensor, error)
	hiddenSize() int
	maxTokens() int
	vocabSize() int
	arch() string
	close() error
}

type bertEncoder struct{ m *bert.Model }

func (e bertEncoder) encode(ctx context.Context, tokens []int32, seqs []compute.AttentionSeq) (compute.Tensor, error) {
	return e.m.Encode(ctx, tokens, nil, seqs)
}
func (e bertEncoder) hiddenSize() int { return e.m.HiddenSize() }
func (e bertEncoder) maxTokens() int  { return e.m.MaxTokens() }
func (e bertEncoder) vocabSize() int  { return e.m.VocabSize() }
func (e bertEncoder) arch() string    { return e.m.Config().ModelType }
func (e bertEncoder) close() error    { return e.m.Close() }

// hiddenModel is a decoder that can return its final-norm states
// (model/llama's Model.Hidden).
type hiddenModel interface {
	model.Model
	Hidden(ctx context.Context, b *model.Batch) (compute.Tensor, error)
}

// decoderEncoder runs a decoder (Qwen3-Embedding style) over a batch with a
// KV cache made for the call; causal attention, positions from 0.
type decoderEncoder struct {
	m  hiddenModel
	be compute.Backend
}

func (e decoderEncoder) encode(ctx context.Context, tokens []int32, seqs []compute.AttentionSeq) (compute.Tensor, error) {
	const blockSize = 16
	blocks := 0
	for _, s := range seqs {
		blocks += (s.NumRows + blockSize - 1) / blockSize
	}
	cache, err := model.NewCache(e.be, e.m.Config(), blocks, blockSize)
	if err != nil {
		return nil, err
	}
	b := &model.Batch{Tokens: tokens, Positions: make([]int32, len(tokens)), Cache: cache}
	for _, s := range seqs {
		var table kvcache.BlockTable
		if err := table.Reserve(cache.Alloc, s.NumRows); err != nil {
			return nil, err
		}
		for i := 0; i < s.NumRows; i++ {
			b.Positions[s.FirstRow+i] = int32(i)
		}
		b.Seqs = append(b.Seqs, model.Seq{FirstRow: s.FirstRow, NumRows: s.NumRows, Blocks: table.Blocks})
	}
	return e.m.Hidden(ctx, b)
}
func (e decoderEncoder) hiddenSize() int { return e.m.Config().HiddenSize }
func (e decoderEncoder) maxTokens() int  { return e.m.Config().MaxPositionEmbeddings }
func (e decoderEncoder) vocabSize() int  { return e.m.Config().VocabSize }
func (e decoderEncoder) arch() string    { return e.m.Config().Architecture }
func (e decoderEncoder) close() error    { return e.m.Close() }

// baseModelWeights reads a decoder saved without its LM head wrapper
// (Qwen3Model: "layers.0...", "embed_tokens.weight", as sentence-
// transformers saves Qwen3-Embedding) under the ForCausalLM names.
type baseModelWeights struct{ model.Weights }

func (w baseModelWeights) name(n string) string {
	if _, ok := w.Weights.Info(n); ok {
		return n
	}
	if rest, ok := strings.CutPrefix(n, "model."); ok {
		return rest
	}
	return n
}
func (w baseModelWeights) Info(n string) (model.WeightInfo, bool) { return w.Weights.Info(w.name(n)) }
func (w baseModelWeights) Data(n string) ([]byte, error)          { return w.Weights.Data(w.name(n)) }
func (w baseModelWeights) Describe(n string) string               { return w.Weights.Describe(w.name(n)) }

// openDecoder loads an HF decoder folder for its hidden states. A base
// model architecture (Qwen3Model) runs as its ForCausalLM sibling; without
// an lm_head the embedding table stands in (it is never used).
func openDecoder(dir string, be compute.Backend) (encoder, error) {
	cfg, err := model.LoadHFConfig(dir)
	if err != nil {
		return nil, err
	}
	c := *cfg
	if base, ok := strings.CutSuffix(c.Architecture, "Model"); ok && !strings.HasSuffix(base, "For") {
		c.Architecture = base + "ForCausalLM"
	}
	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	w := baseModelWeights{model.SafetensorsWeights{C: ck}}
	if _, ok := w.Info("lm_head.weight"); !ok {
		c.TieWordEmbeddings = true
	}
	m, err := model.New(&c, w, be, model.Options{})
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	hm, ok := m.(hiddenModel)
	if !ok {
		m.Close()
		return nil, fmt.Errorf("%s: architecture %s cannot return hidden states for embeddings", dir, c.Architecture)
	}
	return decoderEncoder{m: hm, be: be}, nil
}

// openGGUFDecoder loads a decoder GGUF for its hidden states.
func openGGUFDecoder(path string, be compute.Backend) (encoder, error) {
	m, err := model.Load(path, be, model.Options{})
	if err != nil {
		return nil, err
	}
	hm, ok := m.(hiddenModel)
	if !ok {
		m.Close()
		return nil, fmt.Errorf("%s: architecture %s cannot return hidden states for embeddings", path, m.Config().Architecture)
	}
	return decoderEncoder{m: hm, be: be}, nil
}
