package cpu

import (
	"math"

	"github.com/ferrum-go/ferrum/quant"
)

// packQ4KAVX512 and packQ6KAVX512 pack nb super-block columns of the 16
// rows starting at src (row r at byte offset idx[r]; rows whose bit of
// mask is clear read as zeros) into q, s and m (gemm_packk_amd64.s).
//
//go:noescape
func packQ4KAVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

//go:noescape
func packQ6KAVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

// This init runs after gemm_packk.go's (file name order) and replaces the
// Go packers of the two types of the Q4_K_M files with the gathering ones.
func init() {
	if !hasAVX512 {
		return
	}
	for _, k := range []struct {
		typ       quant.Type
		blk, ngrp int
		asm       func(*byte, *[panelRows]int32, int, int, *byte, *float32, *float32)
	}{
		{quant.Q4_K, 144, 8, packQ4KAVX512},
		{quant.Q6_K, 210, 16, packQ6KAVX512},
	} {
		pk := panelPackers[k.typ]
		goPack, blk, ngrp, asm := pk.pack, k.blk, k.ngrp, k.asm
		pk.pack = func(w *tensor, o int, p *panel) {
			if (panelRows-1)*w.rowBytes > math.MaxInt32 {
				goPack(w, o, p) // offsets past int32 gather indices
				return
			}
			packKAVX512(w, o, p, blk, ngrp, asm)
		}
		panelPackers[k.typ] = pk
	}
}

// packKAVX512 checks the bounds the assembly relies on and calls it.
func packKAVX512(w *tensor, o int, p *panel, blk, ngrp int, asm func(*byte, *[panelRows]int32, int, int, *byte, *float32, *float32)) {
	nb := w.cols / 256
	n := min(panelRows, w.rows-o)
	if nb == 0 || n <= 0 {
		panelRowsOf(w, o, p)
		return
	}
	var idx [panelRows]int32
	for r := range idx {
		idx[r] = int32(r * w.rowBytes)
	}
	// The gathers read rows o..o+n-1 whole, the stores fill nb super-blocks
	// of the panel.
	_ = w.raw[(o+n)*w.rowBytes-1]
	_ = p.q[nb*kBlockPanel-1]
	_ = p.s[nb*ngrp*panelRows-1]
	_ = p.m[nb*ngrp*panelRows-1]
	asm(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0])
}
