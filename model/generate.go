package model

import (
	"context"
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/quant"
)

// NewCache allocates a KV cache shaped for cfg on be: numBlocks blocks of
// blockSize positions (kvcache.DefaultBlockSize when 0) per layer.
func NewCache(be compute.Backend, cfg *Config, numBlocks, blockSize int) (*kvcache.Cache, error) {
	return NewCacheOf(be, cfg, numBlocks, blockSize, quant.F32)
}

// NewCacheOf is NewCache with pools of type t (F32 or F16).
func NewCacheOf(be compute.Backend, cfg *Config, numBlocks, blockSize int, t quant.Type) (*kvcache.Cache, error) {
	widths := make([]int, cfg.NumLayers)
	for i := range widths {
		widths[i] = cfg.KVWidth()
	}
	return kvcache.New(be, kvcache.Spec{KVWidth: widths, NumBlocks: numBlocks, BlockSize: blockSize, Type: t})
}

// Greedy is the simplest generation loop, for tests and tools: prefill the
// prompt (in chunks of chunk tokens, whole when chunk <= 0), then append the
// argmax token until maxNew tokens or a stop id. It returns the new tokens
// and the logits of every step (the prompt's last position first). The
// sequence's blocks are released before returning.
func Greedy(ctx context.Context, m Model, cache *kvcache.Cache, prompt []int32, maxNew, chunk int, stop []int) ([]int32, [][]float32, error) {
	if len(prompt) == 0 {
		return nil, nil, fmt.Errorf("greedy: empty prompt")
	}
	var table kvcache.BlockTable
	defer table.Free(cache.Alloc)
	if chunk <= 0 {
		chunk = len(prompt)
	}
	run := func(tokens []int32, start int) ([]float32, error) {
		if err := table.Reserve(cache.Alloc, start+len(tokens)); err != nil {
			return nil, err
		}
		pos := make([]int32, len(tokens))
		for i := range pos {
			pos[i] = int32(start + i)
		}
		lg, err := m.Forward(ctx, &Batch{
			Tokens: tokens, Positions: pos,
			Seqs:      []Seq{{FirstRow: 0, NumRows: len(tokens), Blocks: table.Blocks}},
			LogitRows: []int{len(tokens) - 1}, Cache: cache,
		})
		if err != nil {
			return nil, err
		}
		return lg.Row(0), nil
	}
	var last []float32
	for start := 0; start < len(prompt); start += chunk {
		end := min(start+chunk, len(prompt))
		lg, err := run(prompt[start:end], start)
		if err != nil {
			return nil, nil, err
		}
		last = lg
	}
	var out []int32
	var steps [][]float32
	for len(out) < maxNew {
		steps = append(steps, last)
		next := int32(Argmax(last))
		out = append(out, next)
		if contains(stop, int(next)) || len(out) == maxNew {
			break
		}
		lg, err := run([]int32{next}, len(prompt)+len(out)-1)
		if err != nil {
			return nil, nil, err
		}
		last = lg
	}
	return out, steps, nil
}

// Argmax is the index of the largest value (the first on ties).
func Argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
