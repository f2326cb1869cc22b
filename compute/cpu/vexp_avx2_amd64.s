#include "textflag.h"

// Vector exp, softmax step and SwiGLU, AVX2+FMA: vexp_amd64.s's algorithm
// (same clamp, same range reduction, same polynomial, same rounding) on
// 8-lane halves. vscalefps has no AVX2 form: 2^n is applied as two exact
// power-of-two factors 2^(n>>1) and 2^(n-(n>>1)), each a normal float for
// n in [-150, 128], so the product rounds once, as vscalefps does; every
// value is bit-identical to the AVX-512 kernel. expSub sums 16 lanes (two
// halves) and reduces them in the AVX-512 order. Tails are masked
// (vmaskmovps), so a value's result never depends on its position.

#define C8(off, v) \
	DATA expv<>+off+0(SB)/4, v; DATA expv<>+off+4(SB)/4, v; \
	DATA expv<>+off+8(SB)/4, v; DATA expv<>+off+12(SB)/4, v; \
	DATA expv<>+off+16(SB)/4, v; DATA expv<>+off+20(SB)/4, v; \
	DATA expv<>+off+24(SB)/4, v; DATA expv<>+off+28(SB)/4, v

C8(0, $0x3fb8aa3b)   // log2(e)
C8(32, $0x3f317200)  // ln2, high part
C8(64, $0x3f000000)  // 1/2
C8(96, $0x3e2aaaab)  // 1/6
C8(128, $0x3d2aaaab) // 1/24
C8(160, $0x3c088889) // 1/120
C8(192, $0x3ab60b61) // 1/720
C8(224, $0x39500d01) // 1/5040
C8(256, $0xc2d00000) // -104
C8(288, $0x42b17218) // 88.72
C8(320, $0x3f800000) // 1
C8(352, $0x35bfbe8e) // ln2, low part
C8(384, $127)        // exponent bias (int32)
GLOBL expv<>(SB), RODATA|NOPTR, $416

// tailmask: 16 all-ones lanes, then 16 zero lanes; the 8 lanes at
// tailmask+4*(16-c) (+32 for the upper half) select the first c of 16.
DATA tailmask<>+0(SB)/8, $-1
DATA tailmask<>+8(SB)/8, $-1
DATA tailmask<>+16(SB)/8, $-1
DATA tailmask<>+24(SB)/8, $-1
DATA tailmask<>+32(SB)/8, $-1
DATA tailmask<>+40(SB)/8, $-1
DATA tailmask<>+48(SB)/8, $-1
DATA tailmask<>+56(SB)/8, $-1
DATA tailmask<>+64(SB)/8, $0
DATA tailmask<>+72(SB)/8, $0
DATA tailmask<>+80(SB)/8, $0
DATA tailmask<>+88(SB)/8, $0
DATA tailmask<>+96(SB)/8, $0
DATA tailmask<>+104(SB)/8, $0
DATA tailmask<>+112(SB)/8, $0
DATA tailmask<>+120(SB)/8, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $128

// EXP: x -> exp(x) in place (8 lanes); clobbers Y1, Y2, Y3.
#define EXP(x) \
	VMAXPS expv<>+256(SB), x, x; \
	VMINPS expv<>+288(SB), x, x; \
	VMULPS expv<>+0(SB), x, Y1; \
	VROUNDPS $0, Y1, Y2; \
	VFNMADD231PS expv<>+32(SB), Y2, x; \
	VFNMADD231PS expv<>+352(SB), Y2, x; \
	VMOVUPS expv<>+224(SB), Y3; \
	VFMADD213PS expv<>+192(SB), x, Y3; \
	VFMADD213PS expv<>+160(SB), x, Y3; \
	VFMADD213PS expv<>+128(SB), x, Y3; \
	VFMADD213PS expv<>+96(SB), x, Y3; \
	VFMADD213PS expv<>+64(SB), x, Y3; \
	VFMADD213PS expv<>+320(SB), x, Y3; \
	VFMADD213PS expv<>+320(SB), x, Y3; \
	VCVTPS2DQ Y2, Y1; \
	VPSRAD $1, Y1, Y2; \
	VPSUBD Y2, Y1, Y1; \
	VPADDD expv<>+384(SB), Y2, Y2; \
	VPADDD expv<>+384(SB), Y1, Y1; \
	VPSLLD $23, Y2, Y2; \
	VPSLLD $23, Y1, Y1; \
	VMULPS Y2, Y3, Y3; \
	VMULPS Y1, Y3, x

// TAILMASKS: Y10, Y11 select the first CX (< 16) of 16 lanes.
#define TAILMASKS \
	MOVQ $16, AX; \
	SUBQ CX, AX; \
	LEAQ tailmask<>(SB), BX; \
	VMOVUPS (BX)(AX*4), Y10; \
	VMOVUPS 32(BX)(AX*4), Y11

// func expSubF32AVX2(x *float32, n int, m float32) float32
TEXT ·expSubF32AVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS m+16(FP), Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ esTail
esLoop:
	VMOVUPS (DI), Y0
	VSUBPS Y7, Y0, Y0
	EXP(Y0)
	VMOVUPS Y0, (DI)
	VADDPS Y0, Y8, Y8
	VMOVUPS 32(DI), Y0
	VSUBPS Y7, Y0, Y0
	EXP(Y0)
	VMOVUPS Y0, 32(DI)
	VADDPS Y0, Y9, Y9
	ADDQ $64, DI
	DECQ DX
	JNZ esLoop
esTail:
	TESTQ CX, CX
	JZ esSum
	TAILMASKS
	VMASKMOVPS (DI), Y10, Y0
	VSUBPS Y7, Y0, Y0
	EXP(Y0)
	VMASKMOVPS Y0, Y10, (DI)
	VANDPS Y10, Y0, Y0
	VADDPS Y0, Y8, Y8
	VMASKMOVPS 32(DI), Y11, Y0
	VSUBPS Y7, Y0, Y0
	EXP(Y0)
	VMASKMOVPS Y0, Y11, 32(DI)
	VANDPS Y11, Y0, Y0
	VADDPS Y0, Y9, Y9
esSum:
	VADDPS Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	VMOVSS X8, ret+24(FP)
	VZEROUPPER
	RET

// SILU8: Y0 = gate(Y4) * up(Y5) / (1 + exp(-gate)); clobbers Y1-Y3.
#define SILU8 \
	VSUBPS Y4, Y9, Y0; \
	EXP(Y0); \
	VADDPS expv<>+320(SB), Y0, Y0; \
	VMULPS Y5, Y4, Y4; \
	VDIVPS Y0, Y4, Y0

// func swigluF32AVX2(dst, gate, up *float32, n int)
// dst[i] = gate[i] / (1 + exp(-gate[i])) * up[i]
TEXT ·swigluF32AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), R8
	MOVQ n+24(FP), CX
	VXORPS Y9, Y9, Y9
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ sgTail
sgLoop:
	VMOVUPS (SI), Y4
	VMOVUPS (R8), Y5
	SILU8
	VMOVUPS Y0, (DI)
	VMOVUPS 32(SI), Y4
	VMOVUPS 32(R8), Y5
	SILU8
	VMOVUPS Y0, 32(DI)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, DI
	DECQ DX
	JNZ sgLoop
sgTail:
	TESTQ CX, CX
	JZ sgDone
	TAILMASKS
	VMASKMOVPS (SI), Y10, Y4
	VMASKMOVPS (R8), Y10, Y5
	SILU8
	VMASKMOVPS Y0, Y10, (DI)
	VMASKMOVPS 32(SI), Y11, Y4
	VMASKMOVPS 32(R8), Y11, Y5
	SILU8
	VMASKMOVPS Y0, Y11, 32(DI)
sgDone:
	VZEROUPPER
	RET
