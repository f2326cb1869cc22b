package cpu

import "encoding/binary"

// Q4_1 and Q5_1 store q in 0..15 (0..31) with a scale d and an offset m:
// x = d*q + m. Their dot product with a Q8 activation block is
// d*da*sum(q*qa) + m*da*sum(qa), so they pair with Q8 blocks quantized
// with k = -1, whose cor lane 0 is then +sum(qa) (the role of ggml's Q8_1
// block sum): the kernels start the integer accumulator at 0 and add
// cor*m*da as a second float term.

func dotQ4_1Ref(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	scl := a.f[r*a.fStride:]
	cor := a.i[r*a.iStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[20*b : 20*b+20]
		var s int32
		for j, q := range blk[4:20] {
			s += int32(q&15) * int32(qs[32*b+j])
			s += int32(q>>4) * int32(qs[32*b+16+j])
		}
		sum += f16At(blk)*scl[8*b]*float32(s) + f16At(blk[2:])*scl[8*b]*float32(cor[8*b])
	}
	return sum
}

func dotQ5_1Ref(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	scl := a.f[r*a.fStride:]
	cor := a.i[r*a.iStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[24*b : 24*b+24]
		qh := binary.LittleEndian.Uint32(blk[4:])
		var s int32
		for j, q := range blk[8:24] {
			lo := int32(q&15) | int32(qh>>j&1)<<4
			hi := int32(q>>4) | int32(qh>>(j+16)&1)<<4
			s += lo * int32(qs[32*b+j])
			s += hi * int32(qs[32*b+16+j])
		}
		sum += f16At(blk)*scl[8*b]*float32(s) + f16At(blk[2:])*scl[8*b]*float32(cor[8*b])
	}
	return sum
}
