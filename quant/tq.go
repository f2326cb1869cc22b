package quant

// The ternary formats (BitNet b1.58, TriLM): values d*{-1,0,1}.
//
// TQ1_0 block (54 bytes): qs[48] and qh[4] pack 5 and 4 trits a byte as a
// base-3 fraction (trit n of byte q is the top digit of q*3^n, read as
// (q*3^n mod 256)*3 >> 8), then f16 d. Order: qs[0:32] trits 0..4, then
// qs[32:48] trits 0..4, then qh trits 0..3.
// TQ2_0 block (66): qs[64] with four 2-bit values q a byte (x = d*(q-1)),
// then f16 d.

const (
	tq1Bytes = 54
	tq2Bytes = 66
)

var pow3 = [5]uint8{1, 3, 9, 27, 81}

func trit(q uint8, n int) float32 {
	v := q * pow3[n] // wraps mod 256 on purpose
	return float32(int16(uint16(v)*3>>8) - 1)
}

func dequantTQ1_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*tq1Bytes : (i+1)*tq1Bytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b[52:])
		k := 0
		for _, part := range [][]byte{b[0:32], b[32:48]} {
			for n := 0; n < 5; n++ {
				for _, q := range part {
					y[k] = trit(q, n) * d
					k++
				}
			}
		}
		for n := 0; n < 4; n++ {
			for _, q := range b[48:52] {
				y[k] = trit(q, n) * d
				k++
			}
		}
	}
}

func dequantTQ2_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[i*tq2Bytes : (i+1)*tq2Bytes]
		y := dst[i*QK_K : (i+1)*QK_K]
		d := getF16(b[64:])
		k := 0
		for j := 0; j < 64; j += 32 {
			for l := 0; l < 4; l++ {
				for _, q := range b[j : j+32] {
					y[k] = float32(int32(q>>(2*l)&3)-1) * d
					k++
				}
			}
		}
	}
}
