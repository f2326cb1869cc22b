package quant

import "encoding/binary"

// The 2-bit IQ formats: each group of 8 values is a point of a fixed grid
// (values 8, 25 or 43) with 8 sign bits, scaled per 32 or 16 values.
//
// IQ2_XXS block (66 bytes): f16 d, then per 32 values 8 bytes: four grid
// indices, and a u32 holding four 7-bit sign codes and a 4-bit scale s,
// x = d*(0.5+s)/4 * grid.
// IQ2_XS block (74): f16 d, 32 u16 (9-bit grid index, 7-bit sign code),
// scales[8] (a 4-bit scale per 16 values).
// IQ2_S block (82): f16 d, qs[32] grid index low bits, signs[32] (one byte
// per 8 values), qh[8] (two high index bits per group), scales[8].

const (
	iq2XXSBytes = 66
	iq2XSBytes  = 74
	iq2SBytes   = 82
)

// iq2Scale is ggml's d * (0.5 + s) * 0.25, rounded step by step.
func iq2Scale(d float32, s uint32) float32 { return d * (0.5 + float32(s)) * 0.25 }

// putGrid8 writes one signed, scaled group of 8 grid values.
func putGrid8(y []float32, db float32, grid []int8, signs uint8) {
	for j := 0; j < 8; j++ {
		y[j] = signed(db*float32(grid[j]), signs, j)
	}
}

func dequantIQ2_XXS(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq2XXSBytes : (i+1)*iq2XXSBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b)
		for ib := 0; ib < 8; ib++ {
			g := b[2+8*ib : 2+8*ib+8]
			aux := binary.LittleEndian.Uint32(g[4:])
			db := iq2Scale(d, aux>>28)
			for l := 0; l < 4; l++ {
				k := int(g[l])
				putGrid8(y[32*ib+8*l:], db, iq2xxsGrid[8*k:8*k+8], iq2Signs[(aux>>(7*l))&127])
			}
		}
	}
}

func dequantIQ2_XS(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq2XSBytes : (i+1)*iq2XSBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b)
		scales := b[66:74]
		for ib := 0; ib < 8; ib++ {
			db := [2]float32{iq2Scale(d, uint32(scales[ib]&0xf)), iq2Scale(d, uint32(scales[ib]>>4))}
			for l := 0; l < 4; l++ {
				q := binary.LittleEndian.Uint16(b[2+2*(4*ib+l):])
				k := int(q & 511)
				putGrid8(y[32*ib+8*l:], db[l/2], iq2xsGrid[8*k:8*k+8], iq2Signs[q>>9])
			}
		}
	}
}

func dequantIQ2_S(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq2SBytes : (i+1)*iq2SBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b)
		qs, signs, qh, scales := b[2:34], b[34:66], b[66:74], b[74:82]
		for ib := 0; ib < 8; ib++ {
			db := [2]float32{iq2Scale(d, uint32(scales[ib]&0xf)), iq2Scale(d, uint32(scales[ib]>>4))}
			for l := 0; l < 4; l++ {
				k := int(qs[4*ib+l]) | int(qh[ib])<<(8-2*l)&0x300
				putGrid8(y[32*ib+8*l:], db[l/2], iq2sGrid[8*k:8*k+8], signs[4*ib+l])
			}
		}
	}
}
