package cpu

import "github.com/ferrum-go/ferrum/quant"

// panelRows weight rows are packed side by side for the prefill GEMM: each
// sits in one 32-bit lane of a 512-bit register, so one vpdpbusd against a
// broadcast activation dword advances 16 output values by 4 products, and
// the per-group float work (convert, scale, accumulate) is shared by 16
// rows instead of being repeated per row as in the decode kernels.
const panelRows = 16

// panel holds panelRows weight rows of one MatMul in the GEMM's layout,
// whatever the file's quantization type: unsigned 8-bit quants plus, per
// scale group, a float scale and offset per row, such that
//
//	w[r][k] = s[g][r]*q - m[g][r]   for k in group g,
//
// q being the byte for (r, k). Packing happens per MatMul call and per
// thread (weights stay mmap'd in the file's own layout; nothing is copied
// for the lifetime of the model), which pays when many activation rows
// share each packed panel (prefill).
type panel struct {
	group   int // values per scale group: 32, or 16 for Q6_K, Q3_K, Q2_K
	ngroups int // cols / group
	// q is [g][c][r][j]: chunk c < group/4 of group g, row r < 16, byte
	// j < 4 is the quant of w[r][g*group+4c+j]: one 64-byte register per
	// (g, c).
	q []uint8
	// s and m are [g][r].
	s, m []float32
}

// panelPacker packs weight rows [o, o+panelRows) of w into p (rows past
// w.rows read as zero: q, s and m all 0), for one weight type whose scale
// groups are group values long.
type panelPacker struct {
	group int
	pack  func(w *tensor, o int, p *panel)
}

// panelPackers lists the weight types the GEMM can take.
var panelPackers = map[quant.Type]panelPacker{}

// reset sizes p for group-long groups over cols values (a multiple of
// group), reusing its storage.
func (p *panel) reset(group, cols int) {
	p.group, p.ngroups = group, cols/group
	p.q = grow(p.q, cols*panelRows)
	p.s = grow(p.s, p.ngroups*panelRows)
	p.m = grow(p.m, p.ngroups*panelRows)
}

// qAt is the quant of row r, column k.
func (p *panel) qAt(r, k int) uint8 {
	g, i := k/p.group, k%p.group
	return p.q[g*p.group*panelRows+(i/4)*4*panelRows+r*4+i%4]
}

// value is the weight p stands for at row r, column k (tests).
func (p *panel) value(r, k int) float32 {
	g := k / p.group
	return p.s[g*panelRows+r]*float32(p.qAt(r, k)) - p.m[g*panelRows+r]
}
