#include "textflag.h"

// Attention kernels, AVX-512, over a run of keys/values that sit in
// consecutive pool rows (one KV block). hd is a multiple of 16.

// func dotsF32(q, k *float32, kStride, n, hd int, scale float32, out *float32)
// out[j] = scale * <q, k[j*kStride : j*kStride+hd]> for j < n (strides in
// bytes). Each dot takes the same FMA and reduction sequence as dotF32's
// 16-wide path would for a single accumulator.
TEXT ·dotsF32(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ kStride+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R9
	VBROADCASTSS scale+40(FP), X7
	MOVQ out+48(FP), DX
	SHRQ $4, R9
	TESTQ CX, CX
	JZ dsDone
dsKey:
	VPXORD Z8, Z8, Z8
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ R9, R12
dsDim:
	VMOVUPS (R10), Z0
	VFMADD231PS (R11), Z0, Z8
	ADDQ $64, R10
	ADDQ $64, R11
	DECQ R12
	JNZ dsDim
	VEXTRACTF64X4 $1, Z8, Y1
	VADDPS Y1, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	VMULSS X7, X8, X8
	MOVSS X8, (DX)
	ADDQ $4, DX
	ADDQ R8, DI
	DECQ CX
	JNZ dsKey
dsDone:
	VZEROUPPER
	RET

// func axpysF32(acc, v *float32, vStride int, w *float32, n, hd int)
// acc[0:hd] += sum_j w[j] * v[j*vStride : j*vStride+hd], j in order.
TEXT ·axpysF32(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ vStride+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ hd+40(FP), R10
	SHRQ $4, R10
	TESTQ CX, CX
	JZ axDone
axChunk:
	VMOVUPS (SI), Z8
	MOVQ DI, R11
	MOVQ R9, R12
	MOVQ CX, R13
axKey:
	VBROADCASTSS (R12), Z1
	VFMADD231PS (R11), Z1, Z8
	ADDQ $4, R12
	ADDQ R8, R11
	DECQ R13
	JNZ axKey
	VMOVUPS Z8, (SI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ R10
	JNZ axChunk
axDone:
	VZEROUPPER
	RET
