package kvcache

import (
	"errors"
	"testing"
)

func TestAllocatorRefCounts(t *testing.T) {
	a, err := NewAllocator(3, 4)
	if err != nil {
		t.Fatal(err)
	}
	var tab BlockTable
	if err := tab.Reserve(a, 9); err != nil { // 3 blocks
		t.Fatal(err)
	}
	if a.NumFree() != 0 {
		t.Fatalf("free %d, want 0", a.NumFree())
	}
	if err := tab.Reserve(a, 13); !errors.Is(err, ErrOutOfBlocks) {
		t.Fatalf("Reserve beyond the pool: %v", err)
	}
	s, err := tab.Slot(5, 4)
	if err != nil || s != tab.Blocks[1]*4+1 {
		t.Fatalf("Slot(5) = %d, %v", s, err)
	}
	if _, err := tab.Slot(12, 4); err == nil {
		t.Fatal("Slot past the table should fail")
	}
	shared := tab.Blocks[0]
	if err := a.Retain(shared); err != nil {
		t.Fatal(err)
	}
	if err := tab.Free(a); err != nil {
		t.Fatal(err)
	}
	if a.NumFree() != 2 || a.RefCount(shared) != 1 {
		t.Fatalf("after free: %d free, shared block held %d times", a.NumFree(), a.RefCount(shared))
	}
	if err := a.Release(shared); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(shared); err == nil {
		t.Fatal("double release should fail")
	}
	if a.NumFree() != 3 {
		t.Fatalf("free %d, want 3", a.NumFree())
	}
	if _, err := NewAllocator(0, 16); err == nil {
		t.Fatal("zero blocks should fail")
	}
}
