// Package kvcache is the paged KV cache: a pool of fixed-size blocks of
// token rows per layer, an allocator that hands blocks out with reference
// counts, and per-sequence block tables mapping positions to pool rows.
// The engine owns the cache (DESIGN.md invariant 2); models only read and
// write it through the block tables a Batch carries.
package kvcache

import (
	"errors"
	"fmt"
	"sync"
)

// DefaultBlockSize is the number of token rows per block unless configured.
const DefaultBlockSize = 16

// ErrOutOfBlocks is returned when every block is in use; the engine
// answers it by preempting a sequence or waiting.
var ErrOutOfBlocks = errors.New("kvcache: out of KV blocks")

// Allocator hands out block ids 0..NumBlocks-1 from a free list. A block
// may be shared (Retain) and returns to the free list when its last holder
// releases it. Prefix caching (PrefixCache) sits on top: it holds its own
// reference on cached blocks.
type Allocator struct {
	mu        sync.Mutex
	blockSize int
	free      []int32 // stack: the most recently freed block is reused first
	refs      []int32
}

// NewAllocator returns an allocator over numBlocks blocks of blockSize rows.
func NewAllocator(numBlocks, blockSize int) (*Allocator, error) {
	if numBlocks <= 0 || blockSize <= 0 {
		return nil, fmt.Errorf("kvcache: need positive block count and size, got %d blocks of %d", numBlocks, blockSize)
	}
	a := &Allocator{
		blockSize: blockSize,
		free:      make([]int32, numBlocks),
		refs:      make([]int32, numBlocks),
	}
	for i := range a.free {
		a.free[i] = int32(numBlocks - 1 - i) // hand out 0, 1, 2, ... first
	}
	return a, nil
}

func (a *Allocator) BlockSize() int { return a.blockSize }
func (a *Allocator) NumBlocks() int { return len(a.refs) }

// NumFree is the number of blocks not held by anyone.
func (a *Allocator) NumFree() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.free)
}

// Allocate takes a free block with reference count 1.
func (a *Allocator) Allocate() (int32, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.free) == 0 {
		return -1, ErrOutOfBlocks
	}
	id := a.free[len(a.free)-1]
	a.free = a.free[:len(a.free)-1]
	a.refs[id] = 1
	return id, nil
}

// Retain adds a holder to a block in use (sequences sharing a prefix).
func (a *Allocator) Retain(id int32) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.checkHeld(id); err != nil {
		return err
	}
	a.refs[id]++
	return nil
}

// Release drops a holder; the block is free again when none remain.
func (a *Allocator) Release(id int32) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.checkHeld(id); err != nil {
		return err
	}
	a.refs[id]--
	if a.refs[id] == 0 {
		a.free = append(a.free, id)
	}
	return nil
}

// RefCount is the number of holders of block id.
func (a *Allocator) RefCount(id int32) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if id < 0 || int(id) >= len(a.refs) {
		return 0
	}
	return int(a.refs[id])
}

func (a *Allocator) checkHeld(id int32) error {
	if id < 0 || int(id) >= len(a.refs) {
		return fmt.Errorf("kvcache: block %d outside pool of %d", id, len(a.refs))
	}
	if a.refs[id] == 0 {
		return fmt.Errorf("kvcache: block %d is not allocated", id)
	}
	return nil
}
