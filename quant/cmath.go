package quant

import (
	"encoding/binary"
	"math"
)

// This file holds the small pieces of C float semantics that ggml's
// reference code leans on. Reproducing them exactly is what makes the Go
// encoders byte-identical with ggml's on every platform.
//
// A note on fused multiply-add: Go may fuse x*y+z into one FMA on some
// architectures. ggml's reference build rounds every product, so the
// quantizers wrap products that feed an addition in float32(...), which
// the spec says forces the rounding.

// nearestInt is ggml's nearest_int: round to nearest, ties to even, by
// adding 1.5*2^23 and reading the low mantissa bits. Valid for |f| < 2^22;
// outside that it returns the same garbage ggml does.
func nearestInt(f float32) int32 {
	v := float32(f) + 12582912 // the conversion keeps a caller's product from fusing into this add
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}

// truncInt is C's float-to-int conversion as x86's cvttss2si performs it:
// truncation toward zero, and 0x80000000 for NaN or out-of-range values
// (which C leaves undefined and Go leaves implementation-specific).
func truncInt(f float32) int32 {
	if f != f || f >= 2147483648 || f < -2147483648 {
		return math.MinInt32
	}
	return int32(f)
}

// roundf is C's roundf: half away from zero. Exact, since a float32 widens
// to float64 without loss.
func roundf(f float32) float32 { return float32(math.Round(float64(f))) }

func fabsf(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

func sqrtf(f float32) float32 { return float32(math.Sqrt(float64(f))) }

// maxf and minf are C's MAX/MIN macros: a > b ? a : b, which differ from
// math.Max on NaNs and signed zeros.
func maxf(a, b float32) float32 {
	if a > b {
		return a
	}
	return b
}

func minI(a, b int32) int32 {
	if a < b {
		return a
	}
	return b
}

func maxI(a, b int32) int32 {
	if a > b {
		return a
	}
	return b
}

func clampI(v, lo, hi int32) int32 { return maxI(lo, minI(hi, v)) }

func getF16(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

func putF16(b []byte, f float32) { binary.LittleEndian.PutUint16(b, F32ToF16(f)) }

// roundF16 is the value f takes after a round trip through a stored f16
// field, which ggml's encoders use when they re-read their own scales.
func roundF16(f float32) float32 { return F16ToF32(F32ToF16(f)) }
