// Package embed turns texts into sentence embeddings the way
// sentence-transformers does: tokenize (truncating or rejecting inputs
// over the model's limit), run an encoder (BERT, RoBERTa, XLM-R) or a
// decoder (Qwen3-Embedding style) over all inputs in one padding-free
// varlen batch, pool each sequence's token states (cls, mean, max,
// lasttoken, weightedmean) and L2-normalize where the layout says so.
//
//	e, err := embed.Open("path/to/model", embed.Options{})
//	vecs, usage, err := e.Embed(ctx, []embed.Input{{Text: "hello"}})
//
// An Embedder holds weights only and is safe for concurrent use.
package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/model/bert"
	"github.com/ferrum-go/ferrum/tokenizer"
)

// Options tune Open. Zero values take the model folder's settings.
type Options struct {
	// Backend runs the model; nil makes a CPU backend with Threads workers
	// (all cores when 0), closed by Close.
	Backend compute.Backend
	Threads int
	// Pooling overrides the layout's pooling mode: cls, mean, max,
	// lasttoken, weightedmean.
	Pooling string
	// Normalize overrides whether vectors are L2-normalized.
	Normalize *bool
	// MaxTokens overrides the per-input token limit (never above what the
	// model's positions allow).
	MaxTokens int
	// MaxBatchTokens bounds the tokens of one forward pass (default 8192);
	// larger requests run as several passes.
	MaxBatchTokens int
	// Tokenizer is a tokenizer.json (or folder) to use instead of the
	// model's own; needed for GGUF files until GGUF vocabularies load.
	Tokenizer string
}

// Input is one text to embed, or its token ids (special tokens included)
// when Tokens is set.
type Input struct {
	Text   string
	Tokens []int32
	// Truncate cuts an input over the limit to the limit (keeping the
	// special tokens, as transformers' truncation does); otherwise such an
	// input fails the request with a *TooLongError.
	Truncate bool
}

// Vector is one embedding.
type Vector []float32

// Usage counts the tokens a request ran (after truncation).
type Usage struct {
	PromptTokens int
	TotalTokens  int
}

// TooLongError reports an input over the token limit. Its message does not
// say how to ask for truncation: each caller adds its own spelling (a flag,
// a request field).
type TooLongError struct {
	Index, Tokens, Max int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("input %d has %d tokens, more than the model's limit of %d", e.Index, e.Tokens, e.Max)
}

// Info describes a loaded embedder.
type Info struct {
	Architecture string
	Dim          int
	Pooling      string
	Normalize    bool
	MaxTokens    int
}

// Embedder is a loaded embedding model.
type Embedder struct {
	enc       encoder
	be        compute.Backend
	pooler    compute.EncoderBackend
	ownBE     *cpu.Backend
	tok       *tokenizer.Tokenizer
	pooling   compute.PoolMode
	normalize bool
	lower     bool
	maxTokens int
	maxBatch  int
}

// Open loads an embedding model: an HF folder (config.json, safetensors,
// tokenizer.json, optionally a sentence-transformers layout) or a GGUF file
// (arch bert, or a decoder).
func Open(path string, opts Options) (*Embedder, error) {
	if opts.Threads < 0 {
		return nil, fmt.Errorf("embed: %d threads: want 0 (all cores) or more", opts.Threads)
	}
	e := &Embedder{be: opts.Backend, maxBatch: opts.MaxBatchTokens}
	if e.be == nil {
		e.ownBE = cpu.New(opts.Threads)
		e.be = e.ownBE
	}
	if e.maxBatch <= 0 {
		e.maxBatch = 8192
	}
	if err := e.open(path, opts); err != nil {
		if e.enc != nil {
			e.enc.close()
		}
		if e.ownBE != nil {
			e.ownBE.Close()
		}
		return nil, err
	}
	return e, nil
}

func (e *Embedder) open(path string, opts Options) error {
	pooler, ok := e.be.(compute.EncoderBackend)
	if !ok {
		return fmt.Errorf("embed: backend %s lacks the pooling ops (compute.EncoderBackend)", e.be.Name())
	}
	e.pooler = pooler
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	var layout *Layout
	tokPath := opts.Tokenizer
	if !st.IsDir() && strings.EqualFold(filepath.Ext(path), ".gguf") {
		arch, pool, err := ggufArch(path)
		if err != nil {
			return err
		}
		if arch == "bert" {
			m, err := bert.Load(path, e.be)
			if err != nil {
				return err
			}
			e.enc = bertEncoder{m}
		} else if e.enc, err = openGGUFDecoder(path, e.be); err != nil {
			return err
		}
		layout = &Layout{Pooling: compute.PoolMean, Normalize: true}
		if arch != "bert" {
			layout.Pooling = compute.PoolLastToken
		}
		if pool != nil {
			layout.Pooling = *pool
		}
		if tokPath == "" {
			tokPath = path
		}
	} else {
		dir := path
		if !st.IsDir() {
			dir = filepath.Dir(path)
		}
		var probe struct {
			ModelType string `json:"model_type"`
		}
		if err := readJSON(filepath.Join(dir, "config.json"), &probe); err != nil {
			return err
		}
		decoder := !bert.Supported(probe.ModelType)
		if decoder {
			e.enc, err = openDecoder(dir, e.be)
		} else {
			var m *bert.Model
			if m, err = bert.Load(dir, e.be); err == nil {
				e.enc = bertEncoder{m}
			}
		}
		if err != nil {
			return err
		}
		if layout, err = ReadLayout(dir, decoder); err != nil {
			return err
		}
		if tokPath == "" {
			tokPath = dir
		}
	}
	if e.tok, err = tokenizer.Load(tokPath); err != nil {
		if opts.Tokenizer == "" && strings.EqualFold(filepath.Ext(path), ".gguf") {
			return fmt.Errorf("embed: tokenizer: %w (pass a tokenizer.json with Options.Tokenizer / --tokenizer)", err)
		}
		return fmt.Errorf("embed: tokenizer: %w", err)
	}
	e.pooling, e.normalize, e.lower = layout.Pooling, layout.Normalize, layout.DoLowerCase
	if opts.Pooling != "" {
		p, ok := compute.ParsePoolMode(opts.Pooling)
		if !ok {
			return fmt.Errorf("embed: pooling %q is not one of cls, mean, max, lasttoken, weightedmean", opts.Pooling)
		}
		e.pooling = p
	}
	if opts.Normalize != nil {
		e.normalize = *opts.Normalize
	}
	e.maxTokens = e.enc.maxTokens()
	if layout.MaxSeqLength > 0 {
		e.maxTokens = min(e.maxTokens, layout.MaxSeqLength)
	}
	if opts.MaxTokens > 0 {
		e.maxTokens = min(e.enc.maxTokens(), opts.MaxTokens)
	}
	if e.maxTokens <= 0 {
		return fmt.Errorf("embed: the model allows no tokens per input")
	}
	return nil
}

// ggufArch returns a GGUF file's architecture and the pooling its
// <arch>.pooling_type names (llama.cpp: 1 mean, 2 cls, 3 last), if any.
func ggufArch(path string) (string, *compute.PoolMode, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	arch, err := f.Metadata.String("general.architecture")
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	var pool *compute.PoolMode
	if v, err := f.Metadata.Uint(arch + ".pooling_type"); err == nil {
		m, ok := map[uint64]compute.PoolMode{1: compute.PoolMean, 2: compute.PoolCLS, 3: compute.PoolLastToken}[v]
		if !ok {
			return "", nil, fmt.Errorf("%s: %s.pooling_type %d is not supported (1 mean, 2 cls, 3 last)", path, arch, v)
		}
		pool = &m
	}
	return arch, pool, nil
}

// Info describes the loaded model and its pooling.
func (e *Embedder) Info() Info {
	return Info{Architecture: e.enc.arch(), Dim: e.enc.hiddenSize(), Pooling: e.pooling.String(),
		Normalize: e.normalize, MaxTokens: e.maxTokens}
}

// Tokenizer is the tokenizer inputs go through.
func (e *Embedder) Tokenizer() *tokenizer.Tokenizer { return e.tok }

// Close releases the weights (and the backend Open made).
func (e *Embedder) Close() error {
	err := e.enc.close()
	if e.ownBE != nil {
		e.ownBE.Close()
	}
	return err
}

// Embed returns one vector per input, in order, with the tokens used.
func (e *Embedder) Embed(ctx context.Context, inputs []Input) ([]Vector, Usage, error) {
	var usage Usage
	ids := make([][]int32, len(inputs))
	for i, in := range inputs {
		t, err := e.tokens(i, in)
		if err != nil {
			return nil, usage, err
		}
		ids[i] = t
		usage.PromptTokens += len(t)
	}
	usage.TotalTokens = usage.PromptTokens
	out := make([]Vector, len(inputs))
	for start := 0; start < len(ids); {
		end, n := start, 0
		for end < len(ids) && (end == start || n+len(ids[end]) <= e.maxBatch) {
			n += len(ids[end])
			end++
		}
		if err := e.run(ctx, ids[start:end], out[start:end]); err != nil {
			return nil, usage, err
		}
		start = end
	}
	return out, usage, nil
}

// run embeds one padding-free batch: every input's tokens back to back.
func (e *Embedder) run(ctx context.Context, ids [][]int32, out []Vector) error {
	var tokens []int32
	seqs := make([]compute.AttentionSeq, len(ids))
	for i, t := range ids {
		seqs[i] = compute.AttentionSeq{FirstRow: len(tokens), NumRows: len(t)}
		tokens = append(tokens, t...)
	}
	h, err := e.enc.encode(ctx, tokens, seqs)
	if err != nil {
		return err
	}
	dim := h.Cols()
	pooled := e.be.Alloc(len(ids), dim)
	e.pooler.Pool(pooled, h, seqs, e.pooling)
	flat := make([]float32, len(ids)*dim)
	e.be.Download(pooled, nil, flat)
	for i := range out {
		v := Vector(flat[i*dim : (i+1)*dim : (i+1)*dim])
		if e.normalize {
			l2normalize(v)
		}
		out[i] = v
	}
	return nil
}

// l2normalize divides by the Euclidean norm (at least 1e-12, as
// torch.nn.functional.normalize does).
func l2normalize(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	n := math.Max(math.Sqrt(ss), 1e-12)
	for i := range v {
		v[i] = float32(float64(v[i]) / n)
	}
}

// tokens encodes one input with the model's special tokens, enforcing the
// limit: over it, truncation keeps the special tokens the post-processor
// adds around the text and cuts the text's own tokens from the end, as
// transformers' tokenizer(truncation=True, max_length=...) does.
func (e *Embedder) tokens(i int, in Input) ([]int32, error) {
	var ids []int32
	if in.Tokens != nil {
		ids = in.Tokens
		if len(ids) > e.maxTokens {
			if !in.Truncate {
				return nil, &TooLongError{Index: i, Tokens: len(ids), Max: e.maxTokens}
			}
			ids = ids[:e.maxTokens]
		}
	} else {
		text := in.Text
		if e.lower {
			text = strings.ToLower(text)
		}
		full := e.tok.Encode(text, true)
		if len(full) > e.maxTokens {
			if !in.Truncate {
				return nil, &TooLongError{Index: i, Tokens: len(full), Max: e.maxTokens}
			}
			full = truncate(full, e.tok.Encode(text, false), e.maxTokens)
		}
		ids = make([]int32, len(full))
		for j, t := range full {
			ids[j] = int32(t)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("input %d has no tokens", i)
	}
	for _, t := range ids {
		if t < 0 || int(t) >= e.enc.vocabSize() {
			return nil, fmt.Errorf("input %d: token %d is outside the vocabulary of %d", i, t, e.enc.vocabSize())
		}
	}
	return ids, nil
}

// truncate cuts the content tokens (plain, the text without special
// tokens) inside full so that len(result) == max; when the special tokens
// do not simply wrap the content, the tail of full is cut.
func truncate(full, plain []int, max int) []int {
	p := -1
	for s := 0; s+len(plain) <= len(full); s++ {
		if slices.Equal(full[s:s+len(plain)], plain) {
			p = s
			break
		}
	}
	if p < 0 {
		return full[:max]
	}
	specials := len(full) - len(plain)
	keep := max - specials
	if keep < 0 {
		return full[:max]
	}
	out := append([]int(nil), full[:p]...)
	out = append(out, plain[:keep]...)
	return append(out, full[p+len(plain):]...)
}

// IsTooLong reports whether err is an input over the limit.
func IsTooLong(err error) bool {
	var t *TooLongError
	return errors.As(err, &t)
}
