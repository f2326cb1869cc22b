package quant

import "math"

// The FP4 formats: 4-bit E2M1 values with a shared power-of-two (MXFP4) or
// E4M3 (NVFP4) scale. ggml keeps the E2M1 values doubled and halves the
// scale to match.
//
// MXFP4 block (17 bytes): E8M0 exponent e, 16 bytes of nibbles laid out as
// in Q4_0. NVFP4 block (36): four UE4M3 scales (one per 16 values), 32
// bytes of nibbles, each 8-byte run holding one 16-value sub-block.

const (
	mxfp4Bytes = 17
	nvfp4Bytes = 36
)

var fp4Values = [16]float32{0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12}

// e8m0Half is 2^(e-128), ggml_e8m0_to_fp32_half.
func e8m0Half(e uint8) float32 {
	if e < 2 {
		return math.Float32frombits(0x00200000 << e)
	}
	return math.Float32frombits(uint32(e-1) << 23)
}

// ue4m3Half is ggml_ue4m3_to_fp32: half the unsigned E4M3 value (bias 7,
// the top bit ignored), with 0x7f (NaN in E4M3) read as 0.
func ue4m3Half(x uint8) float32 {
	if x == 0 || x == 0x7f {
		return 0
	}
	exp, man := int(x>>3&0xf), float32(x&7)
	var raw float32
	if exp == 0 {
		raw = float32(math.Ldexp(float64(man), -9))
	} else {
		raw = float32(math.Ldexp(float64(1+man/8), exp-7))
	}
	return raw * 0.5
}

func dequantMXFP4(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*mxfp4Bytes : (i+1)*mxfp4Bytes]
		y := dst[i*32 : (i+1)*32]
		d := e8m0Half(b[0])
		for j, q := range b[1:17] {
			y[j] = fp4Values[q&0xf] * d
			y[j+16] = fp4Values[q>>4] * d
		}
	}
}

func dequantNVFP4(src []byte, dst []float32) {
	for i := 0; i < len(dst)/64; i++ {
		b := src[i*nvfp4Bytes : (i+1)*nvfp4Bytes]
		for s := 0; s < 4; s++ {
			d := ue4m3Half(b[s])
			y := dst[64*i+16*s : 64*i+16*s+16]
			for j, q := range b[4+8*s : 4+8*s+8] {
				y[j] = fp4Values[q&0xf] * d
				y[j+8] = fp4Values[q>>4] * d
			}
		}
	}
}
