package cpu

import (
	"math"

	"github.com/ferrum-go/ferrum/quant"
)

// packQ*KAVX512 pack nb super-block columns of the 16
// rows starting at src (row r at byte offset idx[r]; rows whose bit of
// mask is clear read as zeros) into q, s and m (gemm_packk_amd64.s).
//
//go:noescape
func packQ4KAVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

//go:noescape
func packQ6KAVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

//go:noescape
func packQ5KAVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

//go:noescape
func packQ3KAVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

//go:noescape
func packQ2KAVX512(src *byte, idx *[panelRows]int32, nb, mask int, q *byte, s, m *float32)

// This init runs after gemm_packk.go's (file name order) and replaces the
// Go packers with the gathering ones, 4-8x faster: in a prefill GEMM the
// Go packers would cost 10-20% of the tile kernel's time.
func init() {
	if !hasAVX512 {
		return
	}
	panelPackers[quant.Q4_K] = panelPacker{group: 32, pack: packPanelQ4_KAVX512}
	panelPackers[quant.Q6_K] = panelPacker{group: 16, pack: packPanelQ6_KAVX512}
	panelPackers[quant.Q5_K] = panelPacker{group: 32, pack: packPanelQ5_KAVX512}
	panelPackers[quant.Q3_K] = panelPacker{group: 16, pack: packPanelQ3_KAVX512}
	panelPackers[quant.Q2_K] = panelPacker{group: 16, pack: packPanelQ2_KAVX512}
}

// The assembly is called directly, not through a func value, so that idx
// stays on the stack (no allocation per panel).

func packPanelQ4_KAVX512(w *tensor, o int, p *panel) {
	var idx [panelRows]int32
	if n, nb, ok := packKAVX512Args(w, o, p, 8, &idx); ok {
		packQ4KAVX512(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0])
	} else {
		packPanelQ4_K(w, o, p)
	}
}

func packPanelQ6_KAVX512(w *tensor, o int, p *panel) {
	var idx [panelRows]int32
	if n, nb, ok := packKAVX512Args(w, o, p, 16, &idx); ok {
		packQ6KAVX512(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0])
	} else {
		packPanelQ6_K(w, o, p)
	}
}

func packPanelQ5_KAVX512(w *tensor, o int, p *panel) {
	var idx [panelRows]int32
	if n, nb, ok := packKAVX512Args(w, o, p, 8, &idx); ok {
		packQ5KAVX512(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0])
	} else {
		packPanelQ5_K(w, o, p)
	}
}

func packPanelQ3_KAVX512(w *tensor, o int, p *panel) {
	var idx [panelRows]int32
	if n, nb, ok := packKAVX512Args(w, o, p, 16, &idx); ok {
		packQ3KAVX512(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0])
	} else {
		packPanelQ3_K(w, o, p)
	}
}

func packPanelQ2_KAVX512(w *tensor, o int, p *panel) {
	var idx [panelRows]int32
	if n, nb, ok := packKAVX512Args(w, o, p, 16, &idx); ok {
		packQ2KAVX512(&w.raw[o*w.rowBytes], &idx, nb, 1<<n-1, &p.q[0], &p.s[0], &p.m[0])
	} else {
		packPanelQ2_K(w, o, p)
	}
}

// packKAVX512Args fills idx with the rows' byte offsets and checks the
// bounds the assembly relies on: it reads rows o..o+n-1 whole and fills nb
// super-blocks of the panel, ngrp scale groups each. ok is false where the
// Go packer must do it: no rows or super-blocks, or offsets past int32.
func packKAVX512Args(w *tensor, o int, p *panel, ngrp int, idx *[panelRows]int32) (n, nb int, ok bool) {
	nb, n = w.cols/256, min(panelRows, w.rows-o)
	if nb == 0 || n <= 0 || (panelRows-1)*w.rowBytes > math.MaxInt32 {
		return 0, 0, false
	}
	for r := range idx {
		idx[r] = int32(r * w.rowBytes)
	}
	_ = w.raw[(o+n)*w.rowBytes-1]
	_ = p.q[nb*kBlockPanel-1]
	_ = p.s[nb*ngrp*panelRows-1]
	_ = p.m[nb*ngrp*panelRows-1]
	return n, nb, true
}
