package quant

import "math"

// Q4_0: 32 values as 4-bit q with x = d*(q-8); block = f16 d, 16 bytes of
// nibbles (low nibbles are values 0..15, high nibbles 16..31).
// Q4_1: x = d*q + m; block = f16 d, f16 m, 16 bytes of nibbles.

const (
	q4_0Bytes = 18
	q4_1Bytes = 20
)

func dequantQ4_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*q4_0Bytes : (i+1)*q4_0Bytes]
		y := dst[i*32 : (i+1)*32]
		d := getF16(b)
		qs := b[2:18]
		for j := 0; j < 16; j++ {
			y[j] = float32(int32(qs[j]&0xf)-8) * d
			y[j+16] = float32(int32(qs[j]>>4)-8) * d
		}
	}
}

func dequantQ4_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*q4_1Bytes : (i+1)*q4_1Bytes]
		y := dst[i*32 : (i+1)*32]
		d, m := getF16(b), getF16(b[2:])
		qs := b[4:20]
		for j := 0; j < 16; j++ {
			y[j] = float32(float32(qs[j]&0xf)*d) + m
			y[j+16] = float32(float32(qs[j]>>4)*d) + m
		}
	}
}

// absMax returns the value of largest magnitude (the first one on ties) and
// that magnitude, as ggml's symmetric encoders pick their scale.
func absMax(x []float32) (max, amax float32) {
	for _, v := range x {
		if a := fabsf(v); amax < a {
			amax, max = a, v
		}
	}
	return max, amax
}

// minMax is ggml's min/max scan for the offset formats.
func minMax(x []float32) (min, max float32) {
	min, max = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < min {
			min = v
		}
		if v > max {
			max = v
		}
	}
	return min, max
}

func inverse(d float32) float32 {
	if d != 0 {
		return 1 / d
	}
	return 0
}

func quantQ4_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[i*32 : (i+1)*32]
		b := dst[i*q4_0Bytes : (i+1)*q4_0Bytes]
		max, _ := absMax(x)
		d := max / -8
		id := inverse(d)
		putF16(b, d)
		for j := 0; j < 16; j++ {
			x0, x1 := float32(x[j]*id), float32(x[j+16]*id)
			q0 := uint8(minI(15, int32(int8(truncInt(x0+8.5)))))
			q1 := uint8(minI(15, int32(int8(truncInt(x1+8.5)))))
			b[2+j] = q0 | q1<<4
		}
	}
}

func quantQ4_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[i*32 : (i+1)*32]
		b := dst[i*q4_1Bytes : (i+1)*q4_1Bytes]
		min, max := minMax(x)
		d := (max - min) / 15
		id := inverse(d)
		putF16(b, d)
		putF16(b[2:], min)
		for j := 0; j < 16; j++ {
			x0, x1 := float32((x[j]-min)*id), float32((x[j+16]-min)*id)
			q0 := uint8(minI(15, int32(int8(truncInt(x0+0.5)))))
			q1 := uint8(minI(15, int32(int8(truncInt(x1+0.5)))))
			b[4+j] = q0 | q1<<4
		}
	}
}
