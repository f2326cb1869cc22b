#include "textflag.h"

// Float kernels, AVX-512: dot products of F32 activation rows with F32,
// F16 or BF16 weight rows (weights widened to F32 in registers, 16 at a
// time), and the F32 dot/axpy of attention. n is a multiple of 16; the
// callers finish any tail in Go. Row kernels store 16 float lanes per
// activation row (reduced by the caller, identically for 1 and 4 rows).

// Weight loaders: 16 values at SI -> Z0.
#define LOAD_F32 VMOVUPS (SI), Z0
#define LOAD_F16 VCVTPH2PS (SI), Z0
#define LOAD_BF16 \
	VPMOVZXWD (SI), Z0; \
	VPSLLD $16, Z0, Z0

#define ROWX1(name, load, wstep) \
TEXT name(SB), NOSPLIT, $0-40; \
	MOVQ w+0(FP), SI; \
	MOVQ n+8(FP), CX; \
	MOVQ x+16(FP), DI; \
	MOVQ out+32(FP), DX; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	SHRQ $4, CX; \
loop1: \
	load; \
	VFMADD231PS (DI), Z0, Z8; \
	ADDQ $wstep, SI; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ loop1; \
	VMOVUPS Z8, (DX); \
	VZEROUPPER; \
	RET

#define ROWX4(name, load, wstep) \
TEXT name(SB), NOSPLIT, $0-40; \
	MOVQ w+0(FP), SI; \
	MOVQ n+8(FP), CX; \
	MOVQ x+16(FP), DI; \
	MOVQ xStride+24(FP), R8; \
	MOVQ out+32(FP), DX; \
	LEAQ (R8)(R8*2), R12; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11; \
	SHRQ $4, CX; \
loop4: \
	load; \
	VFMADD231PS (DI), Z0, Z8; \
	VFMADD231PS (DI)(R8*1), Z0, Z9; \
	VFMADD231PS (DI)(R8*2), Z0, Z10; \
	VFMADD231PS (DI)(R12*1), Z0, Z11; \
	ADDQ $wstep, SI; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ loop4; \
	VMOVUPS Z8, (DX); \
	VMOVUPS Z9, 64(DX); \
	VMOVUPS Z10, 128(DX); \
	VMOVUPS Z11, 192(DX); \
	VZEROUPPER; \
	RET

// func f32RowX1(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX1(·f32RowX1, LOAD_F32, 64)

// func f16RowX1(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX1(·f16RowX1, LOAD_F16, 32)

// func bf16RowX1(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX1(·bf16RowX1, LOAD_BF16, 32)

// func f32RowX4(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX4(·f32RowX4, LOAD_F32, 64)

// func f16RowX4(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX4(·f16RowX4, LOAD_F16, 32)

// func bf16RowX4(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX4(·bf16RowX4, LOAD_BF16, 32)

// func dotF32(a, b *float32, n int) float32
TEXT ·dotF32(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	CMPQ CX, $32
	JLT dot16
dot32:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VFMADD231PS (DI), Z0, Z8
	VFMADD231PS 64(DI), Z1, Z9
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE dot32
dot16:
	CMPQ CX, $16
	JLT dotsum
	VMOVUPS (SI), Z0
	VFMADD231PS (DI), Z0, Z8
dotsum:
	VADDPS Z9, Z8, Z8
	VEXTRACTF64X4 $1, Z8, Y1
	VADDPS Y1, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	MOVSS X8, ret+24(FP)
	VZEROUPPER
	RET

// func axpyF32(a float32, x, y *float32, n int)
TEXT ·axpyF32(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Z7
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ axpydone
axpyloop:
	VMOVUPS (DI), Z0
	VFMADD231PS (SI), Z7, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ axpyloop
axpydone:
	VZEROUPPER
	RET
