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
	// Registered where they beat fmatmul.go's 4x4 tiles (BenchmarkLaneGemm,
	// docs/ARCHITECTURE.md): F16 and BF16, which those widen per load, but
	// not F32, where the two tie.
	gemms[quant.BF16] = floatGemms[quant.BF16].matmul
	gemms[quant.F16] = floatGemms[quant.F16].matmul
}
