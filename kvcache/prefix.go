package kvcache

import (
	"container/list"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sync"
)

// PrefixCache keeps the KV blocks of finished or shared prompt prefixes so
// that a later sequence starting with the same tokens reuses them instead
// of recomputing. A full block is addressed by a hash chain: the hash of
// its parent block's hash and its own tokens, so a block's address names
// everything before it too. The cache holds one reference on every block
// it knows; a block no sequence holds any more (reference count 1: the
// cache's own) is evictable, and evicted least recently used first when
// the allocator runs dry.
//
// Every block the engine allocates goes through the PrefixCache so that
// eviction can make room; with caching disabled it is a thin pass-through
// to the Allocator.
type PrefixCache struct {
	mu      sync.Mutex
	alloc   *Allocator
	enabled bool
	seed    maphash.Seed

	byHash map[uint64]*cachedBlock
	byID   map[int32]*cachedBlock
	lru    *list.List // evictable blocks, least recently used first

	queries, hits int64 // tokens looked up / found
}

type cachedBlock struct {
	id     int32
	hash   uint64
	parent uint64
	tokens []int32       // kept to rule out hash collisions
	elem   *list.Element // in lru while evictable
}

// NewPrefixCache wraps a. With enabled false nothing is ever cached.
func NewPrefixCache(a *Allocator, enabled bool) *PrefixCache {
	return &PrefixCache{
		alloc: a, enabled: enabled, seed: maphash.MakeSeed(),
		byHash: map[uint64]*cachedBlock{}, byID: map[int32]*cachedBlock{}, lru: list.New(),
	}
}

// Enabled reports whether blocks are cached.
func (c *PrefixCache) Enabled() bool { return c.enabled }

// Allocator is the wrapped allocator.
func (c *PrefixCache) Allocator() *Allocator { return c.alloc }

// Hashes returns the chain hashes of the full blocks of tokens.
func (c *PrefixCache) Hashes(tokens []int32, dst []uint64) []uint64 {
	bs := c.alloc.BlockSize()
	parent := uint64(0)
	for i := len(dst) * bs; i+bs <= len(tokens); i += bs {
		if len(dst) > 0 {
			parent = dst[len(dst)-1]
		}
		dst = append(dst, c.hash(parent, tokens[i:i+bs]))
	}
	return dst
}

func (c *PrefixCache) hash(parent uint64, tokens []int32) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], parent)
	h.Write(b[:])
	for _, t := range tokens {
		binary.LittleEndian.PutUint32(b[:4], uint32(t))
		h.Write(b[:4])
	}
	return h.Sum64()
}

// Lookup finds the longest run of cached blocks for the leading full
// blocks of tokens (at most maxBlocks), takes a reference on each for the
// caller and returns their ids. It counts the tokens asked for and found.
func (c *PrefixCache) Lookup(tokens []int32, maxBlocks int) []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.enabled {
		return nil
	}
	bs := c.alloc.BlockSize()
	n := min(len(tokens)/bs, maxBlocks)
	c.queries += int64(n * bs)
	var ids []int32
	parent := uint64(0)
	for i := 0; i < n; i++ {
		blk := tokens[i*bs : (i+1)*bs]
		h := c.hash(parent, blk)
		cb, ok := c.byHash[h]
		if !ok || cb.parent != parent || !slices.Equal(cb.tokens, blk) {
			break
		}
		if err := c.alloc.Retain(cb.id); err != nil {
			break // cannot happen: the cache holds a reference
		}
		if cb.elem != nil {
			c.lru.Remove(cb.elem)
			cb.elem = nil
		}
		ids = append(ids, cb.id)
		parent = h
	}
	c.hits += int64(len(ids) * bs)
	return ids
}

// Insert records block id as holding tokens (a full block) after the
// block whose hash is parent (0 for the first block) and returns the
// block's hash. If another block already holds the same prefix, id stays
// private to its sequence.
func (c *PrefixCache) Insert(id int32, parent uint64, tokens []int32) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.hash(parent, tokens)
	if !c.enabled {
		return h
	}
	if _, ok := c.byHash[h]; ok {
		return h
	}
	if _, ok := c.byID[id]; ok {
		return h // already cached under its hash
	}
	if err := c.alloc.Retain(id); err != nil {
		return h
	}
	cb := &cachedBlock{id: id, hash: h, parent: parent, tokens: slices.Clone(tokens)}
	c.byHash[h] = cb
	c.byID[id] = cb
	return h
}

// Allocate takes a fresh block, evicting the least recently used cached
// block nobody holds when the allocator has none free.
func (c *PrefixCache) Allocate() (int32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, err := c.alloc.Allocate()
	if err == nil {
		return id, nil
	}
	front := c.lru.Front()
	if front == nil {
		return -1, err
	}
	c.evict(front.Value.(*cachedBlock))
	return c.alloc.Allocate()
}

func (c *PrefixCache) evict(cb *cachedBlock) {
	c.lru.Remove(cb.elem)
	delete(c.byHash, cb.hash)
	delete(c.byID, cb.id)
	_ = c.alloc.Release(cb.id)
}

// Release drops a sequence's reference on each block, in the given order:
// pass a table's blocks last first, so that its tail is evicted before its
// head (a head is more likely shared by the next request).
func (c *PrefixCache) Release(ids []int32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for _, id := range ids {
		if err := c.alloc.Release(id); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		if cb, ok := c.byID[id]; ok && cb.elem == nil && c.alloc.RefCount(id) == 1 {
			cb.elem = c.lru.PushBack(cb)
		}
	}
	return first
}

// ReleaseTable releases every block of t, tail first, and empties it.
func (c *PrefixCache) ReleaseTable(t *BlockTable) error {
	ids := slices.Clone(t.Blocks)
	slices.Reverse(ids)
	t.Blocks = t.Blocks[:0]
	return c.Release(ids)
}

// NumAvailable is the number of blocks an Allocate could hand out: free
// ones plus evictable cached ones.
func (c *PrefixCache) NumAvailable() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.alloc.NumFree() + c.lru.Len()
}

// NumCached is the number of blocks the cache knows; NumEvictable of them
// are held by no sequence.
func (c *PrefixCache) NumCached() (cached, evictable int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byID), c.lru.Len()
}

// Counters returns the tokens looked up and found since the start.
func (c *PrefixCache) Counters() (queries, hits int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queries, c.hits
}

// Clear evicts every cached block nobody holds (blocks still in use stay
// cached).
func (c *PrefixCache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.lru.Front(); e != nil; e = c.lru.Front() {
		c.evict(e.Value.(*cachedBlock))
	}
}
