package cpu

import (
	"encoding/binary"
	"unsafe"

	"github.com/ferrum-go/ferrum/quant"
)

// Panel packers for the 32-value block types: one block is one scale group,
// so per (row, block) the packer writes the block's 32 quants as 8 dword
// chunks 64 bytes apart and one (s, m) pair. Quants are unpacked eight at a
// time with SWAR on uint64 words (one byte per value). Q8_0's signed quants
// become unsigned by flipping the sign bit (q+128), which the offset
// m = 128*d takes back out; the 4- and 5-bit types keep their stored
// unsigned quants, with m = 8d or 16d (symmetric) or m = -min (Q4_1, Q5_1:
// w = d*q + min rounds exactly like s*q - (-min)).

func init() {
	panelPackers[quant.Q8_0] = panelPacker{group: 32, pack: packPanelQ8_0}
	panelPackers[quant.Q4_0] = panelPacker{group: 32, pack: packPanelQ4_0}
	panelPackers[quant.Q5_0] = panelPacker{group: 32, pack: packPanelQ5_0}
	panelPackers[quant.Q4_1] = panelPacker{group: 32, pack: packPanelQ4_1}
	panelPackers[quant.Q5_1] = panelPacker{group: 32, pack: packPanelQ5_1}
}

const (
	nib4         = 0x0f0f0f0f0f0f0f0f
	sign8        = 0x8080808080808080
	block32Panel = 32 * panelRows // panel bytes of one 32-value group
)

// hiBits5 spreads 8 bits of a Q5 qh word over 8 bytes as the quant's 0x10.
var hiBits5 = func() (t [256]uint64) {
	for v := range t {
		for i := 0; i < 8; i++ {
			if v>>i&1 != 0 {
				t[v] |= 0x10 << (8 * i)
			}
		}
	}
	return t
}()

// put32 stores the 32 quants of row r of one group (values 8i..8i+7 in
// v[i], one per byte) into the group's panel bytes q: chunk c of the row
// lands at q[64c+4r].
func put32(q *[block32Panel]byte, r int, v0, v1, v2, v3 uint64) {
	p := unsafe.Pointer(&q[(r&(panelRows-1))*4])
	*(*uint32)(p) = uint32(v0)
	*(*uint32)(unsafe.Add(p, 64)) = uint32(v0 >> 32)
	*(*uint32)(unsafe.Add(p, 128)) = uint32(v1)
	*(*uint32)(unsafe.Add(p, 192)) = uint32(v1 >> 32)
	*(*uint32)(unsafe.Add(p, 256)) = uint32(v2)
	*(*uint32)(unsafe.Add(p, 320)) = uint32(v2 >> 32)
	*(*uint32)(unsafe.Add(p, 384)) = uint32(v3)
	*(*uint32)(unsafe.Add(p, 448)) = uint32(v3 >> 32)
}

// zeroPanelTail zeroes rows [n, panelRows) of p (rows past the weight's
// end) and returns n clamped: those rows then contribute exact zeros.
func zeroPanelTail(w *tensor, o int, p *panel) int {
	n := min(panelRows, w.rows-o)
	for r := n; r < panelRows; r++ {
		for i := r * 4; i < len(p.q); i += 4 * panelRows {
			binary.LittleEndian.PutUint32(p.q[i:], 0)
		}
		for i := r; i < len(p.s); i += panelRows {
			p.s[i], p.m[i] = 0, 0
		}
	}
	return n
}

// Each packer walks the panel's rows, each front to back one block at a
// time (the loops are spelled out per type: a shared walker calling a
// closure per block cost twice the time).

func packPanelQ8_0(w *tensor, o int, p *panel) {
	n := zeroPanelTail(w, o, p)
	for r := 0; r < n; r++ {
		row := w.rawRow(o + r)
		for g := 0; g < p.ngroups; g++ {
			b := row[g*34 : g*34+34]
			d := f16At(b)
			p.s[g*panelRows+r], p.m[g*panelRows+r] = d, 128*d
			put32((*[block32Panel]byte)(p.q[g*block32Panel:]), r,
				binary.LittleEndian.Uint64(b[2:])^sign8, binary.LittleEndian.Uint64(b[10:])^sign8,
				binary.LittleEndian.Uint64(b[18:])^sign8, binary.LittleEndian.Uint64(b[26:])^sign8)
		}
	}
}

// Q4 blocks hold value j in the low nibble of byte j and value j+16 in its
// high nibble.
func packPanelQ4_0(w *tensor, o int, p *panel) {
	n := zeroPanelTail(w, o, p)
	for r := 0; r < n; r++ {
		row := w.rawRow(o + r)
		for g := 0; g < p.ngroups; g++ {
			b := row[g*18 : g*18+18]
			d := f16At(b)
			p.s[g*panelRows+r], p.m[g*panelRows+r] = d, 8*d
			putNibbles32(p, g, r, b[2:18])
		}
	}
}

// putNibbles32 puts a block's 16 bytes of 4-bit quants (value j low
// nibble of byte j, value j+16 high nibble) into lane r of group g.
func putNibbles32(p *panel, g, r int, qs []byte) {
	lo, hi := binary.LittleEndian.Uint64(qs), binary.LittleEndian.Uint64(qs[8:])
	put32((*[block32Panel]byte)(p.q[g*block32Panel:]), r, lo&nib4, hi&nib4, lo>>4&nib4, hi>>4&nib4)
}

func packPanelQ4_1(w *tensor, o int, p *panel) {
	n := zeroPanelTail(w, o, p)
	for r := 0; r < n; r++ {
		row := w.rawRow(o + r)
		for g := 0; g < p.ngroups; g++ {
			b := row[g*20 : g*20+20]
			p.s[g*panelRows+r], p.m[g*panelRows+r] = f16At(b), -f16At(b[2:])
			putNibbles32(p, g, r, b[4:20])
		}
	}
}

// Q5 blocks add bit j of the 32-bit qh word as 0x10 of value j.
func packPanelQ5_0(w *tensor, o int, p *panel) {
	n := zeroPanelTail(w, o, p)
	for r := 0; r < n; r++ {
		row := w.rawRow(o + r)
		for g := 0; g < p.ngroups; g++ {
			b := row[g*22 : g*22+22]
			d := f16At(b)
			p.s[g*panelRows+r], p.m[g*panelRows+r] = d, 16*d
			qh := binary.LittleEndian.Uint32(b[2:])
			lo, hi := binary.LittleEndian.Uint64(b[6:]), binary.LittleEndian.Uint64(b[14:])
			put32((*[block32Panel]byte)(p.q[g*block32Panel:]), r, lo&nib4|hiBits5[qh&0xff], hi&nib4|hiBits5[qh>>8&0xff],
				lo>>4&nib4|hiBits5[qh>>16&0xff], hi>>4&nib4|hiBits5[qh>>24])
		}
	}
}

func packPanelQ5_1(w *tensor, o int, p *panel) {
	n := zeroPanelTail(w, o, p)
	for r := 0; r < n; r++ {
		row := w.rawRow(o + r)
		for g := 0; g < p.ngroups; g++ {
			b := row[g*24 : g*24+24]
			p.s[g*panelRows+r], p.m[g*panelRows+r] = f16At(b), -f16At(b[2:])
			qh := binary.LittleEndian.Uint32(b[4:])
			lo, hi := binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])
			put32((*[block32Panel]byte)(p.q[g*block32Panel:]), r, lo&nib4|hiBits5[qh&0xff], hi&nib4|hiBits5[qh>>8&0xff],
				lo>>4&nib4|hiBits5[qh>>16&0xff], hi>>4&nib4|hiBits5[qh>>24])
		}
	}
}
