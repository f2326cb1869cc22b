package quant

// Q8_0: x = d*q with int8 q; block = f16 d, 32 int8.
// Q8_1: the same plus f16 s = d*sum(q), which dot-product kernels use to
// fold in the other operand's offset; block = f16 d, f16 s, 32 int8.
// ggml has no Q8_1 decoder; ours is the obvious d*q.

const (
	q8_0Bytes = 34
	q8_1Bytes = 36
)

func dequantQ8_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*q8_0Bytes : (i+1)*q8_0Bytes]
		y := dst[i*32 : (i+1)*32]
		d := getF16(b)
		for j, q := range b[2:34] {
			y[j] = float32(int8(q)) * d
		}
	}
}

func dequantQ8_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*q8_1Bytes : (i+1)*q8_1Bytes]
		y := dst[i*32 : (i+1)*32]
		d := getF16(b)
		for j, q := range b[4:36] {
			y[j] = float32(int8(q)) * d
		}
	}
}

// q8Scale is the Q8_0/Q8_1 choice of scale: the largest magnitude maps to 127.
func q8Scale(x []float32) (d, id float32) {
	var amax float32
	for _, v := range x {
		amax = maxf(amax, fabsf(v))
	}
	d = amax / 127
	return d, inverse(d)
}

func quantQ8_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[i*32 : (i+1)*32]
		b := dst[i*q8_0Bytes : (i+1)*q8_0Bytes]
		d, id := q8Scale(x)
		putF16(b, d)
		for j, v := range x {
			b[2+j] = byte(truncInt(roundf(v * id)))
		}
	}
}

func quantQ8_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[i*32 : (i+1)*32]
		b := dst[i*q8_1Bytes : (i+1)*q8_1Bytes]
		d, id := q8Scale(x)
		putF16(b, d)
		var sum int32
		for j, v := range x {
			q := int8(truncInt(roundf(v * id)))
			b[4+j] = byte(q)
			sum += int32(q)
		}
		putF16(b[2:], float32(sum)*d)
	}
}
