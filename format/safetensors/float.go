package safetensors

import "math"

// Conversions between float32 and the narrow float formats. They work on
// bits so that subnormals, signed zeros, infinities and NaN payloads come out
// exactly; widening is always exact, narrowing rounds to nearest even.

// Float16ToFloat32 widens an IEEE 754 binary16 value.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch exp {
	case 0:
		// Subnormal or zero: man × 2⁻²⁴, exact in float32.
		v := float32(man) * (1.0 / (1 << 24))
		return math.Float32frombits(sign | math.Float32bits(v))
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
}

// BFloat16ToFloat32 widens a bfloat16 value, which is the top half of a float32.
func BFloat16ToFloat32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}

// Float8E5M2ToFloat32 widens an F8_E5M2 value. E5M2 is the top byte of a
// binary16, so infinities and NaN follow IEEE rules.
func Float8E5M2ToFloat32(b uint8) float32 {
	return Float16ToFloat32(uint16(b) << 8)
}

// Float8E4M3ToFloat32 widens an F8_E4M3 ("fn") value: bias 7, no
// infinities, only S.1111.111 is NaN, largest finite value 448.
func Float8E4M3ToFloat32(b uint8) float32 {
	sign := uint32(b&0x80) << 24
	exp := uint32(b>>3) & 0xf
	man := uint32(b & 7)
	switch {
	case exp == 0xf && man == 7:
		return math.Float32frombits(sign | 0x7fc00000)
	case exp == 0:
		v := float32(man) * (1.0 / (1 << 9)) // man/8 × 2⁻⁶
		return math.Float32frombits(sign | math.Float32bits(v))
	}
	return math.Float32frombits(sign | (exp+127-7)<<23 | man<<20)
}

// Float8E8M0ToFloat32 widens an F8_E8M0 scale: 2^(b-127), with 0xff NaN.
func Float8E8M0ToFloat32(b uint8) float32 {
	switch b {
	case 0xff:
		return float32(math.NaN())
	case 0:
		return math.Float32frombits(0x00400000) // 2⁻¹²⁷ is a float32 subnormal
	}
	return math.Float32frombits(uint32(b) << 23)
}

// Float32ToFloat16 narrows to binary16, rounding to nearest even; values
// past the largest finite binary16 become infinities and NaNs stay NaN.
func Float32ToFloat16(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int32(bits>>23) & 0xff
	man := bits & 0x7fffff
	if exp == 0xff {
		if man == 0 {
			return sign | 0x7c00
		}
		// Keep the top payload bits and force the quiet bit so the
		// result cannot collapse into an infinity.
		return sign | 0x7e00 | uint16(man>>13)
	}
	e := exp - 127 + 15 // binary16 biased exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal result: the value is m × 2⁻²⁴ with m = full
		// significand >> (14-e). float32 subnormals land far below.
		if exp == 0 {
			return sign
		}
		shift := uint32(14 - e)
		if shift > 24 {
			return sign
		}
		return sign | uint16(roundShift(man|0x800000, shift))
	}
	// A carry out of the mantissa correctly bumps the exponent, up to inf.
	return sign | uint16(roundShift(uint32(e)<<23|man, 13))
}

// Float32ToBFloat16 narrows to bfloat16, rounding to nearest even.
func Float32ToBFloat16(f float32) uint16 {
	bits := math.Float32bits(f)
	if bits&0x7fffffff > 0x7f800000 {
		return uint16(bits>>16) | 0x40 // NaN: keep it NaN and quiet
	}
	return uint16(roundShift(bits, 16))
}

// roundShift is v >> s rounded to nearest, ties to even (s ≥ 1).
func roundShift(v, s uint32) uint32 {
	q := v >> s
	rem := v & (1<<s - 1)
	half := uint32(1) << (s - 1)
	if rem > half || (rem == half && q&1 == 1) {
		q++
	}
	return q
}
