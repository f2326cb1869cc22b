#include "textflag.h"

// dotsF32 and axpysF32 (attn_amd64.s) over F16 pools: the same loops, with
// each 16 keys/values widened by VCVTPH2PS (exact) from 32 bytes.

// func dotsF16(q *float32, k *uint16, kStride, n, hd int, scale float32, out *float32)
TEXT ·dotsF16(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ kStride+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R9
	VBROADCASTSS scale+40(FP), X7
	MOVQ out+48(FP), DX
	SHRQ $4, R9
	TESTQ CX, CX
	JZ dhDone
dhKey:
	VPXORD Z8, Z8, Z8
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ R9, R12
dhDim:
	VCVTPH2PS (R11), Z2
	VMOVUPS (R10), Z0
	VFMADD231PS Z2, Z0, Z8
	ADDQ $64, R10
	ADDQ $32, R11
	DECQ R12
	JNZ dhDim
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
	JNZ dhKey
dhDone:
	VZEROUPPER
	RET

// func axpysF16(acc *float32, v *uint16, vStride int, w *float32, n, hd int)
TEXT ·axpysF16(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ vStride+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ hd+40(FP), R10
	SHRQ $4, R10
	TESTQ CX, CX
	JZ ahDone
ahChunk:
	VMOVUPS (SI), Z8
	MOVQ DI, R11
	MOVQ R9, R12
	MOVQ CX, R13
ahKey:
	VCVTPH2PS (R11), Z2
	VBROADCASTSS (R12), Z1
	VFMADD231PS Z2, Z1, Z8
	ADDQ $4, R12
	ADDQ R8, R11
	DECQ R13
	JNZ ahKey
	VMOVUPS Z8, (SI)
	ADDQ $64, SI
	ADDQ $32, DI
	DECQ R10
	JNZ ahChunk
ahDone:
	VZEROUPPER
	RET
