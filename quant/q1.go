package quant

// Q1_0: 128 values as signs, x = ±d with d the mean magnitude.
// Block (18 bytes): f16 d, 16 bytes of sign bits (bit j%8 of byte j/8 set
// for a non-negative value j).

const q1_0Bytes = 18

func dequantQ1_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/128; i++ {
		b := src[i*q1_0Bytes : (i+1)*q1_0Bytes]
		y := dst[i*128 : (i+1)*128]
		d := getF16(b)
		for j := range y {
			if b[2+j/8]>>(j%8)&1 != 0 {
				y[j] = d
			} else {
				y[j] = -d
			}
		}
	}
}

func quantQ1_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/128; i++ {
		x := src[i*128 : (i+1)*128]
		b := dst[i*q1_0Bytes : (i+1)*q1_0Bytes]
		var sumAbs float32
		for _, v := range x {
			sumAbs += fabsf(v)
		}
		putF16(b, sumAbs/128)
		for j := range b[2:] {
			b[2+j] = 0
		}
		for j, v := range x {
			if v >= 0 {
				b[2+j/8] |= 1 << (j % 8)
			}
		}
	}
}
