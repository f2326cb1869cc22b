// Package bert runs BERT-family encoders - BertModel, RobertaModel,
// XLMRobertaModel - from HF safetensors or GGUF (llama.cpp's arch bert):
// absolute position embeddings (offset by padding_idx+1 for RoBERTa),
// token type embeddings, post-LayerNorm blocks, bidirectional attention and
// a GELU (erf or tanh) feed-forward. It returns every token's last hidden
// state; pooling is the embed package's business.
package bert

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/nn"
)

// Model is a loaded encoder: weights only, safe for concurrent Encode calls.
type Model struct {
	cfg     *Config
	be      compute.Backend
	enc     compute.EncoderBackend
	weights model.Weights

	words, positions, types nn.Embedding // types is nil when type_vocab_size is 0
	embNorm                 nn.LayerNorm
	layers                  []layer
}

type layer struct {
	q, k, v, o  nn.Linear
	attnNorm    nn.LayerNorm
	up, down    nn.Linear
	ffnNorm     nn.LayerNorm
	heads, hdim int
	scale       float32
	tanhGELU    bool
}

// Load opens an encoder from an HF folder (config.json + safetensors) or a
// .gguf file of arch bert.
func Load(path string, be compute.Backend) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() && strings.EqualFold(filepath.Ext(path), ".gguf") {
		f, err := gguf.Open(path)
		if err != nil {
			return nil, err
		}
		cfg, err := ConfigFromGGUF(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		m, err := New(cfg, NewGGUFWeights(f), be)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	}
	dir := path
	if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	cfg, err := LoadHFConfig(dir)
	if err != nil {
		return nil, err
	}
	ck, err := safetensors.OpenCheckpoint(path)
	if err != nil {
		return nil, err
	}
	m, err := New(cfg, StripPrefix(model.SafetensorsWeights{C: ck}), be)
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// New binds the weights (BertModel names) of cfg, reporting every missing
// or misshapen tensor.
func New(cfg *Config, w model.Weights, be compute.Backend) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	enc, ok := be.(compute.EncoderBackend)
	if !ok {
		return nil, fmt.Errorf("bert: backend %s lacks the encoder ops (compute.EncoderBackend)", be.Name())
	}
	m := &Model{cfg: cfg, be: be, enc: enc, weights: w}
	b := &model.Binder{Backend: be, Weights: w}
	h, inter := cfg.HiddenSize, cfg.IntermediateSize
	eps := float32(cfg.LayerNormEps)
	linear := func(name string, out, in int) nn.Linear {
		return nn.Linear{W: b.Matrix(name+".weight", out, in), B: b.Vector(name+".bias", out)}
	}
	norm := func(name string) nn.LayerNorm {
		return nn.LayerNorm{W: b.Vector(name+".weight", h), B: b.Vector(name+".bias", h), Eps: eps}
	}
	m.words = nn.Embedding{Table: b.Matrix("embeddings.word_embeddings.weight", cfg.VocabSize, h)}
	m.positions = nn.Embedding{Table: b.Matrix("embeddings.position_embeddings.weight", cfg.MaxPositionEmbeddings, h)}
	if cfg.TypeVocabSize > 0 {
		m.types = nn.Embedding{Table: b.Matrix("embeddings.token_type_embeddings.weight", cfg.TypeVocabSize, h)}
	}
	m.embNorm = norm("embeddings.LayerNorm")
	for l := 0; l < cfg.NumLayers; l++ {
		p := func(s string) string { return LayerName(l, s) }
		m.layers = append(m.layers, layer{
			q:        linear(p("attention.self.query"), h, h),
			k:        linear(p("attention.self.key"), h, h),
			v:        linear(p("attention.self.value"), h, h),
			o:        linear(p("attention.output.dense"), h, h),
			attnNorm: norm(p("attention.output.LayerNorm")),
			up:       linear(p("intermediate.dense"), inter, h),
			down:     linear(p("output.dense"), h, inter),
			ffnNorm:  norm(p("output.LayerNorm")),
			heads:    cfg.NumHeads, hdim: h / cfg.NumHeads,
			scale:    float32(1 / math.Sqrt(float64(h/cfg.NumHeads))),
			tanhGELU: cfg.TanhGELU(),
		})
	}
	if err := b.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Config() *Config          { return m.cfg }
func (m *Model) Backend() compute.Backend { return m.be }
func (m *Model) HiddenSize() int          { return m.cfg.HiddenSize }
func (m *Model) MaxTokens() int           { return m.cfg.MaxTokens() }
func (m *Model) Close() error             { return m.weights.Close() }
func (m *Model) VocabSize() int           { return m.cfg.VocabSize }

// Encode runs a varlen batch: tokens of several sequences back to back,
// seqs giving each one's rows; typeIDs (nil: all 0) are the segment ids.
// Every token attends to every token of its own sequence only, so there is
// no padding and a sequence's output does not depend on its batch-mates.
// It returns the last hidden state of every row, on the backend.
func (m *Model) Encode(ctx context.Context, tokens, typeIDs []int32, seqs []compute.AttentionSeq) (compute.Tensor, error) {
	cfg, be := m.cfg, m.be
	n := len(tokens)
	if typeIDs != nil && len(typeIDs) != n {
		return nil, fmt.Errorf("bert: %d type ids for %d tokens", len(typeIDs), n)
	}
	// Positions restart in each sequence; attention positions say "every
	// key of the sequence" (the last one) for every query, which makes the
	// causal paged kernel bidirectional. The K/V pools are the step's own
	// rows, block size 1, so a sequence's block table is its row range.
	positions := make([]int32, n)
	attnPos := make([]int32, n)
	slots := make([]int32, n)
	attnSeqs := make([]compute.AttentionSeq, len(seqs))
	next := 0
	for si, s := range seqs {
		if s.FirstRow != next || s.NumRows <= 0 || s.FirstRow+s.NumRows > n {
			return nil, fmt.Errorf("bert: sequence %d covers rows %d..%d of %d; sequences must cover the rows in order", si, s.FirstRow, s.FirstRow+s.NumRows-1, n)
		}
		if s.NumRows > cfg.MaxTokens() {
			return nil, fmt.Errorf("bert: sequence %d has %d tokens, the model takes at most %d", si, s.NumRows, cfg.MaxTokens())
		}
		next += s.NumRows
		table := make([]int32, s.NumRows)
		for i := range table {
			r := s.FirstRow + i
			table[i] = int32(r)
			slots[r] = int32(r)
			positions[r] = int32(cfg.PositionOffset + i)
			attnPos[r] = int32(s.NumRows - 1)
		}
		attnSeqs[si] = compute.AttentionSeq{FirstRow: s.FirstRow, NumRows: s.NumRows, BlockTable: table}
	}
	if next != n {
		return nil, fmt.Errorf("bert: sequences cover %d of %d tokens", next, n)
	}
	for i, t := range tokens {
		if t < 0 || int(t) >= cfg.VocabSize {
			return nil, fmt.Errorf("bert: token %d at row %d is outside the vocabulary of %d", t, i, cfg.VocabSize)
		}
	}
	types := typeIDs
	if types == nil {
		types = make([]int32, n)
	}
	for i, t := range types {
		if t < 0 || (t > 0 && int(t) >= cfg.TypeVocabSize) {
			return nil, fmt.Errorf("bert: token type %d at row %d is outside type_vocab_size %d", t, i, cfg.TypeVocabSize)
		}
	}

	x := m.words.Forward(be, tokens)
	be.Add(x, x, m.positions.Forward(be, positions))
	if m.types.Table != nil {
		be.Add(x, x, m.types.Forward(be, types))
	}
	x = m.embNorm.Forward(be, x)

	kPool, vPool := be.Alloc(n, cfg.HiddenSize), be.Alloc(n, cfg.HiddenSize)
	for l := range m.layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ly := &m.layers[l]
		// Attention: project, attend within the sequence, project back,
		// then add and normalize (post-LN).
		q, k, v := ly.q.Forward(be, x), ly.k.Forward(be, x), ly.v.Forward(be, x)
		be.WriteKV(kPool, vPool, k, v, slots)
		a := be.Alloc(n, cfg.HiddenSize)
		be.Attention(a, q, kPool, vPool, &compute.AttentionParams{
			Heads: ly.heads, KVHeads: ly.heads, HeadDim: ly.hdim, Scale: ly.scale,
			BlockSize: 1, Positions: attnPos, Seqs: attnSeqs,
		})
		x = ly.attnNorm.Forward(be, nn.Add(be, x, ly.o.Forward(be, a)))
		// Feed-forward: up, GELU, down, add and normalize.
		f := ly.up.Forward(be, x)
		if ly.tanhGELU {
			m.enc.GELUTanh(f, f)
		} else {
			be.GELU(f, f)
		}
		x = ly.ffnNorm.Forward(be, nn.Add(be, x, ly.down.Forward(be, f)))
	}
	return x, nil
}
