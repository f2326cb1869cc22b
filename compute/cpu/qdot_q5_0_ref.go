package cpu

import "encoding/binary"

// dotQ5_0Ref: Q5_0 blocks (22 bytes: d, 32 bits qh, 16 bytes of nibbles)
// hold q+16 in 0..31, nibble j of value j (low) and j+16 (high), the fifth
// bit of value i at bit i of qh. Paired with Q8 activations, k=16.
func dotQ5_0Ref(w []byte, a *actBuf, r, b0, b1 int) float32 {
	qs := a.qs[r*a.qsStride:]
	scl := a.f[r*a.fStride:]
	var sum float32
	for b := b0; b < b1; b++ {
		blk := w[22*b : 22*b+22]
		qh := binary.LittleEndian.Uint32(blk[2:])
		var s int32
		for j, q := range blk[6:22] {
			lo := int32(q&15) | int32(qh>>j&1)<<4
			hi := int32(q>>4) | int32(qh>>(j+16)&1)<<4
			s += (lo - 16) * int32(qs[32*b+j])
			s += (hi - 16) * int32(qs[32*b+16+j])
		}
		sum += f16At(blk) * scl[8*b] * float32(s)
	}
	return sum
}
