package quant

import "encoding/binary"

// The 3-bit IQ formats: groups of 4 values are points of a fixed grid.
//
// IQ3_XXS block (98 bytes): f16 d, 64 grid indices, then per 32 values a
// u32 with four 7-bit sign codes and a 4-bit scale s: x = d*(0.5+s)/2 * grid.
// IQ3_S block (110): f16 d, qs[64] index low bits, qh[8] index high bits,
// signs[32] (one byte per 8 values), scales[4] (4 bits per 32 values):
// x = d*(1+2s) * grid.

const (
	iq3XXSBytes = 98
	iq3SBytes   = 110
)

// putGrid4x2 writes 8 values from two 4-value grid points sharing one sign byte.
func putGrid4x2(y []float32, db float32, g1, g2 []int8, signs uint8) {
	for j := 0; j < 4; j++ {
		y[j] = signed(db*float32(g1[j]), signs, j)
		y[j+4] = signed(db*float32(g2[j]), signs, j+4)
	}
}

func dequantIQ3_XXS(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq3XXSBytes : (i+1)*iq3XXSBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b)
		qs := b[2:66]
		for ib := 0; ib < 8; ib++ {
			aux := binary.LittleEndian.Uint32(b[66+4*ib:])
			db := d * (0.5 + float32(aux>>28)) * 0.5
			for l := 0; l < 4; l++ {
				k1, k2 := int(qs[8*ib+2*l]), int(qs[8*ib+2*l+1])
				putGrid4x2(y[32*ib+8*l:], db, iq3xxsGrid[4*k1:4*k1+4], iq3xxsGrid[4*k2:4*k2+4], iq2Signs[(aux>>(7*l))&127])
			}
		}
	}
}

func dequantIQ3_S(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq3SBytes : (i+1)*iq3SBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b)
		qs, qh, signs, scales := b[2:66], b[66:74], b[74:106], b[106:110]
		for ib := 0; ib < 8; ib++ {
			s := scales[ib/2] >> (4 * (ib % 2)) & 0xf
			db := d * float32(1+2*int32(s))
			h := int(qh[ib])
			for l := 0; l < 4; l++ {
				k1 := int(qs[8*ib+2*l]) | h<<(8-2*l)&256
				k2 := int(qs[8*ib+2*l+1]) | h<<(7-2*l)&256
				putGrid4x2(y[32*ib+8*l:], db, iq3sGrid[4*k1:4*k1+4], iq3sGrid[4*k2:4*k2+4], signs[4*ib+l])
			}
		}
	}
}
