package cpu

import "github.com/ferrum-go/ferrum/quant"

// F32 -> F16 with VCVTPS2PH (round to nearest even, the only mode used),
// for K/V rows written into F16 pools. The hardware agrees with
// quant.F32ToF16 on every finite value and infinity (overflow to
// infinity, F16 subnormals - the instruction ignores MXCSR.FTZ - and F32
// subnormals to signed zero, which MXCSR.DAZ would give too; the rounding
// mode comes from the immediate, not MXCSR); it would keep a NaN's payload
// where F32ToF16
// returns the canonical quiet NaN, so the kernels first replace NaN lanes
// by sign|0x7fc00000, which converts to sign|0x7e00.

// f32ToF16 converts n values (a multiple of 16 for AVX-512, 8 for AVX2).
//
//go:noescape
func f32ToF16AVX512(dst *uint16, src *float32, n int)

//go:noescape
func f32ToF16AVX2(dst *uint16, src *float32, n int)

func init() {
	switch {
	case hasAVX512:
		f32ToF16Row = f32ToF16With(f32ToF16AVX512, 16)
	case hasAVX2:
		f32ToF16Row = f32ToF16With(f32ToF16AVX2, 8)
	}
}

func f32ToF16With(k func(dst *uint16, src *float32, n int), lanes int) func([]uint16, []float32) {
	return func(dst []uint16, src []float32) {
		dst = dst[:len(src)]
		n := len(src) &^ (lanes - 1)
		if n > 0 {
			k(&dst[0], &src[0], n)
		}
		for i := n; i < len(src); i++ {
			dst[i] = quant.F32ToF16(src[i])
		}
	}
}
