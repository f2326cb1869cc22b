package kvcache

import "fmt"

// BlockTable is one sequence's blocks, in position order: position p lives
// in row p%BlockSize of block Blocks[p/BlockSize].
type BlockTable struct {
	Blocks []int32
}

// Reserve makes sure positions 0..numTokens-1 have a block, allocating
// what is missing. On ErrOutOfBlocks the blocks already taken stay in the
// table (Free releases them).
func (t *BlockTable) Reserve(a *Allocator, numTokens int) error {
	need := (numTokens + a.blockSize - 1) / a.blockSize
	for len(t.Blocks) < need {
		id, err := a.Allocate()
		if err != nil {
			return err
		}
		t.Blocks = append(t.Blocks, id)
	}
	return nil
}

// Capacity is the number of positions the table's blocks hold.
func (t *BlockTable) Capacity(blockSize int) int { return len(t.Blocks) * blockSize }

// Slot is the pool row of position pos.
func (t *BlockTable) Slot(pos, blockSize int) (int32, error) {
	b := pos / blockSize
	if pos < 0 || b >= len(t.Blocks) {
		return -1, fmt.Errorf("kvcache: position %d outside a table of %d blocks of %d", pos, len(t.Blocks), blockSize)
	}
	return t.Blocks[b]*int32(blockSize) + int32(pos%blockSize), nil
}

// Free releases every block of the table and empties it.
func (t *BlockTable) Free(a *Allocator) error {
	var first error
	for _, id := range t.Blocks {
		if err := a.Release(id); err != nil && first == nil {
			first = err
		}
	}
	t.Blocks = t.Blocks[:0]
	return first
}
