package quant

import "encoding/binary"

// The 1-bit IQ formats: groups of 8 values are points of a grid with
// coordinates -1, 0, 1, shifted by ±1/8 and scaled per 32 (IQ1_S) or 16
// (IQ1_M) values.
//
// IQ1_S block (50 bytes): f16 d, qs[32] index low bits, then per 32 values
// a u16: four 3-bit index high parts, a 3-bit scale s and the shift's sign;
// x = d*(2s+1) * (grid ± 1/8).
// IQ1_M block (56): qs[32], qh[16] (per 8 values: 3 high index bits and
// the shift's sign, two groups a byte), scales[8] read as four u16 holding
// 3-bit scales per 16 values and, in their top nibbles, the f16 d.

const (
	iq1SBytes = 50
	iq1MBytes = 56
	iq1Delta  = 0.125
)

func putIQ1Group(y []float32, dl float32, k int, delta float32) {
	g := iq1sGrid[8*k : 8*k+8]
	for j := 0; j < 8; j++ {
		y[j] = dl * (float32(g[j]) + delta)
	}
}

func iq1Shift(negative bool) float32 {
	if negative {
		return -iq1Delta
	}
	return iq1Delta
}

func dequantIQ1_S(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq1SBytes : (i+1)*iq1SBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b)
		qs := b[2:34]
		for ib := 0; ib < 8; ib++ {
			qh := binary.LittleEndian.Uint16(b[34+2*ib:])
			dl := d * float32(2*int32(qh>>12&7)+1)
			delta := iq1Shift(qh&0x8000 != 0)
			for l := 0; l < 4; l++ {
				k := int(qs[4*ib+l]) | int(qh>>(3*l)&7)<<8
				putIQ1Group(y[32*ib+8*l:], dl, k, delta)
			}
		}
	}
}

// iq1MScale assembles IQ1_M's f16 super-block scale from the top nibbles
// of its four scale words.
func iq1MScale(sc []byte) uint16 {
	u := func(k int) uint16 { return binary.LittleEndian.Uint16(sc[2*k:]) }
	return u(0)>>12 | (u(1)>>8)&0x00f0 | (u(2)>>4)&0x0f00 | u(3)&0xf000
}

func dequantIQ1_M(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*iq1MBytes : (i+1)*iq1MBytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		qs, qh, sc := b[0:32], b[32:48], b[48:56]
		d := F16ToF32(iq1MScale(sc))
		for ib := 0; ib < 8; ib++ {
			w := binary.LittleEndian.Uint16(sc[2*(ib/2):])
			shift := 6 * (ib % 2)
			dl1 := d * float32(2*int32(w>>shift&7)+1)
			dl2 := d * float32(2*int32(w>>(shift+3)&7)+1)
			h0, h1 := int(qh[2*ib]), int(qh[2*ib+1])
			q := qs[4*ib : 4*ib+4]
			putIQ1Group(y[32*ib:], dl1, int(q[0])|h0<<8&0x700, iq1Shift(h0&0x08 != 0))
			putIQ1Group(y[32*ib+8:], dl1, int(q[1])|h0<<4&0x700, iq1Shift(h0&0x80 != 0))
			putIQ1Group(y[32*ib+16:], dl2, int(q[2])|h1<<8&0x700, iq1Shift(h1&0x08 != 0))
			putIQ1Group(y[32*ib+24:], dl2, int(q[3])|h1<<4&0x700, iq1Shift(h1&0x80 != 0))
		}
	}
}
