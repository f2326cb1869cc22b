#include "textflag.h"

// RMSNorm pieces, AVX-512 with masked tails (a value's contribution never
// depends on its position): the sum of squares of x, and dst = x*s*w.

// func sumSquaresF32(x *float32, n int) float32
TEXT ·sumSquaresF32(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPXORD Z8, Z8, Z8
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ ssTail
ssLoop:
	VMOVUPS (SI), Z0
	VFMADD231PS Z0, Z0, Z8
	ADDQ $64, SI
	DECQ DX
	JNZ ssLoop
ssTail:
	TESTQ CX, CX
	JZ ssSum
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VFMADD231PS Z0, Z0, Z8
ssSum:
	VEXTRACTF64X4 $1, Z8, Y1
	VADDPS Y1, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	MOVSS X8, ret+16(FP)
	VZEROUPPER
	RET

// func scaleMulF32(dst, x, w *float32, s float32, n int)
TEXT ·scaleMulF32(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), R8
	VBROADCASTSS s+24(FP), Z7
	MOVQ n+32(FP), CX
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ smTail
smLoop:
	VMULPS (SI), Z7, Z0
	VMULPS (R8), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, DI
	DECQ DX
	JNZ smLoop
smTail:
	TESTQ CX, CX
	JZ smDone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (R8), K1, Z1
	VMULPS Z7, Z0, Z0
	VMULPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)
smDone:
	VZEROUPPER
	RET
