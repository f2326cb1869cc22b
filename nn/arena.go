package nn

import (
	"github.com/ferrum-go/ferrum/compute"
)

// Arena is a Backend whose Alloc and Reshape hand back the tensors of the
// previous pass instead of new ones, so a forward pass that repeats the
// same sequence of shapes (every decode step of a batch size) allocates
// nothing. The i-th Alloc of a pass reuses the i-th of the last pass when
// the shape matches and gets a fresh tensor (kept for next time) when not,
// so a bigger batch grows the arena and a later one of that size reuses it.
//
// An Arena belongs to one forward pass at a time (keep them in a sync.Pool
// or per caller): its tensors are overwritten by the next pass after Reset,
// so none may outlive the pass. Without a compute.Zeroer backend it simply
// allocates, since Alloc promises zeroed memory.
type Arena struct {
	compute.Backend
	zero  compute.Zeroer
	slots []arenaSlot
	next  int
}

// arenaSlot remembers one Alloc (src nil) or Reshape of src.
type arenaSlot struct {
	src        compute.Tensor
	rows, cols int
	t          compute.Tensor
}

// NewArena wraps be.
func NewArena(be compute.Backend) *Arena {
	z, _ := be.(compute.Zeroer)
	return &Arena{Backend: be, zero: z}
}

// Reset starts a new pass: the tensors handed out so far are reused from
// here on.
func (a *Arena) Reset() { a.next = 0 }

// slot returns the next slot if it was made for the same request.
func (a *Arena) slot(src compute.Tensor, rows, cols int) (*arenaSlot, bool) {
	if a.next == len(a.slots) {
		a.slots = append(a.slots, arenaSlot{})
	}
	s := &a.slots[a.next]
	a.next++
	hit := s.t != nil && s.src == src && s.rows == rows && s.cols == cols
	s.src, s.rows, s.cols = src, rows, cols
	return s, hit
}

func (a *Arena) Alloc(rows, cols int) compute.Tensor {
	if a.zero == nil {
		return a.Backend.Alloc(rows, cols)
	}
	s, hit := a.slot(nil, rows, cols)
	if hit {
		a.zero.Zero(s.t)
	} else {
		s.t = a.Backend.Alloc(rows, cols)
	}
	return s.t
}

// Reshape reuses the view made last pass of the same tensor, which an
// Alloc of this arena keeps the same from pass to pass.
func (a *Arena) Reshape(t compute.Tensor, rows, cols int) compute.Tensor {
	if a.zero == nil {
		return a.Backend.Reshape(t, rows, cols)
	}
	s, hit := a.slot(t, rows, cols)
	if !hit {
		s.t = a.Backend.Reshape(t, rows, cols)
	}
	return s.t
}

// AddScaledRows passes compute.MoEBackend through, which mixture-of-experts
// layers find by a type assertion on the backend they are given (the model
// checks at load that the wrapped backend has it).
func (a *Arena) AddScaledRows(dst, src compute.Tensor, rows []int32, scales []float32) {
	a.Backend.(compute.MoEBackend).AddScaledRows(dst, src, rows, scales)
}
