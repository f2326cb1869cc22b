#include "textflag.h"

// Attention kernels, AVX2+FMA: attn_amd64.s's loops over a run of keys or
// values in consecutive pool rows (strides in bytes). hd is a multiple of
// 16. Each score keeps the AVX-512 kernel's 16 lanes (two 8-lane halves)
// and reduction, so both give the same bits; each value lane is its own
// chain in both, so the accumulation may take wider chunks here (8
// accumulators: enough independent FMAs to hide their latency).

// func dotsF32AVX2(q, k *float32, kStride, n, hd int, scale float32, out *float32)
TEXT ·dotsF32AVX2(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ kStride+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R9
	VMOVSS scale+40(FP), X7
	MOVQ out+48(FP), DX
	SHRQ $4, R9
	TESTQ CX, CX
	JZ dsDone
dsKey:
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ R9, R12
dsDim:
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), Y1
	VFMADD231PS (R11), Y0, Y8
	VFMADD231PS 32(R11), Y1, Y9
	ADDQ $64, R10
	ADDQ $64, R11
	DECQ R12
	JNZ dsDim
	VADDPS Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	VMULSS X7, X8, X8
	VMOVSS X8, (DX)
	ADDQ $4, DX
	ADDQ R8, DI
	DECQ CX
	JNZ dsKey
dsDone:
	VZEROUPPER
	RET

// func axpysF32AVX2(acc, v *float32, vStride int, w *float32, n, hd int)
// acc[0:hd] += sum_j w[j] * v[j*vStride : j*vStride+hd], j in order: 64
// columns at a time, then 16.
TEXT ·axpysF32AVX2(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ vStride+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ hd+40(FP), R10
	TESTQ CX, CX
	JZ axDone
	CMPQ R10, $64
	JLT ax16
ax64:
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VMOVUPS 64(SI), Y10
	VMOVUPS 96(SI), Y11
	VMOVUPS 128(SI), Y12
	VMOVUPS 160(SI), Y13
	VMOVUPS 192(SI), Y14
	VMOVUPS 224(SI), Y15
	MOVQ DI, R11
	MOVQ R9, R12
	MOVQ CX, R13
ax64Key:
	VBROADCASTSS (R12), Y1
	VFMADD231PS (R11), Y1, Y8
	VFMADD231PS 32(R11), Y1, Y9
	VFMADD231PS 64(R11), Y1, Y10
	VFMADD231PS 96(R11), Y1, Y11
	VFMADD231PS 128(R11), Y1, Y12
	VFMADD231PS 160(R11), Y1, Y13
	VFMADD231PS 192(R11), Y1, Y14
	VFMADD231PS 224(R11), Y1, Y15
	ADDQ $4, R12
	ADDQ R8, R11
	DECQ R13
	JNZ ax64Key
	VMOVUPS Y8, (SI)
	VMOVUPS Y9, 32(SI)
	VMOVUPS Y10, 64(SI)
	VMOVUPS Y11, 96(SI)
	VMOVUPS Y12, 128(SI)
	VMOVUPS Y13, 160(SI)
	VMOVUPS Y14, 192(SI)
	VMOVUPS Y15, 224(SI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, R10
	CMPQ R10, $64
	JGE ax64
ax16:
	CMPQ R10, $16
	JLT axDone
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	MOVQ DI, R11
	MOVQ R9, R12
	MOVQ CX, R13
ax16Key:
	VBROADCASTSS (R12), Y1
	VFMADD231PS (R11), Y1, Y8
	VFMADD231PS 32(R11), Y1, Y9
	ADDQ $4, R12
	ADDQ R8, R11
	DECQ R13
	JNZ ax16Key
	VMOVUPS Y8, (SI)
	VMOVUPS Y9, 32(SI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, R10
	JMP ax16
axDone:
	VZEROUPPER
	RET
