package quant

import "encoding/binary"

// IQ4_NL and IQ4_XS: 4-bit indices into a fixed non-linear codebook.
// IQ4_NL block: f16 d, 16 bytes of nibbles (as Q4_0), x = d*kvalues[q].
// IQ4_XS block: f16 d, u16 scales_h, scales_l[4], qs[128]; 8 sub-blocks of
// 32 each with a 6-bit scale ls (low nibble in scales_l, two high bits in
// scales_h), x = d*(ls-32)*kvalues[q].

const (
	iq4NLBytes = 18
	iq4XSBytes = 136
)

// iq4Values is ggml's kvalues_iq4nl codebook.
var iq4Values = [16]float32{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

func dequantIQ4_NL(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[i*iq4NLBytes : (i+1)*iq4NLBytes]
		y := dst[i*32 : (i+1)*32]
		d := getF16(b)
		for j, q := range b[2:18] {
			y[j] = d * iq4Values[q&0xf]
			y[j+16] = d * iq4Values[q>>4]
		}
	}
}

func dequantIQ4_XS(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq4XSBytes : (i+1)*iq4XSBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b)
		scalesH := binary.LittleEndian.Uint16(b[2:])
		scalesL := b[4:8]
		for ib := 0; ib < 8; ib++ {
			ls := int32(scalesL[ib/2]>>(4*(ib%2))&0xf) | int32(scalesH>>(2*ib)&3)<<4
			dl := d * float32(ls-32)
			qs := b[8+16*ib : 8+16*ib+16]
			out := y[32*ib : 32*ib+32]
			for j, q := range qs {
				out[j] = dl * iq4Values[q&0xf]
				out[j+16] = dl * iq4Values[q>>4]
			}
		}
	}
}
