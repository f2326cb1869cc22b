package cpu

import "github.com/ferrum-go/ferrum/compute"

// Zero clears an F32 tensor (compute.Zeroer), so a reused activation reads
// like a fresh Alloc.
func (b *Backend) Zero(t compute.Tensor) { clear(f32Of(t).f32) }
