package quant

import "encoding/binary"

// Q5_0: x = d*(q-16) with 5-bit q; block = f16 d, 32 high bits (bit j is
// value j's fifth bit), 16 bytes of low nibbles laid out as in Q4_0.
// Q5_1: x = d*q + m; block = f16 d, f16 m, 32 high bits, 16 nibble bytes.

const (
	q5_0Bytes = 22
	q5_1Bytes = 24
)

func dequantQ5_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*q5_0Bytes : (i+1)*q5_0Bytes]
		y := dst[i*32 : (i+1)*32]
		d := getF16(b)
		qh := binary.LittleEndian.Uint32(b[2:])
		qs := b[6:22]
		for j := 0; j < 16; j++ {
			h0 := byte(qh>>j<<4) & 0x10
			h1 := byte(qh>>(j+12)) & 0x10
			y[j] = float32(int32(qs[j]&0xf|h0)-16) * d
			y[j+16] = float32(int32(qs[j]>>4|h1)-16) * d
		}
	}
}

func dequantQ5_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*q5_1Bytes : (i+1)*q5_1Bytes]
		y := dst[i*32 : (i+1)*32]
		d, m := getF16(b), getF16(b[2:])
		qh := binary.LittleEndian.Uint32(b[4:])
		qs := b[8:24]
		for j := 0; j < 16; j++ {
			h0 := byte(qh>>j<<4) & 0x10
			h1 := byte(qh>>(j+12)) & 0x10
			y[j] = float32(float32(qs[j]&0xf|h0)*d) + m
			y[j+16] = float32(float32(qs[j]>>4|h1)*d) + m
		}
	}
}

func quantQ5_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[i*32 : (i+1)*32]
		b := dst[i*q5_0Bytes : (i+1)*q5_0Bytes]
		max, _ := absMax(x)
		d := max / -16
		id := inverse(d)
		putF16(b, d)
		var qh uint32
		for j := 0; j < 16; j++ {
			x0, x1 := float32(x[j]*id), float32(x[j+16]*id)
			q0 := uint8(minI(31, int32(int8(truncInt(x0+16.5)))))
			q1 := uint8(minI(31, int32(int8(truncInt(x1+16.5)))))
			b[6+j] = q0&0xf | (q1&0xf)<<4
			qh |= uint32(q0&0x10) >> 4 << j
			qh |= uint32(q1&0x10) >> 4 << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[2:], qh)
	}
}

func quantQ5_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/32; i++ {
		x := src[i*32 : (i+1)*32]
		b := dst[i*q5_1Bytes : (i+1)*q5_1Bytes]
		min, max := minMax(x)
		d := (max - min) / 31
		id := inverse(d)
		putF16(b, d)
		putF16(b[2:], min)
		var qh uint32
		for j := 0; j < 16; j++ {
			x0, x1 := float32((x[j]-min)*id), float32((x[j+16]-min)*id)
			q0 := uint8(truncInt(x0 + 0.5))
			q1 := uint8(truncInt(x1 + 0.5))
			b[8+j] = q0&0xf | (q1&0xf)<<4
			qh |= uint32(q0&0x10) >> 4 << j
			qh |= uint32(q1&0x10) >> 4 << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[4:], qh)
	}
}
