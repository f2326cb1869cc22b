package cpu

import "github.com/ferrum-go/ferrum/quant"

//go:noescape
func fgTile24(p, x *uint32, steps int, dst *float32, ldd int, load bool)

//go:noescape
func fgTile16(p, x *uint32, steps int, dst *float32, ldd int, load bool)

//go:noescape
func fgTile8(p, x *uint32, steps int, dst *float32, ldd int, load bool)

// fgTile is laneGemm.tile for F32 words: the kernel of the fewest
// accumulators that covers nt tokens.
func fgTile(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int) {
	switch {
	case nt > 16:
		fgTile24(p, x, steps, dst, ldd, load)
	case nt > 8:
		fgTile16(p, x, steps, dst, ldd, load)
	default:
		fgTile8(p, x, steps, dst, ldd, load)
	}
}

func init() {
	if !hasAVX512 {
		return
	}
	for _, g := range floatGemms {
		g.tile = fgTile
	}
	// They beat fmatmul.go's 4x4 tiles from minRows on (BenchmarkLaneGemm,
	// docs/ARCHITECTURE.md). F32's (1.3x at 512 tokens) stays out: its
	// results move by ~2e-6 against the row kernels', past the 1e-6 that
	// model/qwen3moe's TestInvariance allows an F32 model between a prompt
	// alone and batched.
	gemms[quant.BF16] = floatGemms[quant.BF16].matmul
	gemms[quant.F16] = floatGemms[quant.F16].matmul
}
