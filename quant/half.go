package quant

import "math"

// f16ToF32Table holds every binary16 value widened to float32. It is filled
// once at start-up and only read afterwards; a 256 KiB table beats
// re-deriving the exponent for each of the billions of scales a model holds.
var f16ToF32Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for h := range t {
		t[h] = math.Float32frombits(f16BitsToF32Bits(uint16(h)))
	}
	return &t
}()

// F16ToF32 widens an IEEE binary16 value (as raw bits) to float32. The
// conversion is exact; NaNs keep their payload and come back quiet, as ggml's
// conversion (and the x86 hardware) leaves them.
func F16ToF32(h uint16) float32 { return f16ToF32Table[h] }

func f16BitsToF32Bits(h uint16) uint32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f && mant == 0:
		return sign | 0x7f800000
	case exp == 0x1f:
		return sign | 0x7fc00000 | mant<<13
	case exp == 0 && mant == 0:
		return sign
	case exp == 0:
		// Subnormal: shift the leading one into the implicit-bit position.
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return sign | e<<23 | (mant&0x3ff)<<13
	default:
		return sign | (exp+127-15)<<23 | mant<<13
	}
}

// F32ToF16 narrows f to IEEE binary16 bits, rounding to nearest even,
// producing subnormals and infinities where the value calls for them. Every
// NaN becomes the quiet NaN 0x7e00 with f's sign, exactly as ggml's
// GGML_FP32_TO_FP16 does. (x86's F16C instruction, which ggml's CPU backend
// may use instead, agrees on every non-NaN and keeps NaN payloads.)
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e >= 1 {
		h := uint32(e)<<10 | mant>>13
		rem := mant & 0x1fff
		if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
			h++ // a carry out of the mantissa bumps the exponent, up to infinity
		}
		return sign | uint16(h)
	}
	// The result is subnormal (or zero): count in units of 2^-24.
	if exp == 0 {
		return sign // float32 subnormals are far below half the smallest f16
	}
	shift := uint(126 - exp)
	if shift > 24 {
		return sign
	}
	m := mant | 0x800000
	h := m >> shift
	rem := m & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rem > half || (rem == half && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

// BF16ToF32 widens bfloat16 bits to float32; bfloat16 is the top half of a
// float32, so this is exact.
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 narrows f to bfloat16 bits the way ggml's
// ggml_compute_fp32_to_bf16 does: round to nearest even on the raw bits
// (so large finite values may round to infinity) and NaNs truncated with the
// quiet bit forced on.
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 0x40
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}
