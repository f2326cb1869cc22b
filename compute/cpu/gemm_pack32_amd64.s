#include "textflag.h"

// AVX-512 panel packers for the 32-value block types (gemm_pack32.go's Go
// packers, 16 rows at once). Lane r of a dword gather reads row r (offsets
// in Z0, rows past the weight masked off by K7 and left zero), so 4 bytes at
// one offset of every row's block become one 64-byte panel chunk without
// shuffles, and the f16 scales of the 16 rows come out as one register of
// s (VCVTPH2PS is exact; m = k*d is a float32 product by a power of two or
// a negation, as in Go, so both packers write the same bytes).

// G32 gathers the dword at off of each row's current block into reg.
#define G32(off, reg) \
	KMOVW K7, K1; \
	VPXORD reg, reg, reg; \
	VPGATHERDD off(SI)(Z0*1), K1, reg

// SCALES stores s = d (low half of the header dword) and m = d*Z29, or
// m = -min (high half) when R10 is not zero.
#define SCALES \
	G32(0, Z1); \
	VPMOVDW Z1, Y2; \
	VCVTPH2PS Y2, Z2; \
	VMOVUPS Z2, (R8); \
	VMULPS Z29, Z2, Z3; \
	TESTQ R10, R10; \
	JZ 5(PC); \
	VPSRLD $16, Z1, Z1; \
	VPMOVDW Z1, Y3; \
	VCVTPH2PS Y3, Z3; \
	VXORPS Z28, Z3, Z3; \
	VMOVUPS Z3, (R9)

// NIB4 splits the qs dword at off (index Z24) into chunk lo (low nibbles)
// and chunk hi (high nibbles: the values 16 further on).
#define NIB4(off, lo, hi) \
	KMOVW K7, K1; \
	VPXORD Z4, Z4, Z4; \
	VPGATHERDD off(SI)(Z24*1), K1, Z4; \
	VPANDD Z31, Z4, Z5; \
	VPSRLD $4, Z4, Z4; \
	VPANDD Z31, Z4, Z4; \
	VMOVDQU32 Z5, lo(DI); \
	VMOVDQU32 Z4, hi(DI)

// NIB5 is NIB4 with the fifth bits of values hb.. and hb+16.. from Z20.
#define NIB5(off, lo, hi, hb) \
	KMOVW K7, K1; \
	VPXORD Z4, Z4, Z4; \
	VPGATHERDD off(SI)(Z24*1), K1, Z4; \
	VPANDD Z31, Z4, Z5; \
	VPSRLD $4, Z4, Z4; \
	VPANDD Z31, Z4, Z4; \
	HIBITS(hb, Z6); \
	VPORD Z6, Z5, Z5; \
	HIBITS(hb+16, Z6); \
	VPORD Z6, Z4, Z4; \
	VMOVDQU32 Z5, lo(DI); \
	VMOVDQU32 Z4, hi(DI)

// Decode packs a panel per token straight from memory, and the hardware
// prefetcher alone leaves these loops waiting on DRAM, so each block asks
// for every row's line PFD bytes ahead (PF16: row offsets from the idx
// array at BX). Prefetches never fault and change no result.
#define PFD 1024
#define PFROW(r) MOVLQSX (4*r)(BX), DX; PREFETCHT0 PFD(SI)(DX*1)
#define PF16 PFROW(0); PFROW(1); PFROW(2); PFROW(3); PFROW(4); PFROW(5); PFROW(6); PFROW(7); PFROW(8); PFROW(9); PFROW(10); PFROW(11); PFROW(12); PFROW(13); PFROW(14); PFROW(15)

// HIBITS spreads bits sh..sh+3 of each lane of Z20 (the qh word) to 0x10 of
// bytes 0..3 of reg: the 4-bit value times 0x02040810 puts bit i at bit
// 8i+4 with no carries between the copies.
#define HIBITS(sh, reg) \
	VPSRLD $sh, Z20, reg; \
	VPANDD Z27, reg, reg; \
	VPMULLD Z26, reg, reg; \
	VPANDD Z25, reg, reg

// Q8FLIP gathers the dword at off of every row (4 quants), flips them to
// unsigned (+128, live rows only) and stores the chunk at dst(DI).
#define Q8FLIP(off, dst) \
	G32(off, Z4); \
	VPXORD Z30, Z4, K7, Z4; \
	VMOVDQU32 Z4, dst(DI)

// func packQ8_0AVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32)
TEXT ·packQ8_0AVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	VMOVDQU32 (AX), Z0
	MOVQ nb+16(FP), CX
	MOVQ mask+24(FP), DX
	KMOVW DX, K7
	MOVQ q+32(FP), DI
	MOVQ s+40(FP), R8
	MOVQ m+48(FP), R9
	XORQ R10, R10
	MOVL $0x43000000, AX // 128.0
	VPBROADCASTD AX, Z29
	MOVL $0x80808080, AX
	VPBROADCASTD AX, Z30
	TESTQ CX, CX
	JZ q8Done

q8Block:
	SCALES
	Q8FLIP(2, 0)
	Q8FLIP(6, 64)
	Q8FLIP(10, 128)
	Q8FLIP(14, 192)
	Q8FLIP(18, 256)
	Q8FLIP(22, 320)
	Q8FLIP(26, 384)
	Q8FLIP(30, 448)
	ADDQ $34, SI
	ADDQ $512, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ q8Block

q8Done:
	VZEROUPPER
	RET

// func packQ45AVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32, blockBytes, qhOff, qsOff int, k float32, hasMin int)
//
// Q4_0 (k = 8), Q4_1 (hasMin), Q5_0 (k = 16, qhOff > 0) and Q5_1 (qhOff >
// 0, hasMin): qs at qsOff, the fifth bits at qhOff (qhOff = 0: none).
TEXT ·packQ45AVX512(SB), NOSPLIT, $0-96
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	MOVQ AX, BX
	VMOVDQU32 (AX), Z0
	MOVQ nb+16(FP), CX
	MOVQ mask+24(FP), DX
	KMOVW DX, K7
	MOVQ q+32(FP), DI
	MOVQ s+40(FP), R8
	MOVQ m+48(FP), R9
	MOVQ blockBytes+56(FP), R11
	MOVQ qhOff+64(FP), R12
	MOVQ qsOff+72(FP), R13
	VBROADCASTSS k+80(FP), Z29
	MOVQ hasMin+88(FP), R10
	MOVL $0x80000000, AX
	VPBROADCASTD AX, Z28
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0xf, AX
	VPBROADCASTD AX, Z27
	MOVL $0x02040810, AX
	VPBROADCASTD AX, Z26
	MOVL $0x10101010, AX
	VPBROADCASTD AX, Z25
	// The qs and qh gathers use their own index registers (offsets
	// folded in), so the NIB macros serve every layout.
	VPBROADCASTD R13, Z24
	VPADDD Z24, Z0, Z24
	VPBROADCASTD R12, Z23
	VPADDD Z23, Z0, Z23
	TESTQ CX, CX
	JZ q45Done

	TESTQ R12, R12
	JNZ q5Block

q4Block:
	PF16
	SCALES
	NIB4(0, 0, 256)
	NIB4(4, 64, 320)
	NIB4(8, 128, 384)
	NIB4(12, 192, 448)
	ADDQ R11, SI
	ADDQ $512, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ q4Block
	JMP q45Done

q5Block:
	PF16
	SCALES
	KMOVW K7, K1
	VPXORD Z20, Z20, Z20
	VPGATHERDD (SI)(Z23*1), K1, Z20
	NIB5(0, 0, 256, 0)
	NIB5(4, 64, 320, 4)
	NIB5(8, 128, 384, 8)
	NIB5(12, 192, 448, 12)
	ADDQ R11, SI
	ADDQ $512, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ q5Block

q45Done:
	VZEROUPPER
	RET

// Q8_0 for full panels, without gathers: the 32 quants of each of the 16
// rows' blocks are two rows to a register (r and r+8), and an 8x8 dword
// transpose in each 256-bit half (unpack dq, unpack qdq, then a qword
// permute across the two unpacked halves) leaves chunk c of the 16 rows in
// one register. About 40 shuffles per block against 8 gathers.
// (The qword selections are transposeQLo/transposeQHi, gemv_amd64.go.)

// Q8OUT stores chunks lo and hi (the qword selections of Z30 and Z31 from
// tables a and b), sign-flipped to unsigned.
#define Q8OUT(a, b, lo, hi) \
	VMOVDQA64 Z30, Z24; \
	VPERMI2Q b, a, Z24; \
	VPXORD Z29, Z24, Z24; \
	VMOVDQU32 Z24, lo(DI); \
	VMOVDQA64 Z31, Z25; \
	VPERMI2Q b, a, Z25; \
	VPXORD Z29, Z25, Z25; \
	VMOVDQU32 Z25, hi(DI)

// func packQ8_0Full(src *byte, stride int, idx *[16]int32, nb int, q *byte, s, m *float32)
TEXT ·packQ8_0Full(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ stride+8(FP), R10
	MOVQ idx+16(FP), AX
	VMOVDQU32 (AX), Z27
	MOVQ nb+24(FP), CX
	MOVQ q+32(FP), DI
	MOVQ s+40(FP), R8
	MOVQ m+48(FP), R9
	MOVL $0x43000000, AX // 128.0
	VPBROADCASTD AX, Z28
	MOVL $0x80808080, AX
	VPBROADCASTD AX, Z29
	VMOVDQU64 ·transposeQLo(SB), Z30
	VMOVDQU64 ·transposeQHi(SB), Z31
	TESTQ CX, CX
	JZ q8fDone

q8fBlock:
	// s = d, m = 128*d (the d of each row gathered).
	KXNORW K0, K0, K1
	VPXORD Z26, Z26, Z26
	VPGATHERDD (SI)(Z27*1), K1, Z26
	VPMOVDW Z26, Y26
	VCVTPH2PS Y26, Z26
	VMOVUPS Z26, (R8)
	VMULPS Z28, Z26, Z26
	VMOVUPS Z26, (R9)
	// Rows r and r+8 into Zr (r < 8).
	MOVQ SI, R11
	VMOVDQU 2(R11), Y0
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VMOVDQU 2(R11), Y1
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VMOVDQU 2(R11), Y2
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VMOVDQU 2(R11), Y3
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VMOVDQU 2(R11), Y4
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VMOVDQU 2(R11), Y5
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VMOVDQU 2(R11), Y6
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VMOVDQU 2(R11), Y7
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z0, Z0
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z1, Z1
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z2, Z2
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z3, Z3
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z4, Z4
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z5, Z5
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z6, Z6
	PREFETCHT0 PFD(R11)
	ADDQ R10, R11
	VINSERTI64X4 $1, 2(R11), Z7, Z7
	PREFETCHT0 PFD(R11)
	// Transpose.
	VPUNPCKLDQ Z1, Z0, Z16
	VPUNPCKHDQ Z1, Z0, Z17
	VPUNPCKLDQ Z3, Z2, Z18
	VPUNPCKHDQ Z3, Z2, Z19
	VPUNPCKLDQ Z5, Z4, Z20
	VPUNPCKHDQ Z5, Z4, Z21
	VPUNPCKLDQ Z7, Z6, Z22
	VPUNPCKHDQ Z7, Z6, Z23
	VPUNPCKLQDQ Z18, Z16, Z8
	VPUNPCKHQDQ Z18, Z16, Z9
	VPUNPCKLQDQ Z19, Z17, Z10
	VPUNPCKHQDQ Z19, Z17, Z11
	VPUNPCKLQDQ Z22, Z20, Z12
	VPUNPCKHQDQ Z22, Z20, Z13
	VPUNPCKLQDQ Z23, Z21, Z14
	VPUNPCKHQDQ Z23, Z21, Z15
	Q8OUT(Z8, Z12, 0, 256)
	Q8OUT(Z9, Z13, 64, 320)
	Q8OUT(Z10, Z14, 128, 384)
	Q8OUT(Z11, Z15, 192, 448)
	ADDQ $34, SI
	ADDQ $512, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ q8fBlock

q8fDone:
	VZEROUPPER
	RET
