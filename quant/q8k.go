package quant

import (
	"encoding/binary"
	"math"
)

// Q8_K: the activation format the k-quant dot products pair with.
// x = d*q with a float32 d and int8 q over 256 values; bsums[16] (int16)
// are the sums of each 16 quants. Block: f32 d, qs[256], bsums[16].

const q8KBytes = 292

func dequantQ8_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*q8KBytes : (i+1)*q8KBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := math.Float32frombits(binary.LittleEndian.Uint32(b))
		for j, q := range b[4 : 4+QK_K] {
			y[j] = d * float32(int8(q))
		}
	}
}

func quantQ8_K(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[i*QK_K : (i+1)*QK_K]
		b := dst[i*q8KBytes : (i+1)*q8KBytes]
		max, amax := absMax(x)
		if amax == 0 {
			// ggml leaves bsums untouched here; zero is the only stable choice.
			for j := range b {
				b[j] = 0
			}
			continue
		}
		// -127 rather than -128 keeps q symmetric, as ggml's IQ2 kernels need.
		iscale := -127 / max
		qs := b[4 : 4+QK_K]
		for j, v := range x {
			qs[j] = byte(int8(minI(127, nearestInt(iscale*v))))
		}
		for j := 0; j < 16; j++ {
			var sum int32
			for _, q := range qs[16*j : 16*j+16] {
				sum += int32(int8(q))
			}
			binary.LittleEndian.PutUint16(b[4+QK_K+2*j:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(b, math.Float32bits(1/iscale))
	}
}
