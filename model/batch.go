package model

import (
	"fmt"

	"github.com/ferrum-go/ferrum/kvcache"
)

// Batch is one forward step over a flattened, variable-length batch
// (invariant 1): the new tokens of any number of sequences back to back,
// each sequence's rows contiguous. A prefill, a decode step, a chunk of a
// long prompt and any mix of them are all just rows.
type Batch struct {
	Tokens    []int32 // one per row
	Positions []int32 // each row's position in its sequence
	Seqs      []Seq
	// LogitRows lists the rows whose logits are wanted, usually each
	// sequence's last row. Logits come back in this order.
	LogitRows []int
	// Cache is the engine's KV cache; rows' keys and values are written to
	// it and every sequence's earlier positions are read from it.
	Cache *kvcache.Cache
}

// Seq is one sequence's slice of a batch.
type Seq struct {
	FirstRow, NumRows int
	// Blocks is the sequence's block table; it must already cover every
	// position of the sequence's rows. Earlier positions (0 up to the
	// first row's position) must have been written by earlier steps.
	Blocks []int32
}

// Logits holds the rows of logits a Batch asked for.
type Logits struct {
	Vocab int
	Data  []float32 // len(LogitRows) x Vocab
}

// Row returns the i-th requested row.
func (l *Logits) Row(i int) []float32 { return l.Data[i*l.Vocab : (i+1)*l.Vocab] }

// Validate checks a batch against the model's vocabulary and the cache, so
// bad input is an error and not a crash in a kernel.
func (b *Batch) Validate(vocab int) error {
	n := len(b.Tokens)
	if len(b.Positions) != n {
		return fmt.Errorf("batch: %d tokens but %d positions", n, len(b.Positions))
	}
	if b.Cache == nil {
		return fmt.Errorf("batch: no KV cache")
	}
	for i, t := range b.Tokens {
		if t < 0 || int(t) >= vocab {
			return fmt.Errorf("batch: token %d at row %d is outside the vocabulary of %d", t, i, vocab)
		}
	}
	bs := b.Cache.BlockSize()
	nb := int32(b.Cache.Alloc.NumBlocks())
	next := 0
	for si, s := range b.Seqs {
		if s.FirstRow != next || s.NumRows <= 0 {
			return fmt.Errorf("batch: sequence %d covers rows %d..%d; sequences must cover the rows in order without gaps", si, s.FirstRow, s.FirstRow+s.NumRows-1)
		}
		next += s.NumRows
		if next > n {
			return fmt.Errorf("batch: sequence %d ends at row %d of %d", si, next-1, n)
		}
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			p := int(b.Positions[r])
			if p < 0 || p/bs >= len(s.Blocks) {
				return fmt.Errorf("batch: sequence %d row %d position %d is outside its %d blocks of %d", si, r, p, len(s.Blocks), bs)
			}
		}
		for _, id := range s.Blocks {
			if id < 0 || id >= nb {
				return fmt.Errorf("batch: sequence %d uses block %d of a cache of %d", si, id, nb)
			}
		}
	}
	if next != n {
		return fmt.Errorf("batch: sequences cover %d of %d rows", next, n)
	}
	for _, r := range b.LogitRows {
		if r < 0 || r >= n {
			return fmt.Errorf("batch: logits asked for row %d of %d", r, n)
		}
	}
	return nil
}

// Slots returns each row's KV cache row (block*BlockSize + offset).
func (b *Batch) Slots() []int32 { return b.SlotsInto(nil) }

// SlotsInto is Slots writing into dst's storage when it is large enough,
// so a decode loop can reuse one buffer.
func (b *Batch) SlotsInto(dst []int32) []int32 {
	bs := b.Cache.BlockSize()
	slots := grow(dst, len(b.Tokens))
	clear(slots)
	for _, s := range b.Seqs {
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			p := int(b.Positions[r])
			slots[r] = s.Blocks[p/bs]*int32(bs) + int32(p%bs)
		}
	}
	return slots
}

// grow returns s resized to n elements, reusing its storage when it can.
// Old values may remain; callers clear or overwrite.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
