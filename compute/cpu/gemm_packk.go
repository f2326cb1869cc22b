package cpu

import (
	"encoding/binary"

	"github.com/ferrum-go/ferrum/quant"
)

// Panel packers for the k-quant types. Each walks the panel one super-block
// column at a time and, inside it, one weight row at a time, so that the
// 16 rows' quants of a super-block (4 KiB of panel) are written while hot
// and every source row is read front to back. Quants are split eight at a
// time with SWAR on uint64 words (one byte per value); each word becomes two
// 4-value chunks of one row, 64 bytes apart in the panel. Scales are
// formed per (super-block, row) with the very float32 operations of ggml's
// dequantizers (d*sc, dmin*m), so that s*q - m rounds like the decoded
// weight.

func init() {
	panelPackers[quant.Q4_K] = panelPacker{group: 32, pack: packPanelQ4_K}
	panelPackers[quant.Q5_K] = panelPacker{group: 32, pack: packPanelQ5_K}
	panelPackers[quant.Q6_K] = panelPacker{group: 16, pack: packPanelQ6_K}
	panelPackers[quant.Q3_K] = panelPacker{group: 16, pack: packPanelQ3_K}
	panelPackers[quant.Q2_K] = panelPacker{group: 16, pack: packPanelQ2_K}
}

const (
	lo4 = 0x0f0f0f0f0f0f0f0f
	lo2 = 0x0303030303030303
	lo1 = 0x0101010101010101
	// kBlockPanel is the panel bytes of one super-block column (256
	// values of 16 rows).
	kBlockPanel = 256 * panelRows
)

// putChunks stores the 8 quants of one row held in v (value i in byte i)
// as two 4-value chunks, at off and at off+64 (the next chunk of the same
// row). r&15 tells the compiler off stays inside the super-block's panel.
func putChunks(q *[kBlockPanel]byte, off int, v uint64) {
	binary.LittleEndian.PutUint32(q[off&(kBlockPanel-1):], uint32(v))
	binary.LittleEndian.PutUint32(q[(off+64)&(kBlockPanel-1):], uint32(v>>32))
}

// blockAt is super-block b of weight row row.
func blockAt(w *tensor, row, b, size int) []byte {
	off := row*w.rowBytes + b*size
	return w.raw[off : off+size]
}

// kRowPacker packs super-block raw of one weight row into lane r (< 16)
// of its panel bytes q and scale groups s, m (group j at j*16+r).
type kRowPacker func(raw []byte, r int, q *[kBlockPanel]byte, s, m []float32)

// packKPanel is the loop the k-quant packers share: super-blocks of
// blockBytes with groups scale groups each, the panel's live rows one by
// one (zeroPanelTail clears the rest).
func packKPanel(w *tensor, o int, p *panel, blockBytes, groups int, row kRowPacker) {
	n := zeroPanelTail(w, o, p)
	g := groups * panelRows
	for b := 0; b < w.cols/256; b++ {
		q := (*[kBlockPanel]byte)(p.q[b*kBlockPanel:])
		s, m := p.s[b*g:(b+1)*g], p.m[b*g:(b+1)*g]
		for r := 0; r < n; r++ {
			row(blockAt(w, o+r, b, blockBytes), r&15, q, s, m)
		}
	}
}

// putKScalesMins fills lane r of the 8 groups of a Q4_K/Q5_K super-block:
// s = d*scale, m = dmin*min, as ggml's dequantizer forms them.
func putKScalesMins(blk []byte, r int, s, m []float32) {
	d, dmin := f16At(blk[0:]), f16At(blk[2:])
	sc, mn := kScalesMins(blk[4:16])
	for j := 0; j < 8; j++ {
		s[j*16+r] = d * float32(uint8(sc>>(8*j)))
		m[j*16+r] = dmin * float32(uint8(mn>>(8*j)))
	}
}

// packPanelQ4_K: block f16 d, f16 dmin, scales[12], qs[128]; 32-byte group
// gg of qs holds sub-block 2gg in its low nibbles and 2gg+1 in the high.
func packPanelQ4_K(w *tensor, o int, p *panel) { packKPanel(w, o, p, 144, 8, rowQ4_K) }

// rowQ4_K packs one Q4_K super-block into lane r.
func rowQ4_K(raw []byte, r int, q *[kBlockPanel]byte, s, m []float32) {
	blk := (*[144]byte)(raw)
	putKScalesMins(blk[:], r, s, m)
	for gg := 0; gg < 4; gg++ {
		qs := blk[16+32*gg : 48+32*gg]
		base := 2*gg*512 + r*4
		for k := 0; k < 4; k++ {
			x := binary.LittleEndian.Uint64(qs[8*k:])
			putChunks(q, base+128*k, x&lo4)
			putChunks(q, base+512+128*k, x>>4&lo4)
		}
	}
}

// kScalesMins unpacks the 8 six-bit scales and mins of a Q4_K/Q5_K block
// (12 bytes), scale/min j in byte j: the first four sit in the low six bits
// of bytes 0..3 / 4..7, the last four take their low nibbles from bytes
// 8..11 and their top two bits from the top of bytes 0..3 / 4..7.
func kScalesMins(sb []byte) (sc, mn uint64) {
	a := binary.LittleEndian.Uint32(sb[0:])
	bb := binary.LittleEndian.Uint32(sb[4:])
	c := binary.LittleEndian.Uint32(sb[8:])
	sc = uint64(a&0x3f3f3f3f) | uint64(c&0x0f0f0f0f|a>>2&0x30303030)<<32
	mn = uint64(bb&0x3f3f3f3f) | uint64(c>>4&0x0f0f0f0f|bb>>2&0x30303030)<<32
	return sc, mn
}

// packPanelQ5_K: Q4_K's layout plus qh[32] (before qs): the fifth bit of
// value 32*j+l is bit j of qh[l].
func packPanelQ5_K(w *tensor, o int, p *panel) { packKPanel(w, o, p, 176, 8, rowQ5_K) }

// rowQ5_K packs one Q5_K super-block into lane r.
func rowQ5_K(raw []byte, r int, q *[kBlockPanel]byte, s, m []float32) {
	blk := (*[176]byte)(raw)
	putKScalesMins(blk[:], r, s, m)
	qh := blk[16:48]
	for k := 0; k < 4; k++ {
		h := binary.LittleEndian.Uint64(qh[8*k:])
		for gg := 0; gg < 4; gg++ {
			x := binary.LittleEndian.Uint64(blk[48+32*gg+8*k:])
			base := 2*gg*512 + r*4 + 128*k
			putChunks(q, base, x&lo4|(h>>(2*gg)&lo1)<<4)
			putChunks(q, base+512, x>>4&lo4|(h>>(2*gg+1)&lo1)<<4)
		}
	}
}

// packPanelQ6_K: block ql[128], qh[64], int8 scales[16], f16 d; q in 0..63
// stands for q-32, so m = 32*s. In each 128-value half, ql byte l holds
// values l and l+64, byte l+32 values l+32 and l+96, qh byte l the top two
// bits of l, l+32, l+64, l+96.
func packPanelQ6_K(w *tensor, o int, p *panel) { packKPanel(w, o, p, 210, 16, rowQ6_K) }

// rowQ6_K packs one Q6_K super-block into lane r.
func rowQ6_K(raw []byte, r int, q *[kBlockPanel]byte, s, m []float32) {
	blk := (*[210]byte)(raw)
	d := f16At(blk[208:])
	for j := 0; j < 16; j++ {
		sj := d * float32(int8(blk[192+j]))
		s[j*16+r] = sj
		m[j*16+r] = 32 * sj
	}
	for half := 0; half < 2; half++ {
		// Sub-block (16 values) t of this half is group 8*half+t,
		// whose panel bytes start at (8*half+t)*256.
		base := half*8*256 + r*4
		for k := 0; k < 4; k++ {
			x := binary.LittleEndian.Uint64(blk[64*half+8*k:])
			y := binary.LittleEndian.Uint64(blk[64*half+32+8*k:])
			h := binary.LittleEndian.Uint64(blk[128+32*half+8*k:])
			// Values 8k..8k+7 of each quarter: sub-block 2*quarter +
			// k/2, chunks 2*(k%2) and 2*(k%2)+1.
			off := base + (k/2)*256 + (k%2)*128
			putChunks(q, off, x&lo4|(h&lo2)<<4)
			putChunks(q, off+2*256, y&lo4|(h>>2&lo2)<<4)
			putChunks(q, off+4*256, x>>4&lo4|(h>>4&lo2)<<4)
			putChunks(q, off+6*256, y>>4&lo4|(h>>6&lo2)<<4)
		}
	}
}

// packPanelQ3_K: block hmask[32], qs[64], scales[12], f16 d. Sub-block
// j = 8*half + 2*t + sub takes its low two bits from bits 2t of qs bytes
// 32*half + 16*sub + l and its high bit from bit 4*half+t of hmask byte
// 16*sub + l; ggml's value is (low - 4 unless the high bit is set), i.e.
// u - 4 for u = low | high<<2 in 0..7, so m = 4*s.
func packPanelQ3_K(w *tensor, o int, p *panel) { packKPanel(w, o, p, 110, 16, rowQ3_K) }

// rowQ3_K packs one Q3_K super-block into lane r.
func rowQ3_K(raw []byte, r int, q *[kBlockPanel]byte, s, m []float32) {
	blk := (*[110]byte)(raw)
	d := f16At(blk[108:])
	sc0, sc1 := q3Scales(blk[96:108])
	for j := 0; j < 8; j++ {
		s0 := d * float32(int8(uint8(sc0>>(8*j)))-32)
		s1 := d * float32(int8(uint8(sc1>>(8*j)))-32)
		s[j*16+r], m[j*16+r] = s0, 4*s0
		s[(j+8)*16+r], m[(j+8)*16+r] = s1, 4*s1
	}
	for sub := 0; sub < 2; sub++ {
		for k := 0; k < 2; k++ {
			h := binary.LittleEndian.Uint64(blk[16*sub+8*k:])
			for half := 0; half < 2; half++ {
				x := binary.LittleEndian.Uint64(blk[32+32*half+16*sub+8*k:])
				hh := h >> (4 * half)
				off := (8*half+sub)*256 + k*128 + r*4
				putChunks(q, off, x&lo2|(hh&lo1)<<2)
				putChunks(q, off+2*256, x>>2&lo2|(hh>>1&lo1)<<2)
				putChunks(q, off+4*256, x>>4&lo2|(hh>>2&lo1)<<2)
				putChunks(q, off+6*256, x>>6&lo2|(hh>>3&lo1)<<2)
			}
		}
	}
}

// q3Scales unpacks Q3_K's 16 six-bit scales (still biased by 32), scale j
// in byte j of sc0 (j < 8) or byte j-8 of sc1: low nibbles in bytes 0..7
// (scales 8..15 in the high nibbles), top two bits of scale j at bits
// 2*(j/4) of byte 8 + j%4.
func q3Scales(sb []byte) (sc0, sc1 uint64) {
	a := binary.LittleEndian.Uint64(sb[0:])
	c := binary.LittleEndian.Uint32(sb[8:])
	h0 := uint64(c&0x03030303) | uint64(c>>2&0x03030303)<<32
	h1 := uint64(c>>4&0x03030303) | uint64(c>>6&0x03030303)<<32
	return a&lo4 | h0<<4, a>>4&lo4 | h1<<4
}

// packPanelQ2_K: block scales[16] (scale in the low nibble, min in the
// high), qs[64], f16 d, f16 dmin. Sub-block j = 8*half + 2*t + sub holds
// bits 2t of qs bytes 32*half + 16*sub + l.
func packPanelQ2_K(w *tensor, o int, p *panel) { packKPanel(w, o, p, 84, 16, rowQ2_K) }

// rowQ2_K packs one Q2_K super-block into lane r.
func rowQ2_K(raw []byte, r int, q *[kBlockPanel]byte, s, m []float32) {
	blk := (*[84]byte)(raw)
	d, dmin := f16At(blk[80:]), f16At(blk[82:])
	for j := 0; j < 16; j++ {
		sc := blk[j]
		s[j*16+r] = d * float32(sc&15)
		m[j*16+r] = dmin * float32(sc>>4)
	}
	for half := 0; half < 2; half++ {
		for sub := 0; sub < 2; sub++ {
			for k := 0; k < 2; k++ {
				x := binary.LittleEndian.Uint64(blk[16+32*half+16*sub+8*k:])
				off := (8*half+sub)*256 + k*128 + r*4
				putChunks(q, off, x&lo2)
				putChunks(q, off+2*256, x>>2&lo2)
				putChunks(q, off+4*256, x>>4&lo2)
				putChunks(q, off+6*256, x>>6&lo2)
			}
		}
	}
}
