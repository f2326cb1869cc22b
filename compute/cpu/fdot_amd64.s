#include "textflag.h"

// Float kernels, AVX-512: dot products of F32 activation rows with F32,
// F16 or BF16 weight rows (weights widened to F32 in registers, 16 at a
// time), and the F32 dot/axpy of attention. n is a multiple of 16; the
// callers finish any tail in Go. Row kernels store 16 float lanes per
// activation row (reduced by the caller, identically for 1 and 4 rows).

// Decode streams the weights from memory once per token: the loops ask for
// the lines PFD bytes ahead in every weight row they read (F16 one-row
// MatMul over 300 MB on 2 threads: 14-15 GB/s without, 16-17 with).
// Prefetches never fault and change no result.
#define PFD 2048
#define PF1(addr) PREFETCHT0 PFD addr

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
	PF1((SI)); \
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
	PF1((SI)); \
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


// Weight loaders from an address: 16 values -> dst.
#define LDA_F32(addr, dst) VMOVUPS addr, dst
#define LDA_F16(addr, dst) VCVTPH2PS addr, dst
#define LDA_BF16(addr, dst) \
	VPMOVZXWD addr, dst; \
	VPSLLD $16, dst, dst

// TILE4X4: 4 weight rows (SI, wStride R9 apart) x 4 activation rows (DI,
// xStride R8 apart): 16 accumulators, each the same sequence of FMAs as
// the 1-row kernel gives that pair (bit-identical results).
#define TILE_W(ld, addr, a0, a1, a2, a3) \
	ld(addr, Z0); \
	VFMADD231PS Z4, Z0, a0; \
	VFMADD231PS Z5, Z0, a1; \
	VFMADD231PS Z6, Z0, a2; \
	VFMADD231PS Z7, Z0, a3

#define TILE4X4(name, ld, wstep) \
TEXT name(SB), NOSPLIT, $0-48; \
	MOVQ w+0(FP), SI; \
	MOVQ wStride+8(FP), R9; \
	MOVQ n+16(FP), CX; \
	MOVQ x+24(FP), DI; \
	MOVQ xStride+32(FP), R8; \
	MOVQ out+40(FP), DX; \
	LEAQ (R9)(R9*2), R10; \
	LEAQ (R8)(R8*2), R12; \
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11; \
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15; \
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19; \
	VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23; \
	SHRQ $4, CX; \
tloop: \
	PF1((SI)); PF1((SI)(R9*1)); PF1((SI)(R9*2)); PF1((SI)(R10*1)); \
	VMOVUPS (DI), Z4; \
	VMOVUPS (DI)(R8*1), Z5; \
	VMOVUPS (DI)(R8*2), Z6; \
	VMOVUPS (DI)(R12*1), Z7; \
	TILE_W(ld, (SI), Z8, Z9, Z10, Z11); \
	TILE_W(ld, (SI)(R9*1), Z12, Z13, Z14, Z15); \
	TILE_W(ld, (SI)(R9*2), Z16, Z17, Z18, Z19); \
	TILE_W(ld, (SI)(R10*1), Z20, Z21, Z22, Z23); \
	ADDQ $wstep, SI; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ tloop; \
	VMOVUPS Z8, (DX); VMOVUPS Z9, 64(DX); VMOVUPS Z10, 128(DX); VMOVUPS Z11, 192(DX); \
	VMOVUPS Z12, 256(DX); VMOVUPS Z13, 320(DX); VMOVUPS Z14, 384(DX); VMOVUPS Z15, 448(DX); \
	VMOVUPS Z16, 512(DX); VMOVUPS Z17, 576(DX); VMOVUPS Z18, 640(DX); VMOVUPS Z19, 704(DX); \
	VMOVUPS Z20, 768(DX); VMOVUPS Z21, 832(DX); VMOVUPS Z22, 896(DX); VMOVUPS Z23, 960(DX); \
	VZEROUPPER; \
	RET

// ROWW4: one activation row (DI) x 4 weight rows (SI, wStride R9 apart):
// decode's kernel. Each pair's accumulator sees the same FMA sequence as
// in ROWX1 (bit-identical), and the four chains hide the FMA latency that
// a single chain would expose.
// The prefetch target (BX) is the next 4 rows, whose bytes follow these
// rows', when the rows are short (under 4*PFD bytes: a distance within a
// row would land in the rows being read), else PFD bytes ahead in each row.
#define ROWW4(name, ld, wstep) \
TEXT name(SB), NOSPLIT, $0-40; \
	MOVQ w+0(FP), SI; \
	MOVQ wStride+8(FP), R9; \
	MOVQ n+16(FP), CX; \
	MOVQ x+24(FP), DI; \
	MOVQ out+32(FP), DX; \
	LEAQ (R9)(R9*2), R10; \
	MOVQ $PFD, BX; \
	LEAQ (R9*4), AX; \
	CMPQ R9, $(4*PFD); \
	CMOVQLT AX, BX; \
	ADDQ SI, BX; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11; \
	SHRQ $4, CX; \
loopw4: \
	PREFETCHT0 (BX); PREFETCHT0 (BX)(R9*1); PREFETCHT0 (BX)(R9*2); PREFETCHT0 (BX)(R10*1); \
	VMOVUPS (DI), Z4; \
	ld((SI), Z0); \
	ld((SI)(R9*1), Z1); \
	ld((SI)(R9*2), Z2); \
	ld((SI)(R10*1), Z3); \
	VFMADD231PS Z4, Z0, Z8; \
	VFMADD231PS Z4, Z1, Z9; \
	VFMADD231PS Z4, Z2, Z10; \
	VFMADD231PS Z4, Z3, Z11; \
	ADDQ $wstep, SI; \
	ADDQ $wstep, BX; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ loopw4; \
	VMOVUPS Z8, (DX); \
	VMOVUPS Z9, 64(DX); \
	VMOVUPS Z10, 128(DX); \
	VMOVUPS Z11, 192(DX); \
	VZEROUPPER; \
	RET

// out[(4*o+r)*16 : +16] holds the lanes of weight row o, activation row r.

// func f32Tile4x4(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)
TILE4X4(·f32Tile4x4, LDA_F32, 64)

// func f16Tile4x4(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)
TILE4X4(·f16Tile4x4, LDA_F16, 32)

// func bf16Tile4x4(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)
TILE4X4(·bf16Tile4x4, LDA_BF16, 32)

// func f32RowW4(w *byte, wStride int, n int, x *float32, out *[64]float32)
ROWW4(·f32RowW4, LDA_F32, 64)

// func f16RowW4(w *byte, wStride int, n int, x *float32, out *[64]float32)
ROWW4(·f16RowW4, LDA_F16, 32)

// func bf16RowW4(w *byte, wStride int, n int, x *float32, out *[64]float32)
ROWW4(·bf16RowW4, LDA_BF16, 32)

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
