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

var b strings.Builder

// facc holds the 16 rows' float sums; idx the row offsets for gathers.
var facc, idx = "Z26", "Z27"

func p(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }

// Rows 0..7 sit at SI + r*rowBytes, rows 8..15 at R10 + (r-8)*rowBytes,
// with R8 = rowBytes, R11 = 3*, R12 = 5*, R13 = 7*rowBytes.
var rowForm = []string{"(%s)", "(%s)(R8*1)", "(%s)(R8*2)", "(%s)(R11*1)", "(%s)(R8*4)", "(%s)(R12*1)", "(%s)(R11*2)", "(%s)(R13*1)"}

func row(r, off int) string {
	base := "SI"
	if r >= 8 {
		base = "R10"
	}
	return fmt.Sprintf("%d"+rowForm[r%8], off, base)
}

// prologue loads the arguments shared by every kernel:
// func(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)
func prologue(name string, frame int) {
	flag := "NOSPLIT"
	p("// func %s(src *byte, rowBytes int, nb int, act *byte, f *float32, dst *float32)", name)
	p("TEXT ·%s(SB), %s, $%d-48", name, flag, frame)
	p("\tMOVQ src+0(FP), SI")
	p("\tMOVQ rowBytes+8(FP), R8")
	p("\tVPBROADCASTD R8, %s", idx)
	p("\tVPMULLD gviota<>(SB), %s, %s", idx, idx)
	p("\tMOVQ nb+16(FP), CX")
	p("\tMOVQ act+24(FP), DI")
	p("\tMOVQ f+32(FP), R9")
	p("\tLEAQ (R8)(R8*2), R11")
	p("\tLEAQ (R8)(R8*4), R12")
	p("\tLEAQ (R11)(R8*4), R13")
	p("\tLEAQ (SI)(R8*8), R10")
	p("\tVPXORD %s, %s, %s", facc, facc, facc)
}

func epilogue(name string) {
	p("%sDone:", name)
	p("\tMOVQ dst+40(FP), DX")
	p("\tVMOVUPS %s, (DX)", facc)
	p("\tVZEROUPPER")
	p("\tRET")
	p("")
}

func broadcast(v uint32, z string) {
	p("\tMOVL $0x%08x, AX", v)
	p("\tVPBROADCASTD AX, %s", z)
}

// prefetchBase points BX and DX (rows 0 and 8 of the prefetch target) at
// the next panel's rows when this panel's rows are short (under 4*pfd
// bytes: a distance within the row would mostly land in rows being read
// or leave too little lead), else
// pfd bytes ahead in the same rows. Decode streams the weights from memory
// once per token, and the hardware prefetcher alone leaves the loads
// waiting (see qdot_amd64.s).
func prefetchBase(pfd int) {
	p("\tMOVQ $%d, AX", pfd)
	p("\tMOVQ R8, BX")
	p("\tSHLQ $4, BX")
	p("\tCMPQ R8, $%d", 4*pfd)
	p("\tCMOVQLT BX, AX")
	p("\tLEAQ (SI)(AX*1), BX")
	p("\tLEAQ (R10)(AX*1), DX")
}

// prefetch asks for lines of every row at the prefetch target.
func prefetch(lines int) {
	for r := 0; r < 16; r++ {
		base := "BX"
		if r >= 8 {
			base = "DX"
		}
		for i := 0; i < lines; i++ {
			p("\tPREFETCHT0 %d"+rowForm[r%8], 64*i, base)
		}
	}
}

// gather loads the dword at off of every row into z (idx: the row
// offsets, r*rowBytes in lane r).
func gather(off int, z string) {
	p("\tKXNORW K0, K0, K1")
	p("\tVPXORD %s, %s, %s", z, z, z)
	p("\tVPGATHERDD %d(SI)(%s*1), K1, %s", off, idx, z)
}

// transpose32 loads 32 bytes at off of the 16 rows (row r in the low half
// of Z(r), row r+8 in the high half) and leaves dword k of every row in
// Z(8+k), lane r = row r. Clobbers Z0..Z15; needs Z30/Z31 = gvtlo/gvthi.
func transpose32(off int) {
	for r := 0; r < 8; r++ {
		p("\tVMOVDQU %s, Y%d", row(r, off), r)
	}
	for r := 0; r < 8; r++ {
		p("\tVINSERTI64X4 $1, %s, Z%d, Z%d", row(r+8, off), r, r)
	}
	for i := 0; i < 4; i++ {
		p("\tVPUNPCKLDQ Z%d, Z%d, Z%d", 2*i+1, 2*i, 8+2*i)
		p("\tVPUNPCKHDQ Z%d, Z%d, Z%d", 2*i+1, 2*i, 9+2*i)
	}
	for _, s := range [][3]int{{8, 10, 0}, {9, 11, 2}, {12, 14, 4}, {13, 15, 6}} {
		p("\tVPUNPCKLQDQ Z%d, Z%d, Z%d", s[1], s[0], s[2])
		p("\tVPUNPCKHQDQ Z%d, Z%d, Z%d", s[1], s[0], s[2]+1)
	}
	for k := 0; k < 4; k++ {
		p("\tVMOVDQA64 Z30, Z%d", 8+k)
		p("\tVPERMI2Q Z%d, Z%d, Z%d", 4+k, k, 8+k)
		p("\tVMOVDQA64 Z31, Z%d", 12+k)
		p("\tVPERMI2Q Z%d, Z%d, Z%d", 4+k, k, 12+k)
	}
}

// transpose16 loads 16 bytes at off of the 16 rows (rows i, i+4, i+8,
// i+12 in the four lanes of in[i]) and leaves dword k of every row in
// out[k], lane r = row r. Clobbers in and tmp.
func transpose16(off int, in, tmp, out [4]string) {
	for i := 0; i < 4; i++ {
		p("\tVMOVDQU %s, X%s", row(i, off), in[i][1:])
		for l := 1; l < 4; l++ {
			p("\tVINSERTI32X4 $%d, %s, %s, %s", l, row(i+4*l, off), in[i], in[i])
		}
	}
	p("\tVPUNPCKLDQ %s, %s, %s", in[1], in[0], tmp[0])
	p("\tVPUNPCKHDQ %s, %s, %s", in[1], in[0], tmp[1])
	p("\tVPUNPCKLDQ %s, %s, %s", in[3], in[2], tmp[2])
	p("\tVPUNPCKHDQ %s, %s, %s", in[3], in[2], tmp[3])
	p("\tVPUNPCKLQDQ %s, %s, %s", tmp[2], tmp[0], out[0])
	p("\tVPUNPCKHQDQ %s, %s, %s", tmp[2], tmp[0], out[1])
	p("\tVPUNPCKLQDQ %s, %s, %s", tmp[3], tmp[1], out[2])
	p("\tVPUNPCKHQDQ %s, %s, %s", tmp[3], tmp[1], out[3])
}

// group adds scale group g's contribution of the int32 sums in acc to the
// float accumulator Z26, as gemmTile1 does (f at R9: da at g*96, dA 48
// further).
func group(acc, s, m string, g int) {
	p("\tVCVTDQ2PS %s, %s", acc, acc)
	p("\tVMULPS.BCST %d(R9), %s, %s", g*96, acc, acc)
	p("\tVFMADD231PS %s, %s, %s", s, acc, facc)
	p("\tVFNMADD231PS.BCST %d(R9), %s, %s", g*96+48, m, facc)
}

// dot adds quants q (4 per lane) times activation chunk c to acc.
func dot(q string, c int, acc string) {
	p("\tVPDPBUSD.BCST %d(DI), %s, %s", c*48, q, acc)
}

func loop(name string, blockBytes, actBytes, fBytes int) {
	p("\tADDQ $%d, SI", blockBytes)
	p("\tADDQ $%d, R10", blockBytes)
	p("\tADDQ $%d, BX", blockBytes)
	p("\tADDQ $%d, DX", blockBytes)
	p("\tADDQ $%d, DI", actBytes)
	p("\tADDQ $%d, R9", fBytes)
	p("\tDECQ CX")
	p("\tJNZ %sBlock", name)
	p("")
}

// kScales forms, like the Q4_K/Q5_K packers, d Z24, dmin Z25, the 6-bit
// scales 0..3 Z20, 4..7 Z21 and mins 0..3 Z22, 4..7 Z23 (a byte each) of
// the super-block at SI. Clobbers Z0..Z7.
func kScales() {
	gather(0, "Z1")
	p("\tVPMOVDW Z1, Y2")
	p("\tVCVTPH2PS Y2, Z24")
	p("\tVPSRLD $16, Z1, Z3")
	p("\tVPMOVDW Z3, Y3")
	p("\tVCVTPH2PS Y3, Z25")
	gather(4, "Z4")
	gather(8, "Z5")
	gather(12, "Z6")
	broadcast(0x3f3f3f3f, "Z0")
	broadcast(0x30303030, "Z1")
	broadcast(0x0f0f0f0f, "Z2")
	p("\tVPANDD Z0, Z4, Z20")
	p("\tVPANDD Z0, Z5, Z22")
	p("\tVPANDD Z2, Z6, Z21")
	p("\tVPSRLD $2, Z4, Z7")
	p("\tVPANDD Z1, Z7, Z7")
	p("\tVPORD Z7, Z21, Z21")
	p("\tVPSRLD $4, Z6, Z23")
	p("\tVPANDD Z2, Z23, Z23")
	p("\tVPSRLD $2, Z5, Z7")
	p("\tVPANDD Z1, Z7, Z7")
	p("\tVPORD Z7, Z23, Z23")
}

// kGroup adds group g (< 8) of a Q4_K/Q5_K super-block: s = d*scale,
// m = dmin*min as the packer forms them (Z29 = 0xff).
func kGroup(acc string, g int) {
	sc, mn := "Z20", "Z22"
	if g >= 4 {
		sc, mn = "Z21", "Z23"
	}
	sh := 8 * (g % 4)
	p("\tVPSRLD $%d, %s, Z16", sh, sc)
	p("\tVPANDD Z29, Z16, Z16")
	p("\tVCVTDQ2PS Z16, Z16")
	p("\tVMULPS Z24, Z16, Z16")
	p("\tVPSRLD $%d, %s, Z17", sh, mn)
	p("\tVPANDD Z29, Z17, Z17")
	p("\tVCVTDQ2PS Z17, Z17")
	p("\tVMULPS Z25, Z17, Z17")
	group(acc, "Z16", "Z17", g)
}

// genK writes the Q4_K kernel, or with five the Q5_K one (the fifth bits
// from qh, 32 bytes at 16, transposed once per super-block and kept in the
// frame; quants at 48 instead of 16).
func genK(name string, five bool) {
	blockBytes, qs, frame := 144, 16, 0
	if five {
		blockBytes, qs, frame = 176, 48, 512
	}
	prologue(name, frame)
	broadcast(0x0f0f0f0f, "Z28")
	broadcast(0xff, "Z29")
	p("\tVMOVDQU64 gvtlo<>(SB), Z30")
	p("\tVMOVDQU64 gvthi<>(SB), Z31")
	prefetchBase(8 * blockBytes)
	p("\tTESTQ CX, CX")
	p("\tJZ %sDone", name)
	p("")
	p("%sBlock:", name)
	prefetch((blockBytes + 63) / 64)
	kScales()
	if five {
		// qh byte l: bit j is the fifth bit of value 32j+l.
		transpose32(16)
		for k := 0; k < 8; k++ {
			p("\tVMOVDQU32 Z%d, %d(SP)", 8+k, 64*k)
		}
	}
	for j := 0; j < 4; j++ {
		// Quant chunk j: 32 bytes, low nibbles group 2j, high 2j+1.
		transpose32(qs + 32*j)
		p("\tVPXORD Z18, Z18, Z18")
		p("\tVPXORD Z19, Z19, Z19")
		for k := 0; k < 8; k++ {
			t := fmt.Sprintf("Z%d", 8+k)
			p("\tVPANDD Z28, %s, Z16", t)
			p("\tVPSRLD $4, %s, Z17", t)
			p("\tVPANDD Z28, Z17, Z17")
			if five {
				for h, q := range []string{"Z16", "Z17"} {
					bit := 2*j + h // to bit 4 of each byte
					if bit <= 4 {
						p("\tVPSLLD $%d, %d(SP), Z0", 4-bit, 64*k)
					} else {
						p("\tVPSRLD $%d, %d(SP), Z0", bit-4, 64*k)
					}
					p("\tVPANDD.BCST gv10<>(SB), Z0, Z0")
					p("\tVPORD Z0, %s, %s", q, q)
				}
			}
			dot("Z16", 16*j+k, "Z18")
			dot("Z17", 16*j+8+k, "Z19")
		}
		kGroup("Z18", 2*j)
		kGroup("Z19", 2*j+1)
	}
	loop(name, blockBytes, 64*48, 8*96)
	epilogue(name)
}

// gen32 writes the kernel of a 32-value block type: quants at qsOff (Q8_0:
// 32 signed bytes; otherwise 16 bytes of nibbles, value i low and 16+i
// high), f16 d at 0, then (hasMin) an f16 min at 2, (qhOff > 0) 32 fifth
// bits at qhOff. The packers' scales: s = d, m = k*d, or m = -min.
func gen32(name string, blockBytes, qsOff, qhOff int, k float32, hasMin, q8 bool) {
	prologue(name, 0)
	p("\tVMOVDQU64 gvtlo<>(SB), Z30")
	p("\tVMOVDQU64 gvthi<>(SB), Z31")
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
	prefetchBase(1024)
	p("\tTESTQ CX, CX")
	p("\tJZ %sDone", name)
	p("")
	p("%sBlock:", name)
	prefetch(1)
	gather(0, "Z1")
	p("\tVPMOVDW Z1, Y2")
	p("\tVCVTPH2PS Y2, Z24")
	if hasMin {
		p("\tVPSRLD $16, Z1, Z1")
		p("\tVPMOVDW Z1, Y3")
		p("\tVCVTPH2PS Y3, Z25")
		p("\tVXORPS Z28, Z25, Z25")
	} else {
		p("\tVMULPS Z28, Z24, Z25")
	}
	p("\tVPXORD Z18, Z18, Z18")
	p("\tVPXORD Z19, Z19, Z19")
	if q8 {
		transpose32(qsOff)
		for c := 0; c < 8; c++ {
			p("\tVPXORD Z29, Z%d, Z%d", 8+c, 8+c)
			dot(fmt.Sprintf("Z%d", 8+c), c, []string{"Z18", "Z19"}[c%2])
		}
	} else {
		if qhOff > 0 {
			gather(qhOff, "Z20")
		}
		transpose16(qsOff, [4]string{"Z0", "Z1", "Z2", "Z3"}, [4]string{"Z4", "Z5", "Z6", "Z7"}, [4]string{"Z8", "Z9", "Z10", "Z11"})
		for c := 0; c < 4; c++ {
			t := fmt.Sprintf("Z%d", 8+c)
			p("\tVPANDD Z29, %s, Z16", t)
			p("\tVPSRLD $4, %s, Z17", t)
			p("\tVPANDD Z29, Z17, Z17")
			if qhOff > 0 {
				// The fifth bits of values 4c.. and 16+4c.. to 0x10 of
				// each byte (the packers' HIBITS).
				for h, q := range []string{"Z16", "Z17"} {
					p("\tVPSRLD $%d, Z20, Z12", 4*c+16*h)
					p("\tVPANDD Z21, Z12, Z12")
					p("\tVPMULLD Z22, Z12, Z12")
					p("\tVPANDD Z23, Z12, Z12")
					p("\tVPORD Z12, %s, %s", q, q)
				}
			}
			dot("Z16", c, "Z18")
			dot("Z17", 4+c, "Z19")
		}
	}
	p("\tVPADDD Z19, Z18, Z18")
	group("Z18", "Z24", "Z25", 0)
	loop(name, blockBytes, 8*48, 96)
	epilogue(name)
}

// genQ6K writes the Q6_K kernel. Super-block: ql[128], qh[64], int8
// scales[16], f16 d at 208; 16 groups of 16 values; q in 0..63 stands
// for q-32: s = d*scale, m = 32*s. In half h (128 values), ql byte l (<
// 32) holds values l (low nibble) and l+64, ql byte l+32 values l+32 and
// l+96, qh byte l bits 2i..2i+1 the top bits of value l+32i. A quarter
// (16 values of l) is 48 bytes per row: three transposes of 16 bytes.
func genQ6K(name string) {
	// Eight group sums live through a half: the row offsets wait in the
	// frame (Z7 during the gathers) and the float sums move to Z28.
	facc, idx = "Z28", "Z7"
	defer func() { facc, idx = "Z26", "Z27" }()
	prologue(name, 320)
	p("\tVMOVDQU32 Z7, 256(SP)")
	broadcast(0x0f0f0f0f, "Z30")
	broadcast(0x30303030, "Z31")
	prefetchBase(8 * 210)
	p("\tTESTQ CX, CX")
	p("\tJZ %sDone", name)
	p("")
	p("%sBlock:", name)
	prefetch(4)
	p("\tVMOVDQU32 256(SP), Z7")
	// d (the high half of the dword at 206) and the 16 scale bytes,
	// kept in the frame.
	gather(206, "Z1")
	p("\tVPSRLD $16, Z1, Z1")
	p("\tVPMOVDW Z1, Y2")
	p("\tVCVTPH2PS Y2, Z29")
	for i := 0; i < 4; i++ {
		gather(192+4*i, "Z1")
		p("\tVMOVDQU32 Z1, %d(SP)", 64*i)
	}
	acc := func(g int) string { return fmt.Sprintf("Z%d", 20+g) } // group g of the half
	for h := 0; h < 2; h++ {
		for q := 0; q < 2; q++ {
			l0 := 16 * q
			A := [4]string{"Z8", "Z9", "Z10", "Z11"}
			B := [4]string{"Z12", "Z13", "Z14", "Z15"}
			H := [4]string{"Z16", "Z17", "Z18", "Z19"}
			in := [4]string{"Z0", "Z1", "Z2", "Z3"}
			tmp := [4]string{"Z4", "Z5", "Z6", "Z7"}
			transpose16(64*h+l0, in, tmp, A)
			transpose16(64*h+32+l0, in, tmp, B)
			transpose16(128+32*h+l0, in, tmp, H)
			for i := 0; i < 4; i++ {
				p("\tVPXORD %s, %s, %s", acc(q+2*i), acc(q+2*i), acc(q+2*i))
			}
			for c := 0; c < 4; c++ {
				// Values l0+4c.. (group q), 32+l0+4c.. (2+q), 64+.. (4+q), 96+.. (6+q).
				base := (128*h + l0) / 4
				p("\tVPANDD Z30, %s, Z0", A[c])
				p("\tVPSLLD $4, %s, Z1", H[c])
				p("\tVPTERNLOGD $0xf8, Z31, Z1, Z0") // Z0 |= Z1 & 0x30
				dot("Z0", base+c, acc(q))
				p("\tVPANDD Z30, %s, Z0", B[c])
				p("\tVPSLLD $2, %s, Z1", H[c])
				p("\tVPTERNLOGD $0xf8, Z31, Z1, Z0")
				dot("Z0", base+8+c, acc(q+2))
				p("\tVPSRLD $4, %s, Z0", A[c])
				p("\tVPANDD Z30, Z0, Z0")
				p("\tVPTERNLOGD $0xf8, Z31, %s, Z0", H[c])
				dot("Z0", base+16+c, acc(q+4))
				p("\tVPSRLD $4, %s, Z0", B[c])
				p("\tVPANDD Z30, Z0, Z0")
				p("\tVPSRLD $2, %s, Z1", H[c])
				p("\tVPTERNLOGD $0xf8, Z31, Z1, Z0")
				dot("Z0", base+24+c, acc(q+6))
			}
		}
		for g := 0; g < 8; g++ {
			gg := 8*h + g
			// s = d*float(int8 scale gg), m = 32*s (Q6SCALE).
			p("\tVPSLLD $%d, %d(SP), Z0", 24-8*(gg%4), 64*(gg/4))
			p("\tVPSRAD $24, Z0, Z0")
			p("\tVCVTDQ2PS Z0, Z0")
			p("\tVMULPS Z29, Z0, Z0")
			p("\tVMULPS.BCST gv32<>(SB), Z0, Z1")
			group(acc(g), "Z0", "Z1", gg)
		}
	}
	loop(name, 210, 64*48, 16*96)
	epilogue(name)
}

func main() {
	p(`// Code generated by gemv_gen.go; DO NOT EDIT.

#include "textflag.h"

// The GEMM's one-token kernels (see gemv_gen.go): 16 whole weight rows
// straight from the file, bit-identical to packing them and gemmTile1.

// Qword selections finishing the 8x8 dword transposes (low: dwords 0..3,
// high: 4..7 of each 256-bit half).
DATA gvtlo<>+0(SB)/8, $0
DATA gvtlo<>+8(SB)/8, $1
DATA gvtlo<>+16(SB)/8, $8
DATA gvtlo<>+24(SB)/8, $9
DATA gvtlo<>+32(SB)/8, $4
DATA gvtlo<>+40(SB)/8, $5
DATA gvtlo<>+48(SB)/8, $12
DATA gvtlo<>+56(SB)/8, $13
GLOBL gvtlo<>(SB), RODATA|NOPTR, $64
DATA gvthi<>+0(SB)/8, $2
DATA gvthi<>+8(SB)/8, $3
DATA gvthi<>+16(SB)/8, $10
DATA gvthi<>+24(SB)/8, $11
DATA gvthi<>+32(SB)/8, $6
DATA gvthi<>+40(SB)/8, $7
DATA gvthi<>+48(SB)/8, $14
DATA gvthi<>+56(SB)/8, $15
GLOBL gvthi<>(SB), RODATA|NOPTR, $64
DATA gviota<>+0(SB)/4, $0
DATA gviota<>+4(SB)/4, $1
DATA gviota<>+8(SB)/4, $2
DATA gviota<>+12(SB)/4, $3
DATA gviota<>+16(SB)/4, $4
DATA gviota<>+20(SB)/4, $5
DATA gviota<>+24(SB)/4, $6
DATA gviota<>+28(SB)/4, $7
DATA gviota<>+32(SB)/4, $8
DATA gviota<>+36(SB)/4, $9
DATA gviota<>+40(SB)/4, $10
DATA gviota<>+44(SB)/4, $11
DATA gviota<>+48(SB)/4, $12
DATA gviota<>+52(SB)/4, $13
DATA gviota<>+56(SB)/4, $14
DATA gviota<>+60(SB)/4, $15
GLOBL gviota<>(SB), RODATA|NOPTR, $64
DATA gv10<>+0(SB)/4, $0x10101010
GLOBL gv10<>(SB), RODATA|NOPTR, $4
DATA gv32<>+0(SB)/4, $0x42000000
GLOBL gv32<>(SB), RODATA|NOPTR, $4
`)
	genK("gemvQ4K", false)
	genK("gemvQ5K", true)
	genQ6K("gemvQ6K")
	gen32("gemvQ8_0", 34, 2, 0, 128, false, true)
	gen32("gemvQ4_0", 18, 2, 0, 8, false, false)
	gen32("gemvQ4_1", 20, 4, 0, 0, true, false)
	gen32("gemvQ5_0", 22, 6, 2, 16, false, false)
	gen32("gemvQ5_1", 24, 8, 4, 0, true, false)
	os.Stdout.WriteString(b.String())
}
