#include "textflag.h"

// Packers of the rows-in-lanes GEMMs (gemm_float.go): a gather takes the
// same column of 16 rows (byte offsets idx from src, lanes off in mask read
// as zero) in one instruction, so a panel or tile is written in order with
// no transposition through memory.

// func gatherW32(src *byte, idx *[16]int32, mask, n int, dst *uint32)
// n steps of 4 bytes: dst[16*i+r] = the dword at src+idx[r]+4i.
TEXT ·gatherW32(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	VMOVDQU32 (AX), Z1
	MOVQ mask+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ dst+32(FP), DI
w32:
	KMOVW DX, K1
	VPXORD Z0, Z0, Z0
	VPGATHERDD (SI)(Z1*1), K1, Z0
	VMOVDQU32 Z0, (DI)
	ADDQ $4, SI
	ADDQ $64, DI
	DECQ CX
	JNZ w32
	VZEROUPPER
	RET

// func gatherWBF16(src *byte, idx *[16]int32, mask, n int, dst *uint32)
// n bf16 pairs widened to float32: per pair, 16 words of k then of k+1.
TEXT ·gatherWBF16(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	VMOVDQU32 (AX), Z1
	MOVQ mask+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ dst+32(FP), DI
	MOVL $0xffff0000, AX
	VPBROADCASTD AX, Z4
wbf:
	KMOVW DX, K1
	VPXORD Z0, Z0, Z0
	VPGATHERDD (SI)(Z1*1), K1, Z0
	VPSLLD $16, Z0, Z2
	VPANDD Z4, Z0, Z3
	VMOVDQU32 Z2, (DI)
	VMOVDQU32 Z3, 64(DI)
	ADDQ $4, SI
	ADDQ $128, DI
	DECQ CX
	JNZ wbf
	VZEROUPPER
	RET

// func gatherWF16(src *byte, idx *[16]int32, mask, n int, dst *uint32)
// n f16 pairs widened to float32 (exact), laid out as gatherWBF16's.
TEXT ·gatherWF16(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	VMOVDQU32 (AX), Z1
	MOVQ mask+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ dst+32(FP), DI
wf16:
	KMOVW DX, K1
	VPXORD Z0, Z0, Z0
	VPGATHERDD (SI)(Z1*1), K1, Z0
	VPMOVDW Z0, Y2
	VCVTPH2PS Y2, Z2
	VPSRLD $16, Z0, Z3
	VPMOVDW Z3, Y3
	VCVTPH2PS Y3, Z3
	VMOVDQU32 Z2, (DI)
	VMOVDQU32 Z3, 64(DI)
	ADDQ $4, SI
	ADDQ $128, DI
	DECQ CX
	JNZ wf16
	VZEROUPPER
	RET

// func gatherX24(src *float32, idx *[24]int32, mask, n int, dst *uint32)
// An activation tile: dst[24*k+t] = the float at src+idx[t]+4k for the
// fgNT = 24 tokens (two gathers: 16 lanes, then 8).
TEXT ·gatherX24(SB), NOSPLIT, $0-40
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	VMOVDQU32 (AX), Z1
	VMOVDQU32 64(AX), Y5
	MOVQ mask+16(FP), DX
	MOVQ DX, BX
	SHRQ $16, BX
	MOVQ n+24(FP), CX
	MOVQ dst+32(FP), DI
x24:
	KMOVW DX, K1
	KMOVW BX, K2
	VPXORD Z0, Z0, Z0
	VPXORD Z6, Z6, Z6
	VPGATHERDD (SI)(Z1*1), K1, Z0
	VPGATHERDD (SI)(Y5*1), K2, Y6
	VMOVDQU32 Z0, (DI)
	VMOVDQU32 Y6, 64(DI)
	ADDQ $4, SI
	ADDQ $96, DI
	DECQ CX
	JNZ x24
	VZEROUPPER
	RET
