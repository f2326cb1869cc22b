package kvcache

import (
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
)

// Cache is the engine's KV memory: per layer, a K pool and a V pool of
// NumBlocks*BlockSize rows of width KVWidth (kv heads * head dim), living
// on the backend, plus the allocator that hands out their blocks.
type Cache struct {
	Alloc   *Allocator
	K, V    []compute.Tensor
	KVWidth []int
}

// Spec sizes a cache: one KV width per layer.
type Spec struct {
	KVWidth   []int
	NumBlocks int
	BlockSize int // 0 means DefaultBlockSize
}

// New allocates the pools on be.
func New(be compute.Backend, s Spec) (*Cache, error) {
	if s.BlockSize == 0 {
		s.BlockSize = DefaultBlockSize
	}
	a, err := NewAllocator(s.NumBlocks, s.BlockSize)
	if err != nil {
		return nil, err
	}
	c := &Cache{Alloc: a, KVWidth: s.KVWidth}
	rows := s.NumBlocks * s.BlockSize
	for l, w := range s.KVWidth {
		if w <= 0 {
			return nil, fmt.Errorf("kvcache: layer %d has KV width %d", l, w)
		}
		c.K = append(c.K, be.Alloc(rows, w))
		c.V = append(c.V, be.Alloc(rows, w))
	}
	return c, nil
}

// BlockSize is the number of token rows per block.
func (c *Cache) BlockSize() int { return c.Alloc.BlockSize() }

// BytesPerBlock is the F32 memory one block takes across all layers, for
// sizing a cache to a memory budget.
func BytesPerBlock(kvWidth []int, blockSize int) int64 {
	var n int64
	for _, w := range kvWidth {
		n += 2 * 4 * int64(w) * int64(blockSize)
	}
	return n
}
