#include "textflag.h"

// RMSNorm pieces, AVX2+FMA: norm_amd64.s's kernels on 8-lane halves. The
// sum of squares keeps the AVX-512 kernel's 16 lanes (two halves) and its
// reduction order, so both give the same bits; tails are masked.

// nmask: 16 all-ones lanes, then 16 zero lanes (see TAILMASKS).
DATA nmask<>+0(SB)/8, $-1
DATA nmask<>+8(SB)/8, $-1
DATA nmask<>+16(SB)/8, $-1
DATA nmask<>+24(SB)/8, $-1
DATA nmask<>+32(SB)/8, $-1
DATA nmask<>+40(SB)/8, $-1
DATA nmask<>+48(SB)/8, $-1
DATA nmask<>+56(SB)/8, $-1
DATA nmask<>+64(SB)/8, $0
DATA nmask<>+72(SB)/8, $0
DATA nmask<>+80(SB)/8, $0
DATA nmask<>+88(SB)/8, $0
DATA nmask<>+96(SB)/8, $0
DATA nmask<>+104(SB)/8, $0
DATA nmask<>+112(SB)/8, $0
DATA nmask<>+120(SB)/8, $0
GLOBL nmask<>(SB), RODATA|NOPTR, $128

// TAILMASKS: Y10, Y11 select the first CX (< 16) of 16 lanes.
#define TAILMASKS \
	MOVQ $16, AX; \
	SUBQ CX, AX; \
	LEAQ nmask<>(SB), BX; \
	VMOVUPS (BX)(AX*4), Y10; \
	VMOVUPS 32(BX)(AX*4), Y11

// func sumSquaresF32AVX2(x *float32, n int) float32
TEXT ·sumSquaresF32AVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ ssTail
ssLoop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VFMADD231PS Y0, Y0, Y8
	VFMADD231PS Y1, Y1, Y9
	ADDQ $64, SI
	DECQ DX
	JNZ ssLoop
ssTail:
	TESTQ CX, CX
	JZ ssSum
	TAILMASKS
	VMASKMOVPS (SI), Y10, Y0
	VMASKMOVPS 32(SI), Y11, Y1
	VFMADD231PS Y0, Y0, Y8
	VFMADD231PS Y1, Y1, Y9
ssSum:
	VADDPS Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	VMOVSS X8, ret+16(FP)
	VZEROUPPER
	RET

// func scaleMulF32AVX2(dst, x, w *float32, s float32, n int)
// dst[i] = x[i]*s*w[i]
TEXT ·scaleMulF32AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), R8
	VBROADCASTSS s+24(FP), Y7
	MOVQ n+32(FP), CX
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ smTail
smLoop:
	VMULPS (SI), Y7, Y0
	VMULPS 32(SI), Y7, Y1
	VMULPS (R8), Y0, Y0
	VMULPS 32(R8), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, DI
	DECQ DX
	JNZ smLoop
smTail:
	TESTQ CX, CX
	JZ smDone
	TAILMASKS
	VMASKMOVPS (SI), Y10, Y0
	VMASKMOVPS (R8), Y10, Y2
	VMULPS Y7, Y0, Y0
	VMULPS Y2, Y0, Y0
	VMASKMOVPS Y0, Y10, (DI)
	VMASKMOVPS 32(SI), Y11, Y1
	VMASKMOVPS 32(R8), Y11, Y3
	VMULPS Y7, Y1, Y1
	VMULPS Y3, Y1, Y1
	VMASKMOVPS Y1, Y11, 32(DI)
smDone:
	VZEROUPPER
	RET
