#include "textflag.h"

// Vector exp for attention's softmax and SwiGLU, AVX-512: exp(x) =
// 2^n * e^r with n = round(x*log2 e), r = x - n*ln2 (ln2 in two parts, so r
// keeps full precision), e^r by its Taylor polynomial of degree 7 (|r| <=
// 0.35: truncation below 1e-8 relative) and 2^n by vscalefps. x is clamped to [-104, 88.7] first (exp underflows to 0 /
// stays finite). Tails are masked, so a value's result never depends on
// where in the slice it sits.

DATA expc<>+0(SB)/4, $0x3fb8aa3b  // log2(e)
DATA expc<>+4(SB)/4, $0x3f317200  // ln2, high part
DATA expc<>+8(SB)/4, $0x3f000000  // 1/2
DATA expc<>+12(SB)/4, $0x3e2aaaab // 1/6
DATA expc<>+16(SB)/4, $0x3d2aaaab // 1/24
DATA expc<>+20(SB)/4, $0x3c088889 // 1/120
DATA expc<>+24(SB)/4, $0x3ab60b61 // 1/720
DATA expc<>+28(SB)/4, $0x39500d01 // 1/5040
DATA expc<>+32(SB)/4, $0xc2d00000 // -104
DATA expc<>+36(SB)/4, $0x42b17218 // 88.72
DATA expc<>+40(SB)/4, $0x3f800000 // 1
DATA expc<>+44(SB)/4, $0x35bfbe8e // ln2, low part
GLOBL expc<>(SB), RODATA|NOPTR, $48

#define EXPCONSTS \
	VBROADCASTSS expc<>+0(SB), Z20; \
	VBROADCASTSS expc<>+4(SB), Z21; \
	VBROADCASTSS expc<>+8(SB), Z22; \
	VBROADCASTSS expc<>+12(SB), Z23; \
	VBROADCASTSS expc<>+16(SB), Z24; \
	VBROADCASTSS expc<>+20(SB), Z25; \
	VBROADCASTSS expc<>+24(SB), Z26; \
	VBROADCASTSS expc<>+28(SB), Z27; \
	VBROADCASTSS expc<>+32(SB), Z28; \
	VBROADCASTSS expc<>+36(SB), Z29; \
	VBROADCASTSS expc<>+40(SB), Z30; \
	VBROADCASTSS expc<>+44(SB), Z31

// EXP: x -> exp(x), in place; clobbers Z1, Z2, Z3.
#define EXP(x) \
	VMAXPS Z28, x, x; \
	VMINPS Z29, x, x; \
	VMULPS Z20, x, Z1; \
	VRNDSCALEPS $0, Z1, Z2; \
	VFNMADD231PS Z21, Z2, x; \
	VFNMADD231PS Z31, Z2, x; \
	VMOVAPS Z27, Z3; \
	VFMADD213PS Z26, x, Z3; \
	VFMADD213PS Z25, x, Z3; \
	VFMADD213PS Z24, x, Z3; \
	VFMADD213PS Z23, x, Z3; \
	VFMADD213PS Z22, x, Z3; \
	VFMADD213PS Z30, x, Z3; \
	VFMADD213PS Z30, x, Z3; \
	VSCALEFPS Z2, Z3, x

// TAILMASK sets K1 to the low CX bits (CX < 16).
#define TAILMASK \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1

// func expSubF32(x *float32, n int, m float32) float32
// x[i] = exp(x[i] - m); returns the sum of the new x[i] (lane-wise, then
// reduced in a fixed order).
TEXT ·expSubF32(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS m+16(FP), Z7
	EXPCONSTS
	VPXORD Z8, Z8, Z8
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ esTail
esLoop:
	VMOVUPS (DI), Z0
	VSUBPS Z7, Z0, Z0
	EXP(Z0)
	VMOVUPS Z0, (DI)
	VADDPS Z0, Z8, Z8
	ADDQ $64, DI
	DECQ DX
	JNZ esLoop
esTail:
	TESTQ CX, CX
	JZ esSum
	TAILMASK
	VMOVUPS.Z (DI), K1, Z0
	VSUBPS Z7, Z0, Z0
	EXP(Z0)
	VMOVUPS Z0, K1, (DI)
	VADDPS Z0, Z8, K1, Z8
esSum:
	VEXTRACTF64X4 $1, Z8, Y1
	VADDPS Y1, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	MOVSS X8, ret+24(FP)
	VZEROUPPER
	RET

// func swigluF32(dst, gate, up *float32, n int)
// dst[i] = gate[i] / (1 + exp(-gate[i])) * up[i]
TEXT ·swigluF32(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), R8
	MOVQ n+24(FP), CX
	EXPCONSTS
	VPXORD Z9, Z9, Z9
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ sgTail
sgLoop:
	VMOVUPS (SI), Z4
	VSUBPS Z4, Z9, Z0
	EXP(Z0)
	VADDPS Z30, Z0, Z0
	VMULPS (R8), Z4, Z4
	VDIVPS Z0, Z4, Z4
	VMOVUPS Z4, (DI)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, DI
	DECQ DX
	JNZ sgLoop
sgTail:
	TESTQ CX, CX
	JZ sgDone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z4
	VMOVUPS.Z (R8), K1, Z5
	VSUBPS Z4, Z9, Z0
	EXP(Z0)
	VADDPS Z30, Z0, Z0
	VMULPS Z5, Z4, Z4
	VDIVPS Z0, Z4, Z4
	VMOVUPS Z4, K1, (DI)
sgDone:
	VZEROUPPER
	RET
