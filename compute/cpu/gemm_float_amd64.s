#include "textflag.h"

// fgTile24 (laneGemm.tile of the F32-word GEMMs, gemm_float.go): 16 weight
// rows, one per 32-bit lane of Z0 (the panel's next 64 bytes), times fgNT =
// 24 tokens whose values sit side by side in the activation tile and are
// broadcast from memory ({1to16}): per k one 64-byte load feeds 24 FMAs
// into Z8..Z31, one accumulator per token, started from zero or (load)
// from dst, so that a long k runs in blocks with the same FMA sequence.

// Accumulator prologue and epilogue: zero, or load from dst row by row
// (R9, R8 bytes apart); store to dst row by row (DX).
#define ZERO(z) VPXORD z, z, z
#define LD(z) VMOVUPS (R9), z; ADDQ R8, R9
#define ST(z) VMOVUPS z, (DX); ADDQ R8, DX

// func fgTile24(p, x *uint32, steps int, dst *float32, ldd int, load bool)
TEXT ·fgTile24(SB), NOSPLIT, $0-41
	MOVQ p+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ steps+16(FP), CX
	MOVQ dst+24(FP), DX
	MOVQ ldd+32(FP), R8
	SHLQ $2, R8
	MOVQ DX, R9
	CMPB load+40(FP), $0
	JNE  fgTile24_load
	ZERO(Z8); ZERO(Z9); ZERO(Z10); ZERO(Z11); ZERO(Z12); ZERO(Z13); ZERO(Z14); ZERO(Z15)
	ZERO(Z16); ZERO(Z17); ZERO(Z18); ZERO(Z19); ZERO(Z20); ZERO(Z21); ZERO(Z22); ZERO(Z23)
	ZERO(Z24); ZERO(Z25); ZERO(Z26); ZERO(Z27); ZERO(Z28); ZERO(Z29); ZERO(Z30); ZERO(Z31)
	JMP fgTile24_loop
fgTile24_load:
	LD(Z8); LD(Z9); LD(Z10); LD(Z11); LD(Z12); LD(Z13); LD(Z14); LD(Z15)
	LD(Z16); LD(Z17); LD(Z18); LD(Z19); LD(Z20); LD(Z21); LD(Z22); LD(Z23)
	LD(Z24); LD(Z25); LD(Z26); LD(Z27); LD(Z28); LD(Z29); LD(Z30); LD(Z31)
fgTile24_loop:
	VMOVUPS (SI), Z0
	VFMADD231PS.BCST 0(DI), Z0, Z8; VFMADD231PS.BCST 4(DI), Z0, Z9; VFMADD231PS.BCST 8(DI), Z0, Z10
	VFMADD231PS.BCST 12(DI), Z0, Z11; VFMADD231PS.BCST 16(DI), Z0, Z12; VFMADD231PS.BCST 20(DI), Z0, Z13
	VFMADD231PS.BCST 24(DI), Z0, Z14; VFMADD231PS.BCST 28(DI), Z0, Z15; VFMADD231PS.BCST 32(DI), Z0, Z16
	VFMADD231PS.BCST 36(DI), Z0, Z17; VFMADD231PS.BCST 40(DI), Z0, Z18; VFMADD231PS.BCST 44(DI), Z0, Z19
	VFMADD231PS.BCST 48(DI), Z0, Z20; VFMADD231PS.BCST 52(DI), Z0, Z21; VFMADD231PS.BCST 56(DI), Z0, Z22
	VFMADD231PS.BCST 60(DI), Z0, Z23; VFMADD231PS.BCST 64(DI), Z0, Z24; VFMADD231PS.BCST 68(DI), Z0, Z25
	VFMADD231PS.BCST 72(DI), Z0, Z26; VFMADD231PS.BCST 76(DI), Z0, Z27; VFMADD231PS.BCST 80(DI), Z0, Z28
	VFMADD231PS.BCST 84(DI), Z0, Z29; VFMADD231PS.BCST 88(DI), Z0, Z30; VFMADD231PS.BCST 92(DI), Z0, Z31
	ADDQ $64, SI
	ADDQ $96, DI
	DECQ CX
	JNZ fgTile24_loop
	ST(Z8); ST(Z9); ST(Z10); ST(Z11); ST(Z12); ST(Z13); ST(Z14); ST(Z15)
	ST(Z16); ST(Z17); ST(Z18); ST(Z19); ST(Z20); ST(Z21); ST(Z22); ST(Z23)
	ST(Z24); ST(Z25); ST(Z26); ST(Z27); ST(Z28); ST(Z29); ST(Z30); ST(Z31)
	VZEROUPPER
	RET

// fgTile16 and fgTile8 are fgTile24 for the first 16 or 8 tokens of a tile
// (a call's last, partial tile): the same FMAs per token.
// func fgTile16(p, x *uint32, steps int, dst *float32, ldd int, load bool)
TEXT ·fgTile16(SB), NOSPLIT, $0-41
	MOVQ p+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ steps+16(FP), CX
	MOVQ dst+24(FP), DX
	MOVQ ldd+32(FP), R8
	SHLQ $2, R8
	MOVQ DX, R9
	CMPB load+40(FP), $0
	JNE  fgTile16_load
	ZERO(Z8); ZERO(Z9); ZERO(Z10); ZERO(Z11); ZERO(Z12); ZERO(Z13); ZERO(Z14); ZERO(Z15)
	ZERO(Z16); ZERO(Z17); ZERO(Z18); ZERO(Z19); ZERO(Z20); ZERO(Z21); ZERO(Z22); ZERO(Z23)
	JMP fgTile16_loop
fgTile16_load:
	LD(Z8); LD(Z9); LD(Z10); LD(Z11); LD(Z12); LD(Z13); LD(Z14); LD(Z15)
	LD(Z16); LD(Z17); LD(Z18); LD(Z19); LD(Z20); LD(Z21); LD(Z22); LD(Z23)
fgTile16_loop:
	VMOVUPS (SI), Z0
	VFMADD231PS.BCST 0(DI), Z0, Z8; VFMADD231PS.BCST 4(DI), Z0, Z9; VFMADD231PS.BCST 8(DI), Z0, Z10
	VFMADD231PS.BCST 12(DI), Z0, Z11; VFMADD231PS.BCST 16(DI), Z0, Z12; VFMADD231PS.BCST 20(DI), Z0, Z13
	VFMADD231PS.BCST 24(DI), Z0, Z14; VFMADD231PS.BCST 28(DI), Z0, Z15; VFMADD231PS.BCST 32(DI), Z0, Z16
	VFMADD231PS.BCST 36(DI), Z0, Z17; VFMADD231PS.BCST 40(DI), Z0, Z18; VFMADD231PS.BCST 44(DI), Z0, Z19
	VFMADD231PS.BCST 48(DI), Z0, Z20; VFMADD231PS.BCST 52(DI), Z0, Z21; VFMADD231PS.BCST 56(DI), Z0, Z22
	VFMADD231PS.BCST 60(DI), Z0, Z23
	ADDQ $64, SI
	ADDQ $96, DI
	DECQ CX
	JNZ fgTile16_loop
	ST(Z8); ST(Z9); ST(Z10); ST(Z11); ST(Z12); ST(Z13); ST(Z14); ST(Z15)
	ST(Z16); ST(Z17); ST(Z18); ST(Z19); ST(Z20); ST(Z21); ST(Z22); ST(Z23)
	VZEROUPPER
	RET

// func fgTile8(p, x *uint32, steps int, dst *float32, ldd int, load bool)
TEXT ·fgTile8(SB), NOSPLIT, $0-41
	MOVQ p+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ steps+16(FP), CX
	MOVQ dst+24(FP), DX
	MOVQ ldd+32(FP), R8
	SHLQ $2, R8
	MOVQ DX, R9
	CMPB load+40(FP), $0
	JNE  fgTile8_load
	ZERO(Z8); ZERO(Z9); ZERO(Z10); ZERO(Z11); ZERO(Z12); ZERO(Z13); ZERO(Z14); ZERO(Z15)
	JMP fgTile8_loop
fgTile8_load:
	LD(Z8); LD(Z9); LD(Z10); LD(Z11); LD(Z12); LD(Z13); LD(Z14); LD(Z15)
fgTile8_loop:
	VMOVUPS (SI), Z0
	VFMADD231PS.BCST 0(DI), Z0, Z8; VFMADD231PS.BCST 4(DI), Z0, Z9; VFMADD231PS.BCST 8(DI), Z0, Z10
	VFMADD231PS.BCST 12(DI), Z0, Z11; VFMADD231PS.BCST 16(DI), Z0, Z12; VFMADD231PS.BCST 20(DI), Z0, Z13
	VFMADD231PS.BCST 24(DI), Z0, Z14; VFMADD231PS.BCST 28(DI), Z0, Z15
	ADDQ $64, SI
	ADDQ $96, DI
	DECQ CX
	JNZ fgTile8_loop
	ST(Z8); ST(Z9); ST(Z10); ST(Z11); ST(Z12); ST(Z13); ST(Z14); ST(Z15)
	VZEROUPPER
	RET
