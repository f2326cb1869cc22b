//go:build ignore

// gemv_gen writes gemv_amd64.s, the GEMM's one-token kernels (Go assembly
// cannot loop over registers or rows):
//
//	go run gemv_gen.go > gemv_amd64.s
//
// Each kernel computes one token against 16 whole weight rows straight
// from the file, with the very operations of packing the rows into a panel
// (gemm_pack*_amd64.s) and running gemmTile1 on it: the same int32 sum per
// scale group (vpdpbusd of the unsigned quants against the broadcast
// activation dwords; integer sums are exact in any order), the same scale
// products, then per group and in group order f = float(isum)*da,
// acc = fma(f, s, acc), acc = fma(-m, dA, acc). Instead of gathering, the
// rows' bytes are loaded whole and transposed in registers so that lane r
// holds row r, as in the panel.
package main

import (
	"fmt"
	"math"
	"os"
	"strings"
)

// out is where p writes: the file, or a macro's body while define runs.
var out = new(strings.Builder)

func p(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...) }

// define writes the lines body emits as the assembler macro sig, so that
// the kernels below call each repeated block by name instead of repeating
// its lines (the bodies must hold no comments or labels).
func define(sig string, body func()) {
	file := out
	out = new(strings.Builder)
	body()
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	out = file
	p("#define %s \\", sig)
	for i, l := range lines {
		if i < len(lines)-1 {
			p("\t%s; \\", strings.TrimSpace(l))
		} else {
			p("\t%s", strings.TrimSpace(l))
		}
	}
	p("")
}

// Rows 0..7 sit at SI + r*rowBytes, rows 8..15 at R10 + (r-8)*rowBytes,
// with R8 = rowBytes, R11 = 3*, R12 = 5*, R13 = 7*rowBytes (the prefetch
// target's rows likewise at BX and DX).
var rowForm = []string{"(%s)", "(%s)(R8*1)", "(%s)(R8*2)", "(%s)(R11*1)", "(%s)(R8*4)", "(%s)(R12*1)", "(%s)(R11*2)", "(%s)(R13*1)"}

// row is the address of row r at offset off (a number or a macro
// parameter), from the bases lo (rows 0..7) and hi (rows 8..15).
func row(r int, off, lo, hi string) string {
	base := lo
	if r >= 8 {
		base = hi
	}
	return off + fmt.Sprintf(rowForm[r%8], base)
}

// macros writes the blocks the kernels share.
func macros() {
	// ARGS(ix, fa) loads the arguments of every kernel,
	// func(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32),
	// the row offsets r*rowBytes into lane r of ix (for gathers) and
	// clears the float sums fa.
	define("ARGS(ix, fa)", func() {
		p("MOVQ src+0(FP), SI")
		p("MOVQ rowBytes+8(FP), R8")
		p("VPBROADCASTD R8, ix")
		p("VPMULLD ·laneIota(SB), ix, ix")
		p("MOVQ nb+16(FP), CX")
		p("MOVQ act+24(FP), DI")
		p("MOVQ f+32(FP), R9")
		p("LEAQ (R8)(R8*2), R11")
		p("LEAQ (R8)(R8*4), R12")
		p("LEAQ (R11)(R8*4), R13")
		p("LEAQ (SI)(R8*8), R10")
		p("VPXORD fa, fa, fa")
	})
	// FINISH(fa) stores the 16 rows' results.
	define("FINISH(fa)", func() {
		p("MOVQ dst+40(FP), DX")
		p("VMOVUPS fa, (DX)")
		p("VZEROUPPER")
		p("RET")
	})
	// PFBASE(pfd, short) points BX and DX (rows 0 and 8 of the prefetch
	// target) at the next panel's rows when rows are short (under short
	// = 4*pfd bytes: a distance within the row would mostly land in rows
	// being read or leave too little lead), else pfd bytes ahead in the
	// same rows. Decode streams the weights from memory once per token,
	// and the hardware prefetcher alone leaves the loads waiting (see
	// qdot_amd64.s).
	define("PFBASE(pfd, short)", func() {
		p("MOVQ $pfd, AX")
		p("MOVQ R8, BX")
		p("SHLQ $4, BX")
		p("CMPQ R8, $short")
		p("CMOVQLT BX, AX")
		p("LEAQ (SI)(AX*1), BX")
		p("LEAQ (R10)(AX*1), DX")
	})
	// PF16(off) asks for the line at off of every row of the target.
	define("PF16(off)", func() {
		for r := 0; r < 16; r++ {
			p("PREFETCHT0 %s", row(r, "off", "BX", "DX"))
		}
	})
	// ADVANCE(bb, ab, fb) moves to the next block: bb bytes of weights
	// per row, ab of activations, fb of activation scales.
	define("ADVANCE(bb, ab, fb)", func() {
		for _, r := range []string{"SI", "R10", "BX", "DX"} {
			p("ADDQ $bb, %s", r)
		}
		p("ADDQ $ab, DI")
		p("ADDQ $fb, R9")
		p("DECQ CX")
	})
	// GATHER(off, z, ix) loads the dword at off of every row into z.
	define("GATHER(off, z, ix)", func() {
		p("KXNORW K0, K0, K1")
		p("VPXORD z, z, z")
		p("VPGATHERDD off(SI)(ix*1), K1, z")
	})
	// T32(off) loads 32 bytes at off of the 16 rows (row r in the low
	// half of Z(r), row r+8 in the high half) and leaves dword k of every
	// row in Z(8+k), lane r = row r. Clobbers Z0..Z15; needs Z30/Z31 =
	// transposeQLo/transposeQHi.
	define("T32(off)", func() {
		for r := 0; r < 8; r++ {
			p("VMOVDQU %s, Y%d", row(r, "off", "SI", "R10"), r)
		}
		for r := 0; r < 8; r++ {
			p("VINSERTI64X4 $1, %s, Z%d, Z%d", row(r+8, "off", "SI", "R10"), r, r)
		}
		for i := 0; i < 4; i++ {
			p("VPUNPCKLDQ Z%d, Z%d, Z%d", 2*i+1, 2*i, 8+2*i)
			p("VPUNPCKHDQ Z%d, Z%d, Z%d", 2*i+1, 2*i, 9+2*i)
		}
		for _, s := range [][3]int{{8, 10, 0}, {9, 11, 2}, {12, 14, 4}, {13, 15, 6}} {
			p("VPUNPCKLQDQ Z%d, Z%d, Z%d", s[1], s[0], s[2])
			p("VPUNPCKHQDQ Z%d, Z%d, Z%d", s[1], s[0], s[2]+1)
		}
		for k := 0; k < 4; k++ {
			p("VMOVDQA64 Z30, Z%d", 8+k)
			p("VPERMI2Q Z%d, Z%d, Z%d", 4+k, k, 8+k)
			p("VMOVDQA64 Z31, Z%d", 12+k)
			p("VPERMI2Q Z%d, Z%d, Z%d", 4+k, k, 12+k)
		}
	})
	// T16(off, o0, o1, o2, o3) loads 16 bytes at off of the 16 rows
	// (rows i, i+4, i+8, i+12 in the four lanes of Zi) and leaves dword k
	// of every row in ok, lane r = row r. Clobbers Z0..Z7.
	define("T16(off, o0, o1, o2, o3)", func() {
		for i := 0; i < 4; i++ {
			p("VMOVDQU %s, X%d", row(i, "off", "SI", "R10"), i)
			for l := 1; l < 4; l++ {
				p("VINSERTI32X4 $%d, %s, Z%d, Z%d", l, row(i+4*l, "off", "SI", "R10"), i, i)
			}
		}
		p("VPUNPCKLDQ Z1, Z0, Z4")
		p("VPUNPCKHDQ Z1, Z0, Z5")
		p("VPUNPCKLDQ Z3, Z2, Z6")
		p("VPUNPCKHDQ Z3, Z2, Z7")
		p("VPUNPCKLQDQ Z6, Z4, o0")
		p("VPUNPCKHQDQ Z6, Z4, o1")
		p("VPUNPCKLQDQ Z7, Z5, o2")
		p("VPUNPCKHQDQ Z7, Z5, o3")
	})
	// GROUP(acc, s, m, fo, fa) adds the scale group whose activation
	// scales sit at fo(R9) (da, then dA 48 bytes on) to the float sums fa,
	// as gemmTile1 does: f = float(acc)*da, fa += f*s, fa -= m*dA.
	define("GROUP(acc, s, m, fo, fa)", func() {
		p("VCVTDQ2PS acc, acc")
		p("VMULPS.BCST fo(R9), acc, acc")
		p("VFMADD231PS s, acc, fa")
		p("VFNMADD231PS.BCST 48+fo(R9), m, fa")
	})
	// KSCALES forms, like the Q4_K/Q5_K packers, d Z24, dmin Z25, the
	// 6-bit scales 0..3 Z20, 4..7 Z21 and mins 0..3 Z22, 4..7 Z23 (a byte
	// each) of the super-block at SI. Clobbers Z0..Z7.
	define("KSCALES", func() {
		p("GATHER(0, Z1, Z27)")
		p("VPMOVDW Z1, Y2")
		p("VCVTPH2PS Y2, Z24")
		p("VPSRLD $16, Z1, Z3")
		p("VPMOVDW Z3, Y3")
		p("VCVTPH2PS Y3, Z25")
		p("GATHER(4, Z4, Z27)")
		p("GATHER(8, Z5, Z27)")
		p("GATHER(12, Z6, Z27)")
		p("MOVL $0x3f3f3f3f, AX")
		p("VPBROADCASTD AX, Z0")
		p("MOVL $0x30303030, AX")
		p("VPBROADCASTD AX, Z1")
		p("MOVL $0x0f0f0f0f, AX")
		p("VPBROADCASTD AX, Z2")
		p("VPANDD Z0, Z4, Z20")
		p("VPANDD Z0, Z5, Z22")
		p("VPANDD Z2, Z6, Z21")
		p("VPSRLD $2, Z4, Z7")
		p("VPANDD Z1, Z7, Z7")
		p("VPORD Z7, Z21, Z21")
		p("VPSRLD $4, Z6, Z23")
		p("VPANDD Z2, Z23, Z23")
		p("VPSRLD $2, Z5, Z7")
		p("VPANDD Z1, Z7, Z7")
		p("VPORD Z7, Z23, Z23")
	})
	// KGROUP(acc, sc, mn, sh, fo) adds a Q4_K/Q5_K group: s = d*scale,
	// m = dmin*min (the bytes at sh of sc and mn) as the packer forms them
	// (Z29 = 0xff).
	define("KGROUP(acc, sc, mn, sh, fo)", func() {
		p("VPSRLD $sh, sc, Z16")
		p("VPANDD Z29, Z16, Z16")
		p("VCVTDQ2PS Z16, Z16")
		p("VMULPS Z24, Z16, Z16")
		p("VPSRLD $sh, mn, Z17")
		p("VPANDD Z29, Z17, Z17")
		p("VCVTDQ2PS Z17, Z17")
		p("VMULPS Z25, Z17, Z17")
		p("GROUP(acc, Z16, Z17, fo, Z26)")
	})
	// NIB(t, mask) splits the quant bytes of t into low nibbles Z16 and
	// high nibbles Z17.
	define("NIB(t, mask)", func() {
		p("VPANDD mask, t, Z16")
		p("VPSRLD $4, t, Z17")
		p("VPANDD mask, Z17, Z17")
	})
	// FIFTH(shift, n, h, q) ORs into q the bit that shift by n moves to
	// 0x10 of each byte of h (Q5_K's qh, in the frame).
	define("FIFTH(shift, n, h, q)", func() {
		p("shift $n, h, Z0")
		p("VPANDD.BCST gv10<>(SB), Z0, Z0")
		p("VPORD Z0, q, q")
	})
	// HIB(sh, q) ORs into q the fifth bits sh..sh+3 of Z20 (Q5_0/Q5_1's
	// qh) at 0x10 of bytes 0..3 (the packers' HIBITS).
	define("HIB(sh, q)", func() {
		p("VPSRLD $sh, Z20, Z12")
		p("VPANDD Z21, Z12, Z12")
		p("VPMULLD Z22, Z12, Z12")
		p("VPANDD Z23, Z12, Z12")
		p("VPORD Z12, q, q")
	})
	// Q6LO(x, sh, h, c, acc) and Q6HI(x, sh, h, c, acc): the 6-bit
	// quants of the low (high) nibbles of x with the top bits of h
	// shifted left (right) by sh into 0x30, dotted with chunk c into acc
	// (Z30 = 0x0f, Z31 = 0x30; VPTERNLOGD $0xf8 is Z0 |= Z1 & Z31).
	define("Q6LO(x, sh, h, c, acc)", func() {
		p("VPANDD Z30, x, Z0")
		p("VPSLLD $sh, h, Z1")
		p("VPTERNLOGD $0xf8, Z31, Z1, Z0")
		p("VPDPBUSD.BCST c(DI), Z0, acc")
	})
	define("Q6HI(x, sh, h, c, acc)", func() {
		p("VPSRLD $4, x, Z0")
		p("VPANDD Z30, Z0, Z0")
		p("VPSRLD $sh, h, Z1")
		p("VPTERNLOGD $0xf8, Z31, Z1, Z0")
		p("VPDPBUSD.BCST c(DI), Z0, acc")
	})
	// Q6GROUP(sh, so, acc, fo): a Q6_K group: s = d*float(int8 scale, the
	// byte that shifting the frame's dword at so left by sh puts on top),
	// m = 32*s (the packer's Q6SCALE; d in Z29).
	define("Q6GROUP(sh, so, acc, fo)", func() {
		p("VPSLLD $sh, so(SP), Z0")
		p("VPSRAD $24, Z0, Z0")
		p("VCVTDQ2PS Z0, Z0")
		p("VMULPS Z29, Z0, Z0")
		p("VMULPS.BCST gv32<>(SB), Z0, Z1")
		p("GROUP(acc, Z0, Z1, fo, Z28)")
	})
	// Q6C(a, b, h, c1, c2, c3, c4, g1, g2, g3, g4): the four quants of a
	// quarter's dword (ql low and high nibbles of a and b, top bits from
	// h), dotted with chunks c1..c4 into the group sums g1..g4.
	define("Q6C(a, b, h, c1, c2, c3, c4, g1, g2, g3, g4)", func() {
		p("Q6LO(a, 4, h, c1, g1)")
		p("Q6LO(b, 2, h, c2, g2)")
		p("VPSRLD $4, a, Z0")
		p("VPANDD Z30, Z0, Z0")
		p("VPTERNLOGD $0xf8, Z31, h, Z0")
		p("VPDPBUSD.BCST c3(DI), Z0, g3")
		p("Q6HI(b, 2, h, c4, g4)")
	})
	// K5DOT(t, sl, nl, sh, nh, h, clo, chi) is NIBDOT for Q5_K, the
	// fifth bits ORed in from h (moved by sl nl and sh nh).
	define("K5DOT(t, sl, nl, sh, nh, h, clo, chi)", func() {
		p("NIB(t, Z28)")
		p("FIFTH(sl, nl, h, Z16)")
		p("FIFTH(sh, nh, h, Z17)")
		p("VPDPBUSD.BCST clo(DI), Z16, Z18")
		p("VPDPBUSD.BCST chi(DI), Z17, Z19")
	})
	// Q6QUARTER(oa, ob, oh, c, g1, g2, g3, g4): 16 values of l of a
	// Q6_K half: ql at oa and ob, qh at oh (16 bytes each per row), the
	// activation chunks from c(DI) on, into the cleared group sums g1..g4
	// (groups q, q+2, q+4, q+6 of the half).
	define("Q6QUARTER(oa, ob, oh, c, g1, g2, g3, g4)", func() {
		p("T16(oa, Z8, Z9, Z10, Z11)")
		p("T16(ob, Z12, Z13, Z14, Z15)")
		p("T16(oh, Z16, Z17, Z18, Z19)")
		for _, g := range []string{"g1", "g2", "g3", "g4"} {
			p("VPXORD %s, %s, %s", g, g, g)
		}
		for c := 0; c < 4; c++ {
			p("Q6C(Z%d, Z%d, Z%d, c+%d, c+%d, c+%d, c+%d, g1, g2, g3, g4)", 8+c, 12+c, 16+c, 48*c, 48*(8+c), 48*(16+c), 48*(24+c))
		}
	})
	// BCAST(v, z) fills z's dwords with v.
	define("BCAST(v, z)", func() {
		p("MOVL $v, AX")
		p("VPBROADCASTD AX, z")
	})
	// NIBDOT(t, mask, clo, chi) dots t's low nibbles with chunk clo into
	// Z18 and its high nibbles with chunk chi into Z19.
	define("NIBDOT(t, mask, clo, chi)", func() {
		p("NIB(t, mask)")
		p("VPDPBUSD.BCST clo(DI), Z16, Z18")
		p("VPDPBUSD.BCST chi(DI), Z17, Z19")
	})
	// NIB5DOT is NIBDOT for Q5_0/Q5_1 with the fifth bits from Z20 at
	// slo and shi.
	define("NIB5DOT(t, slo, shi, clo, chi)", func() {
		p("NIB(t, Z29)")
		p("HIB(slo, Z16)")
		p("HIB(shi, Z17)")
		p("VPDPBUSD.BCST clo(DI), Z16, Z18")
		p("VPDPBUSD.BCST chi(DI), Z17, Z19")
	})
	// D16 converts the low f16 of each row's gathered dword in Z1 to d in
	// Z24 (s); MINS puts -min (the high f16) in Z25 (m).
	define("D16", func() {
		p("VPMOVDW Z1, Y2")
		p("VCVTPH2PS Y2, Z24")
	})
	define("MINS", func() {
		p("VPSRLD $16, Z1, Z1")
		p("VPMOVDW Z1, Y3")
		p("VCVTPH2PS Y3, Z25")
		p("VXORPS Z28, Z25, Z25")
	})
	// Q8DOT(t, c, acc): Q8_0's signed quants in t made unsigned (+128),
	// dotted with chunk c into acc.
	define("Q8DOT(t, c, acc)", func() {
		p("VPXORD Z29, t, t")
		p("VPDPBUSD.BCST c(DI), t, acc")
	})
}

// kernel writes a kernel's entry (frame bytes of locals) and, after
// setup, the block loop: body is one block, then the pointers advance by
// bb, ab and fb bytes.
func kernel(name string, frame int, ix, fa string, setup func(), pfd int, body func(), bb, ab, fb int) {
	p("// func %s(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)", name)
	p("TEXT ·%s(SB), NOSPLIT, $%d-48", name, frame)
	p("\tARGS(%s, %s)", ix, fa)
	setup()
	p("\tPFBASE(%d, %d)", pfd, 4*pfd)
	p("\tTESTQ CX, CX")
	p("\tJZ %sDone", name)
	p("")
	p("%sBlock:", name)
	body()
	p("\tADVANCE(%d, %d, %d)", bb, ab, fb)
	p("\tJNZ %sBlock", name)
	p("")
	p("%sDone:", name)
	p("\tFINISH(%s)", fa)
	p("")
}

func broadcast(v uint32, z string) {
	p("\tBCAST(0x%08x, %s)", v, z)
}

func prefetch(lines int) {
	for i := 0; i < lines; i++ {
		p("\tPF16(%d)", 64*i)
	}
}

// genK writes the Q4_K kernel, or with five the Q5_K one (the fifth bits
// from qh, 32 bytes at 16, transposed once per super-block and kept in the
// frame; quants at 48 instead of 16).
func genK(name string, five bool) {
	blockBytes, qs, frame := 144, 16, 0
	if five {
		blockBytes, qs, frame = 176, 48, 512
	}
	setup := func() {
		broadcast(0x0f0f0f0f, "Z28")
		broadcast(0xff, "Z29")
		p("\tVMOVDQU64 ·transposeQLo(SB), Z30")
		p("\tVMOVDQU64 ·transposeQHi(SB), Z31")
	}
	body := func() {
		prefetch((blockBytes + 63) / 64)
		p("\tKSCALES")
		if five {
			// qh byte l: bit j is the fifth bit of value 32j+l.
			p("\tT32(16)")
			for k := 0; k < 8; k++ {
				p("\tVMOVDQU32 Z%d, %d(SP)", 8+k, 64*k)
			}
		}
		for j := 0; j < 4; j++ {
			// Quant chunk j: 32 bytes, low nibbles group 2j, high 2j+1.
			p("\tT32(%d)", qs+32*j)
			p("\tVPXORD Z18, Z18, Z18")
			p("\tVPXORD Z19, Z19, Z19")
			for k := 0; k < 8; k++ {
				clo, chi := (16*j+k)*48, (16*j+8+k)*48
				if !five {
					p("\tNIBDOT(Z%d, Z28, %d, %d)", 8+k, clo, chi)
					continue
				}
				// Bits 2j and 2j+1 of qh's bytes to 0x10.
				var sh [2]string
				for h := range sh {
					if bit := 2*j + h; bit <= 4 {
						sh[h] = fmt.Sprintf("VPSLLD, %d", 4-bit)
					} else {
						sh[h] = fmt.Sprintf("VPSRLD, %d", bit-4)
					}
				}
				p("\tK5DOT(Z%d, %s, %s, %d(SP), %d, %d)", 8+k, sh[0], sh[1], 64*k, clo, chi)
			}
			for h, acc := range []string{"Z18", "Z19"} {
				g := 2*j + h
				sc, mn := "Z20", "Z22"
				if g >= 4 {
					sc, mn = "Z21", "Z23"
				}
				p("\tKGROUP(%s, %s, %s, %d, %d)", acc, sc, mn, 8*(g%4), g*96)
			}
		}
	}
	kernel(name, frame, "Z27", "Z26", setup, 8*blockBytes, body, blockBytes, 64*48, 8*96)
}

// gen32 writes the kernel of a 32-value block type: quants at qsOff (Q8_0:
// 32 signed bytes; otherwise 16 bytes of nibbles, value i low and 16+i
// high), f16 d at 0, then (hasMin) an f16 min at 2, (qhOff > 0) 32 fifth
// bits at qhOff. The packers' scales: s = d, m = k*d, or m = -min.
func gen32(name string, blockBytes, qsOff, qhOff int, k float32, hasMin, q8 bool) {
	setup := func() {
		p("\tVMOVDQU64 ·transposeQLo(SB), Z30")
		p("\tVMOVDQU64 ·transposeQHi(SB), Z31")
		if hasMin {
			broadcast(0x80000000, "Z28")
		} else {
			broadcast(math.Float32bits(k), "Z28")
		}
		if q8 {
			broadcast(0x80808080, "Z29")
		} else {
			broadcast(0x0f0f0f0f, "Z29")
		}
		if qhOff > 0 {
			broadcast(0xf, "Z21")
			broadcast(0x02040810, "Z22")
			broadcast(0x10101010, "Z23")
		}
	}
	body := func() {
		prefetch(1)
		p("\tGATHER(0, Z1, Z27)")
		p("\tD16")
		if hasMin {
			p("\tMINS")
		} else {
			p("\tVMULPS Z28, Z24, Z25")
		}
		p("\tVPXORD Z18, Z18, Z18")
		p("\tVPXORD Z19, Z19, Z19")
		if q8 {
			p("\tT32(%d)", qsOff)
			for c := 0; c < 8; c++ {
				p("\tQ8DOT(Z%d, %d, %s)", 8+c, c*48, []string{"Z18", "Z19"}[c%2])
			}
		} else {
			if qhOff > 0 {
				p("\tGATHER(%d, Z20, Z27)", qhOff)
			}
			p("\tT16(%d, Z8, Z9, Z10, Z11)", qsOff)
			for c := 0; c < 4; c++ {
				if qhOff > 0 {
					// The fifth bits of values 4c.. and 16+4c...
					p("\tNIB5DOT(Z%d, %d, %d, %d, %d)", 8+c, 4*c, 4*c+16, c*48, (4+c)*48)
				} else {
					p("\tNIBDOT(Z%d, Z29, %d, %d)", 8+c, c*48, (4+c)*48)
				}
			}
		}
		p("\tVPADDD Z19, Z18, Z18")
		p("\tGROUP(Z18, Z24, Z25, 0, Z26)")
	}
	kernel(name, 0, "Z27", "Z26", setup, 1024, body, blockBytes, 8*48, 96)
}

// genQ6K writes the Q6_K kernel. Super-block: ql[128], qh[64], int8
// scales[16], f16 d at 208; 16 groups of 16 values; q in 0..63 stands
// for q-32: s = d*scale, m = 32*s. In half h (128 values), ql byte l (<
// 32) holds values l (low nibble) and l+64, ql byte l+32 values l+32 and
// l+96, qh byte l bits 2i..2i+1 the top bits of value l+32i. A quarter
// (16 values of l) is 48 bytes per row: three transposes of 16 bytes.
// Eight group sums live through a half: the row offsets wait in the frame
// (Z7 during the gathers) and the float sums move to Z28.
func genQ6K(name string) {
	setup := func() {
		p("\tVMOVDQU32 Z7, 256(SP)")
		broadcast(0x0f0f0f0f, "Z30")
		broadcast(0x30303030, "Z31")
	}
	body := func() {
		prefetch(4)
		p("\tVMOVDQU32 256(SP), Z7")
		// d (the high half of the dword at 206) and the 16 scale bytes,
		// kept in the frame.
		p("\tGATHER(206, Z1, Z7)")
		p("\tVPSRLD $16, Z1, Z1")
		p("\tVPMOVDW Z1, Y2")
		p("\tVCVTPH2PS Y2, Z29")
		for i := 0; i < 4; i++ {
			p("\tGATHER(%d, Z1, Z7)", 192+4*i)
			p("\tVMOVDQU32 Z1, %d(SP)", 64*i)
		}
		acc := func(g int) string { return fmt.Sprintf("Z%d", 20+g) } // group g of the half
		for h := 0; h < 2; h++ {
			for q := 0; q < 2; q++ {
				l0 := 16 * q
				p("\tQ6QUARTER(%d, %d, %d, %d, %s, %s, %s, %s)", 64*h+l0, 64*h+32+l0, 128+32*h+l0,
					(128*h+l0)/4*48, acc(q), acc(q+2), acc(q+4), acc(q+6))
			}
			for g := 0; g < 8; g++ {
				gg := 8*h + g
				p("\tQ6GROUP(%d, %d, %s, %d)", 24-8*(gg%4), 64*(gg/4), acc(g), gg*96)
			}
		}
	}
	kernel(name, 320, "Z7", "Z28", setup, 8*210, body, 210, 64*48, 16*96)
}

func main() {
	p(`// Code generated by gemv_gen.go; DO NOT EDIT.

#include "textflag.h"

// The GEMM's one-token kernels (see gemv_gen.go): 16 whole weight rows
// straight from the file, bit-identical to packing them and gemmTile1.

// transposeQLo, transposeQHi and laneIota are Go variables (gemv_amd64.go).
DATA gv10<>+0(SB)/4, $0x10101010
GLOBL gv10<>(SB), RODATA|NOPTR, $4
DATA gv32<>+0(SB)/4, $0x42000000
GLOBL gv32<>(SB), RODATA|NOPTR, $4
`)
	macros()
	genK("gemvQ4K", false)
	genK("gemvQ5K", true)
	genQ6K("gemvQ6K")
	gen32("gemvQ8_0", 34, 2, 0, 128, false, true)
	gen32("gemvQ4_0", 18, 2, 0, 8, false, false)
	gen32("gemvQ4_1", 20, 4, 0, 0, true, false)
	gen32("gemvQ5_0", 22, 6, 2, 16, false, false)
	gen32("gemvQ5_1", 24, 8, 4, 0, true, false)
	os.Stdout.WriteString(out.String())
}
