#include "textflag.h"

// Float kernels, AVX2+FMA(+F16C): the twins of fdot_amd64.s for CPUs
// without AVX-512. A 16-lane accumulator of the AVX-512 kernels is two
// 8-lane halves here (lanes 0-7 and 8-15), each lane seeing the same FMA
// sequence; the stored 16 lanes per (weight row, activation row) pair, and
// so every result, are bit-identical to the AVX-512 kernels and identical
// across the 1-row, 4-row and tile forms. n is a multiple of 16.

// Decode streams the weights from memory once per token: the loops ask
// for the lines PFD bytes ahead in every weight row they read (see
// fdot_amd64.s). Prefetches never fault and change no result.
#define PFD 2048
#define PF1(addr) PREFETCHT0 PFD addr

// Weight loaders: 8 values at addr -> dst (YMM).
#define LD_F32(addr, dst) VMOVUPS addr, dst
#define LD_F16(addr, dst) VCVTPH2PS addr, dst
#define LD_BF16(addr, dst) \
	VPMOVZXWD addr, dst; \
	VPSLLD $16, dst, dst

// ROWX1: one weight row (SI) x one activation row (DI).
#define ROWX1(name, ld, wstep, wh) \
TEXT name(SB), NOSPLIT, $0-40; \
	MOVQ w+0(FP), SI; \
	MOVQ n+8(FP), CX; \
	MOVQ x+16(FP), DI; \
	MOVQ out+32(FP), DX; \
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	SHRQ $4, CX; \
loop1: \
	PF1((SI)); \
	ld((SI), Y0); \
	ld(wh(SI), Y1); \
	VFMADD231PS (DI), Y0, Y8; \
	VFMADD231PS 32(DI), Y1, Y9; \
	ADDQ $wstep, SI; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ loop1; \
	VMOVUPS Y8, (DX); \
	VMOVUPS Y9, 32(DX); \
	VZEROUPPER; \
	RET

// ROWX4: one weight row (SI) x 4 activation rows (DI, xStride R8 apart).
#define ROWX4(name, ld, wstep, wh) \
TEXT name(SB), NOSPLIT, $0-40; \
	MOVQ w+0(FP), SI; \
	MOVQ n+8(FP), CX; \
	MOVQ x+16(FP), DI; \
	MOVQ xStride+24(FP), R8; \
	MOVQ out+32(FP), DX; \
	LEAQ (R8)(R8*2), R12; \
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11; \
	VXORPS Y12, Y12, Y12; VXORPS Y13, Y13, Y13; VXORPS Y14, Y14, Y14; VXORPS Y15, Y15, Y15; \
	SHRQ $4, CX; \
loop4: \
	PF1((SI)); \
	ld((SI), Y0); \
	ld(wh(SI), Y1); \
	VFMADD231PS (DI), Y0, Y8; \
	VFMADD231PS 32(DI), Y1, Y9; \
	VFMADD231PS (DI)(R8*1), Y0, Y10; \
	VFMADD231PS 32(DI)(R8*1), Y1, Y11; \
	VFMADD231PS (DI)(R8*2), Y0, Y12; \
	VFMADD231PS 32(DI)(R8*2), Y1, Y13; \
	VFMADD231PS (DI)(R12*1), Y0, Y14; \
	VFMADD231PS 32(DI)(R12*1), Y1, Y15; \
	ADDQ $wstep, SI; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ loop4; \
	VMOVUPS Y8, (DX); VMOVUPS Y9, 32(DX); VMOVUPS Y10, 64(DX); VMOVUPS Y11, 96(DX); \
	VMOVUPS Y12, 128(DX); VMOVUPS Y13, 160(DX); VMOVUPS Y14, 192(DX); VMOVUPS Y15, 224(DX); \
	VZEROUPPER; \
	RET

// ROWW4: one activation row (DI) x 4 weight rows (SI, wStride R9 apart):
// decode's kernel; eight independent FMA chains.
// The prefetch target (BX) is the next 4 rows, whose bytes follow these
// rows', when the rows are short (under 4*PFD bytes: a distance within a
// row would land in the rows being read), else PFD bytes ahead in each row.
#define ROWW4(name, ld, wstep, wh) \
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
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11; \
	VXORPS Y12, Y12, Y12; VXORPS Y13, Y13, Y13; VXORPS Y14, Y14, Y14; VXORPS Y15, Y15, Y15; \
	SHRQ $4, CX; \
loopw4: \
	PREFETCHT0 (BX); PREFETCHT0 (BX)(R9*1); PREFETCHT0 (BX)(R9*2); PREFETCHT0 (BX)(R10*1); \
	VMOVUPS (DI), Y4; \
	VMOVUPS 32(DI), Y5; \
	ld((SI), Y0); \
	ld(wh(SI), Y1); \
	ld((SI)(R9*1), Y2); \
	ld(wh(SI)(R9*1), Y3); \
	VFMADD231PS Y4, Y0, Y8; \
	VFMADD231PS Y5, Y1, Y9; \
	VFMADD231PS Y4, Y2, Y10; \
	VFMADD231PS Y5, Y3, Y11; \
	ld((SI)(R9*2), Y0); \
	ld(wh(SI)(R9*2), Y1); \
	ld((SI)(R10*1), Y2); \
	ld(wh(SI)(R10*1), Y3); \
	VFMADD231PS Y4, Y0, Y12; \
	VFMADD231PS Y5, Y1, Y13; \
	VFMADD231PS Y4, Y2, Y14; \
	VFMADD231PS Y5, Y3, Y15; \
	ADDQ $wstep, SI; \
	ADDQ $wstep, BX; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ loopw4; \
	VMOVUPS Y8, (DX); VMOVUPS Y9, 32(DX); VMOVUPS Y10, 64(DX); VMOVUPS Y11, 96(DX); \
	VMOVUPS Y12, 128(DX); VMOVUPS Y13, 160(DX); VMOVUPS Y14, 192(DX); VMOVUPS Y15, 224(DX); \
	VZEROUPPER; \
	RET

// TPASS: one 8-lane half of 2 weight rows (SI, SI+R9) x 4 activation rows
// (DI, xStride R8 apart, R12 = 3*R8) over R11 steps of 16 columns; the 8
// accumulators go to R10 + 64*(4*i+r). Sixteen YMM registers hold only
// half a 4x4 tile of 16-lane accumulators, so the tile runs as 4 passes.
#define TPASS(ld, wstep, lbl) \
	MOVQ R11, CX; \
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11; \
	VXORPS Y12, Y12, Y12; VXORPS Y13, Y13, Y13; VXORPS Y14, Y14, Y14; VXORPS Y15, Y15, Y15; \
lbl: \
	PF1((SI)); PF1((SI)(R9*1)); \
	VMOVUPS (DI), Y4; \
	VMOVUPS (DI)(R8*1), Y5; \
	VMOVUPS (DI)(R8*2), Y6; \
	VMOVUPS (DI)(R12*1), Y7; \
	ld((SI), Y0); \
	ld((SI)(R9*1), Y1); \
	VFMADD231PS Y4, Y0, Y8; \
	VFMADD231PS Y5, Y0, Y9; \
	VFMADD231PS Y6, Y0, Y10; \
	VFMADD231PS Y7, Y0, Y11; \
	VFMADD231PS Y4, Y1, Y12; \
	VFMADD231PS Y5, Y1, Y13; \
	VFMADD231PS Y6, Y1, Y14; \
	VFMADD231PS Y7, Y1, Y15; \
	ADDQ $wstep, SI; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ lbl; \
	VMOVUPS Y8, (R10); VMOVUPS Y9, 64(R10); VMOVUPS Y10, 128(R10); VMOVUPS Y11, 192(R10); \
	VMOVUPS Y12, 256(R10); VMOVUPS Y13, 320(R10); VMOVUPS Y14, 384(R10); VMOVUPS Y15, 448(R10)

// TILE4X4: 4 weight rows (R13, wStride R9 apart) x 4 activation rows
// (R14, xStride R8 apart) as passes (rows 0-1, lanes 0-7), (rows 0-1,
// lanes 8-15), (rows 2-3, lanes 0-7), (rows 2-3, lanes 8-15).
#define TILE4X4(name, ld, wstep, wh) \
TEXT name(SB), NOSPLIT, $0-48; \
	MOVQ w+0(FP), R13; \
	MOVQ wStride+8(FP), R9; \
	MOVQ n+16(FP), R11; \
	MOVQ x+24(FP), R14; \
	MOVQ xStride+32(FP), R8; \
	MOVQ out+40(FP), DX; \
	LEAQ (R8)(R8*2), R12; \
	SHRQ $4, R11; \
	MOVQ R13, SI; \
	MOVQ R14, DI; \
	MOVQ DX, R10; \
	TPASS(ld, wstep, tp0); \
	LEAQ wh(R13), SI; \
	LEAQ 32(R14), DI; \
	LEAQ 32(DX), R10; \
	TPASS(ld, wstep, tp1); \
	LEAQ (R13)(R9*2), SI; \
	MOVQ R14, DI; \
	LEAQ 512(DX), R10; \
	TPASS(ld, wstep, tp2); \
	LEAQ wh(R13)(R9*2), SI; \
	LEAQ 32(R14), DI; \
	LEAQ 544(DX), R10; \
	TPASS(ld, wstep, tp3); \
	VZEROUPPER; \
	RET

// out[(4*o+r)*16 : +16] holds the lanes of weight row o, activation row r.

// func f32Tile4x4AVX2(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)
TILE4X4(·f32Tile4x4AVX2, LD_F32, 64, 32)

// func f16Tile4x4AVX2(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)
TILE4X4(·f16Tile4x4AVX2, LD_F16, 32, 16)

// func bf16Tile4x4AVX2(w *byte, wStride int, n int, x *float32, xStride int, out *[256]float32)
TILE4X4(·bf16Tile4x4AVX2, LD_BF16, 32, 16)

// func f32RowW4AVX2(w *byte, wStride int, n int, x *float32, out *[64]float32)
ROWW4(·f32RowW4AVX2, LD_F32, 64, 32)

// func f16RowW4AVX2(w *byte, wStride int, n int, x *float32, out *[64]float32)
ROWW4(·f16RowW4AVX2, LD_F16, 32, 16)

// func bf16RowW4AVX2(w *byte, wStride int, n int, x *float32, out *[64]float32)
ROWW4(·bf16RowW4AVX2, LD_BF16, 32, 16)

// func f32RowX1AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX1(·f32RowX1AVX2, LD_F32, 64, 32)

// func f16RowX1AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX1(·f16RowX1AVX2, LD_F16, 32, 16)

// func bf16RowX1AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX1(·bf16RowX1AVX2, LD_BF16, 32, 16)

// func f32RowX4AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX4(·f32RowX4AVX2, LD_F32, 64, 32)

// func f16RowX4AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX4(·f16RowX4AVX2, LD_F16, 32, 16)

// func bf16RowX4AVX2(w *byte, n int, x *float32, xStride int, out *[64]float32)
ROWX4(·bf16RowX4AVX2, LD_BF16, 32, 16)

// func dotF32AVX2(a, b *float32, n int) float32
// dotF32's two 16-lane accumulators as four 8-lane ones (Y8,Y9 | Y10,Y11),
// reduced in dotF32's order.
TEXT ·dotF32AVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	CMPQ CX, $32
	JLT dot16
dot32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VFMADD231PS (DI), Y0, Y8
	VFMADD231PS 32(DI), Y1, Y9
	VFMADD231PS 64(DI), Y2, Y10
	VFMADD231PS 96(DI), Y3, Y11
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE dot32
dot16:
	CMPQ CX, $16
	JLT dotsum
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VFMADD231PS (DI), Y0, Y8
	VFMADD231PS 32(DI), Y1, Y9
dotsum:
	VADDPS Y10, Y8, Y8
	VADDPS Y11, Y9, Y9
	VADDPS Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X1
	VADDPS X1, X8, X8
	VHADDPS X8, X8, X8
	VHADDPS X8, X8, X8
	VMOVSS X8, ret+24(FP)
	VZEROUPPER
	RET

// func axpyF32AVX2(a float32, x, y *float32, n int)
TEXT ·axpyF32AVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y7
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ axpydone
axpyloop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VFMADD231PS (SI), Y7, Y0
	VFMADD231PS 32(SI), Y7, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ axpyloop
axpydone:
	VZEROUPPER
	RET
