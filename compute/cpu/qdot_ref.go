package cpu

import (
	"encoding/binary"

	"github.com/ferrum-go/ferrum/quant"
)

// Plain-Go integer dot products of one weight row with one quantized
// activation row (see act.go), over weight blocks [b0, b1). They are what
// CPUs without AVX512-VNNI run, the tail of the assembly kernels, and the
// reference the assembly is tested against; they compute the same integer
// sums, so the two agree up to float rounding of the scales.

func f16At(b []byte) float32 { return quant.F16ToF32(binary.LittleEndian.Uint16(b)) }

func dotQ8_0Ref(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	scl := a.f[r*a.fStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[34*b : 34*b+34]
		var s int32
		for j, q := range blk[2:34] {
			s += int32(int8(q)) * int32(qs[32*b+j])
		}
		sum += f16At(blk) * scl[8*b] * float32(s)
	}
	return sum
}

func dotQ4_0Ref(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	scl := a.f[r*a.fStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[18*b : 18*b+18]
		var s int32
		for j, q := range blk[2:18] {
			s += (int32(q&15) - 8) * int32(qs[32*b+j])
			s += (int32(q>>4) - 8) * int32(qs[32*b+16+j])
		}
		sum += f16At(blk) * scl[8*b] * float32(s)
	}
	return sum
}

// kScales unpacks Q4_K/Q5_K's 12 bytes of 6-bit scales and mins.
func kScales(sb []byte) (sc, m [8]int32) {
	for j := 0; j < 8; j++ {
		if j < 4 {
			sc[j], m[j] = int32(sb[j]&63), int32(sb[j+4]&63)
		} else {
			sc[j] = int32(sb[j+4]&0xf | (sb[j-4]>>6)<<4)
			m[j] = int32(sb[j+4]>>4 | (sb[j]>>6)<<4)
		}
	}
	return
}

func dotQ4_KRef(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	ds := a.f[r*a.fStride:]
	bs := a.i[r*a.iStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[144*b : 144*b+144]
		sc, m := kScales(blk[4:16])
		var si, sm int32
		for g := 0; g < 4; g++ {
			q := blk[16+32*g : 48+32*g]
			a0 := qs[256*b+64*g:]
			var lo, hi int32
			for l := 0; l < 32; l++ {
				lo += int32(q[l]&15) * int32(a0[l])
				hi += int32(q[l]>>4) * int32(a0[32+l])
			}
			si += sc[2*g]*lo + sc[2*g+1]*hi
		}
		for j := 0; j < 8; j++ {
			sm += m[j] * bs[32*b+16+8+j]
		}
		sum += ds[b] * (f16At(blk)*float32(si) - f16At(blk[2:])*float32(sm))
	}
	return sum
}

func dotQ6_KRef(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	ds := a.f[r*a.fStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[210*b : 210*b+210]
		var si int32
		for h := 0; h < 2; h++ {
			ql := blk[64*h : 64*h+64]
			qh := blk[128+32*h : 160+32*h]
			sc := blk[192+8*h : 200+8*h]
			x := qs[256*b+128*h:]
			for l := 0; l < 32; l++ {
				is := l / 16
				q1 := int32(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
				q2 := int32(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
				q3 := int32(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
				q4 := int32(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
				si += int32(int8(sc[is])) * q1 * int32(x[l])
				si += int32(int8(sc[is+2])) * q2 * int32(x[l+32])
				si += int32(int8(sc[is+4])) * q3 * int32(x[l+64])
				si += int32(int8(sc[is+6])) * q4 * int32(x[l+96])
			}
		}
		sum += ds[b] * f16At(blk[208:]) * float32(si)
	}
	return sum
}
