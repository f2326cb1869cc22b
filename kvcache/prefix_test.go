package kvcache

import (
	"slices"
	"testing"
)

func seqTokens(n int, salt int32) []int32 {
	t := make([]int32, n)
	for i := range t {
		t[i] = int32(i)*7 + salt
	}
	return t
}

// fill allocates blocks for tokens and registers its full blocks, as the
// engine does once they are computed.
func fill(t *testing.T, c *PrefixCache, tokens []int32) *BlockTable {
	t.Helper()
	bs := c.Allocator().BlockSize()
	tab := &BlockTable{Blocks: c.Lookup(tokens, len(tokens)/bs)}
	for len(tab.Blocks)*bs < len(tokens) {
		id, err := c.Allocate()
		if err != nil {
			t.Fatal(err)
		}
		tab.Blocks = append(tab.Blocks, id)
	}
	parent := uint64(0)
	for i := 0; (i+1)*bs <= len(tokens); i++ {
		parent = c.Insert(tab.Blocks[i], parent, tokens[i*bs:(i+1)*bs])
	}
	return tab
}

func TestPrefixCache(t *testing.T) {
	a, _ := NewAllocator(6, 4)
	c := NewPrefixCache(a, true)
	p := seqTokens(10, 1) // 2 full blocks + 2 tokens
	t1 := fill(t, c, p)
	if len(t1.Blocks) != 3 {
		t.Fatalf("table %v", t1.Blocks)
	}
	// A second sequence with the same first 9 tokens shares two blocks.
	p2 := append(slices.Clone(p[:9]), 99)
	hit := c.Lookup(p2, 2)
	if !slices.Equal(hit, t1.Blocks[:2]) {
		t.Fatalf("lookup %v, want %v", hit, t1.Blocks[:2])
	}
	if a.RefCount(hit[0]) != 3 { // seq 1, seq 2, cache
		t.Fatalf("refcount %d", a.RefCount(hit[0]))
	}
	if q, h := c.Counters(); q != 16 || h != 8 { // the first fill missed 8
		t.Fatalf("counters %d/%d", q, h)
	}
	if err := c.Release(hit); err != nil {
		t.Fatal(err)
	}
	// A different first block misses everything after it.
	if hit := c.Lookup(seqTokens(10, 2), 2); len(hit) != 0 {
		t.Fatalf("unexpected hit %v", hit)
	}
	if err := c.ReleaseTable(t1); err != nil {
		t.Fatal(err)
	}
	if cached, ev := c.NumCached(); cached != 2 || ev != 2 {
		t.Fatalf("cached %d evictable %d", cached, ev)
	}
	if c.NumAvailable() != 6 {
		t.Fatalf("available %d", c.NumAvailable())
	}
	// Filling the pool evicts the cached blocks, the tail block first.
	var held []int32
	for i := 0; i < 5; i++ {
		id, err := c.Allocate()
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, id)
	}
	if hit := c.Lookup(p, 2); len(hit) != 1 {
		t.Fatalf("after evicting one block: hit %v, want the head block only", hit)
	} else {
		held = append(held, hit...)
	}
	if _, err := c.Allocate(); err == nil {
		t.Fatal("allocation beyond the pool succeeded")
	}
	if err := c.Release(held); err != nil {
		t.Fatal(err)
	}
	c.Clear()
	if a.NumFree() != 6 {
		t.Fatalf("free %d after clear", a.NumFree())
	}
}

func TestPrefixCacheDisabled(t *testing.T) {
	a, _ := NewAllocator(4, 4)
	c := NewPrefixCache(a, false)
	tab := fill(t, c, seqTokens(8, 1))
	if hit := c.Lookup(seqTokens(8, 1), 2); len(hit) != 0 {
		t.Fatalf("disabled cache hit %v", hit)
	}
	if err := c.ReleaseTable(tab); err != nil {
		t.Fatal(err)
	}
	if a.NumFree() != 4 {
		t.Fatalf("free %d", a.NumFree())
	}
}
