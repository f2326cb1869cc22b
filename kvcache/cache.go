package kvcache

import (
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/quant"
)

// Cache is the engine's KV memory: per layer, a K pool and a V pool of
// NumBlocks*BlockSize rows of width KVWidth (kv heads * head dim), living
// on the backend, plus the allocator that hands out their blocks.
type Cache struct {
	Alloc   *Allocator
	K, V    []compute.Tensor
	KVWidth []int
	// Type is the pools' element type (F32 or F16).
	Type quant.Type
}

// Spec sizes a cache: one KV width per layer.
type Spec struct {
	KVWidth   []int
	NumBlocks int
	BlockSize int // 0 means DefaultBlockSize
	// Type is the pools' element type: F32 (the zero value) or F16, which
	// needs a backend implementing compute.KVAllocator.
	Type quant.Type
}

// New allocates the pools on be.
func New(be compute.Backend, s Spec) (*Cache, error) {
	if s.BlockSize == 0 {
		s.BlockSize = DefaultBlockSize
	}
	if s.Type != quant.F32 && s.Type != quant.F16 {
		return nil, fmt.Errorf("kvcache: KV cache type %v is not supported (want f32 or f16)", s.Type)
	}
	ka, _ := be.(compute.KVAllocator)
	if s.Type != quant.F32 && ka == nil {
		return nil, fmt.Errorf("kvcache: backend %s has no %v KV cache", be.Name(), s.Type)
	}
	a, err := NewAllocator(s.NumBlocks, s.BlockSize)
	if err != nil {
		return nil, err
	}
	c := &Cache{Alloc: a, KVWidth: s.KVWidth, Type: s.Type}
	rows := s.NumBlocks * s.BlockSize
	alloc := func(w int) (compute.Tensor, error) {
		if s.Type == quant.F32 {
			return be.Alloc(rows, w), nil
		}
		return ka.AllocKV(s.Type, rows, w)
	}
	for l, w := range s.KVWidth {
		if w <= 0 {
			return nil, fmt.Errorf("kvcache: layer %d has KV width %d", l, w)
		}
		k, err := alloc(w)
		if err != nil {
			return nil, fmt.Errorf("kvcache: layer %d: %w", l, err)
		}
		v, err := alloc(w)
		if err != nil {
			return nil, fmt.Errorf("kvcache: layer %d: %w", l, err)
		}
		c.K = append(c.K, k)
		c.V = append(c.V, v)
	}
	return c, nil
}

// BlockSize is the number of token rows per block.
func (c *Cache) BlockSize() int { return c.Alloc.BlockSize() }

// BytesPerBlock is the F32 memory one block takes across all layers, for
// sizing a cache to a memory budget.
func BytesPerBlock(kvWidth []int, blockSize int) int64 {
	return BytesPerBlockOf(quant.F32, kvWidth, blockSize)
}

// BytesPerBlockOf is the memory one block of pools of type t (F32: 4 bytes
// a value, F16: 2) takes across all layers.
func BytesPerBlockOf(t quant.Type, kvWidth []int, blockSize int) int64 {
	elem := int64(4)
	if t == quant.F16 {
		elem = 2
	}
	var n int64
	for _, w := range kvWidth {
		n += 2 * elem * int64(w) * int64(blockSize)
	}
	return n
}
