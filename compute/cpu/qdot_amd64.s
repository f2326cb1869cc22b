#include "textflag.h"

// Integer dot products of quantized weight rows with quantized activation
// rows (layouts in act.go and qdot_ref.go), AVX-512 + VNNI. The x1 kernels
// take one activation row, the x4 kernels four (qs rows qsStride bytes
// apart, float/int rows fStride bytes apart); both store 16 float lanes per
// row to out, which the caller reduces, so that a row's result is the same
// whichever kernel ran it. Sharing each decoded weight block between four rows
// is what makes prefill compute-bound rather than decode-bound.

DATA permQ4K<>+0(SB)/8, $0x0000000000000000
DATA permQ4K<>+8(SB)/8, $0x0000000000000000
DATA permQ4K<>+16(SB)/8, $0x0000000000000000
DATA permQ4K<>+24(SB)/8, $0x0000000000000000
DATA permQ4K<>+32(SB)/8, $0x0000000100000001
DATA permQ4K<>+40(SB)/8, $0x0000000100000001
DATA permQ4K<>+48(SB)/8, $0x0000000100000001
DATA permQ4K<>+56(SB)/8, $0x0000000100000001
GLOBL permQ4K<>(SB), RODATA|NOPTR, $64

// permQ6K: lane L -> L/4, the sub-block of 16 that lane's 4 bytes fall in.
DATA permQ6K<>+0(SB)/8, $0x0000000000000000
DATA permQ6K<>+8(SB)/8, $0x0000000000000000
DATA permQ6K<>+16(SB)/8, $0x0000000100000001
DATA permQ6K<>+24(SB)/8, $0x0000000100000001
DATA permQ6K<>+32(SB)/8, $0x0000000200000002
DATA permQ6K<>+40(SB)/8, $0x0000000200000002
DATA permQ6K<>+48(SB)/8, $0x0000000300000003
DATA permQ6K<>+56(SB)/8, $0x0000000300000003
GLOBL permQ6K<>(SB), RODATA|NOPTR, $64

// Q8_0 pair of blocks at SI (34 bytes each) -> Z0 (64 unsigned quants,
// q+128) and Z1 (16 floats: d0 x8, d1 x8). Needs Z31 = 0x80 bytes.
// Decode streams every weight row from memory once per token, and the
// hardware prefetcher alone leaves these loops waiting on DRAM (a Q6_K
// one-row MatMul over 300 MB on 2 threads: 9.5 GB/s without, 15-20 GB/s
// with), so each iteration asks for the lines PFD bytes ahead of its
// block(s) in every weight row it reads. Prefetches never fault and
// change no result.
#define PFD 2048
#define PF1(addr) PREFETCHT0 PFD addr
#define PF2(addr) PF1(addr); PREFETCHT0 (PFD+64) addr
#define PF3(addr) PF2(addr); PREFETCHT0 (PFD+128) addr
#define PF4(addr) PF3(addr); PREFETCHT0 (PFD+192) addr
#define PFW4(pf) pf((SI)); pf((SI)(R8*1)); pf((SI)(R8*2)); pf((SI)(R12*1))

#define LOAD_Q8_0 \
	VMOVDQU 2(SI), Y0; \
	VINSERTI64X4 $1, 36(SI), Z0, Z0; \
	VPXORD Z31, Z0, Z0; \
	VPBROADCASTW (SI), X1; \
	VPBROADCASTW 34(SI), X2; \
	VINSERTI128 $1, X2, Y1, Y1; \
	VCVTPH2PS Y1, Z1

// Q4_0 pair of blocks at SI (18 bytes each) -> Z0 (64 nibbles in value
// order: block 0 low, block 0 high, block 1 low, block 1 high) and Z1.
// Needs Z30 = 0x0f bytes.
#define LOAD_Q4_0 \
	VMOVDQU 2(SI), X0; \
	VINSERTI128 $1, 20(SI), Y0, Y0; \
	VPSRLW $4, Y0, Y2; \
	VINSERTI64X4 $1, Y2, Z0, Z0; \
	VPANDD Z30, Z0, Z0; \
	VSHUFI64X2 $0xD8, Z0, Z0, Z0; \
	VPBROADCASTW (SI), X1; \
	VPBROADCASTW 18(SI), X2; \
	VINSERTI128 $1, X2, Y1, Y1; \
	VCVTPH2PS Y1, Z1

// One activation row against the pair in Z0/Z1: acc += (cor + dot) * d_w * d_a.
#define ROW_Q8(qsa, scla, cora, t0, t1, acc) \
	VMOVDQU32 cora, t0; \
	VPDPBUSD qsa, Z0, t0; \
	VCVTDQ2PS t0, t0; \
	VMULPS scla, Z1, t1; \
	VFMADD231PS t1, t0, acc

#define CONSTS \
	MOVL $0x80808080, AX; \
	VPBROADCASTD AX, Z31; \
	MOVL $0x0f0f0f0f, AX; \
	VPBROADCASTD AX, Z30

#define X4_PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ npairs+8(FP), CX; \
	MOVQ qs+16(FP), DI; \
	MOVQ qsStride+24(FP), R8; \
	MOVQ scl+32(FP), R9; \
	MOVQ cor+40(FP), R11; \
	MOVQ fStride+48(FP), R10; \
	MOVQ out+56(FP), DX; \
	LEAQ (R8)(R8*2), R12; \
	LEAQ (R10)(R10*2), R13; \
	CONSTS; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11

#define X4_ROWS \
	ROW_Q8((DI), (R9), (R11), Z2, Z3, Z8); \
	ROW_Q8((DI)(R8*1), (R9)(R10*1), (R11)(R10*1), Z4, Z5, Z9); \
	ROW_Q8((DI)(R8*2), (R9)(R10*2), (R11)(R10*2), Z6, Z7, Z10); \
	ROW_Q8((DI)(R12*1), (R9)(R13*1), (R11)(R13*1), Z12, Z13, Z11)

#define X4_EPILOGUE \
	VMOVUPS Z8, (DX); \
	VMOVUPS Z9, 64(DX); \
	VMOVUPS Z10, 128(DX); \
	VMOVUPS Z11, 192(DX); \
	VZEROUPPER; \
	RET


// shiftQ4K: the per-lane shifts of the vector unpacking of Q4_K's scales.
DATA shiftQ4K<>+0(SB)/8, $0
DATA shiftQ4K<>+8(SB)/8, $0x0000000400000000
GLOBL shiftQ4K<>(SB), RODATA|NOPTR, $16

#define KCONSTS \
	MOVL $0x0f0f0f0f, AX; \
	VPBROADCASTD AX, Z30; \
	MOVL $0x30303030, AX; \
	VPBROADCASTD AX, Z29; \
	MOVL $0x3f3f3f3f, AX; \
	VPBROADCASTD AX, Z26; \
	MOVL $0x03030303, AX; \
	VPBROADCASTD AX, Z27; \
	VMOVDQU32 shiftQ4K<>(SB), X28

// Permutation indices: Q4_K sub-block pairs (2g, 2g+1) in Z20..Z23.
#define Q4K_PERMS \
	VMOVDQU32 permQ4K<>(SB), Z20; \
	MOVL $2, AX; \
	VPBROADCASTD AX, Z24; \
	VPADDD Z24, Z20, Z21; \
	VPADDD Z24, Z21, Z22; \
	VPADDD Z24, Z22, Z23

// Q6_K sub-blocks of 16: 4h..4h+3 in Z20..Z23.
#define Q6K_PERMS \
	VMOVDQU32 permQ6K<>(SB), Z20; \
	MOVL $4, AX; \
	VPBROADCASTD AX, Z24; \
	VPADDD Z24, Z20, Z21; \
	VPADDD Z24, Z21, Z22; \
	VPADDD Z24, Z22, Z23

// Q4_K block at SI: its 12 bytes of packed 6-bit scales and mins -> Z5
// (int32 lanes: sc0..sc7, m0..m7), by ggml's 32-bit mask recipe done on
// the four 32-bit lanes of X at once. Clobbers X4, X6, X7.
#define SCALES_Q4K \
	VMOVDQU 4(SI), X5; \
	VPSHUFD $152, X5, X6; \
	VPSHUFD $80, X5, X7; \
	VPSRLVD X28, X6, X6; \
	VPANDD X26, X6, X4; \
	VPANDD X30, X6, X6; \
	VPSRLD $6, X7, X7; \
	VPANDD X27, X7, X7; \
	VPSLLD $4, X7, X7; \
	VPORD X7, X6, X6; \
	VPBLENDD $0x0A, X6, X4, X5; \
	VPMOVZXBD X5, Z5

// Q4_K group g (32 bytes at off(SI)) -> dst: 64 nibbles in value order.
#define NIB32(off, dst, ydst, tmpy) \
	VMOVDQU off(SI), ydst; \
	VPSRLW $4, ydst, tmpy; \
	VINSERTI64X4 $1, tmpy, dst, dst; \
	VPANDD Z30, dst, dst

// Q6_K half h -> lo (values 128h..128h+63) and hi (128h+64..128h+127),
// 6-bit unsigned quants. Clobbers Z1 and the temp.
#define Q6K_HALF(qloff, qhoff, lo, hi, tmp) \
	VMOVDQU64 qloff(SI), hi; \
	VMOVDQU qhoff(SI), Y1; \
	VPSRLW $2, Y1, Y4; \
	VINSERTI64X4 $1, Y4, Z1, Z1; \
	VPANDD Z30, hi, lo; \
	VPSLLW $4, Z1, tmp; \
	VPANDD Z29, tmp, tmp; \
	VPORD tmp, lo, lo; \
	VPSRLW $4, hi, hi; \
	VPANDD Z30, hi, hi; \
	VPANDD Z29, Z1, Z1; \
	VPORD Z1, hi, hi

// One dot of 64 quants with a scale vector, added to the int accumulator.
#define KDOT(w, qsa, scv, t, iacc) \
	VPXORD t, t, t; \
	VPDPBUSD qsa, w, t; \
	VPMULLD scv, t, t; \
	VPADDD t, iacc, iacc

// The k-quant x4 kernels derive the activation strides from nsb (the
// activation rows hold exactly nsb super-blocks): qs rows 256*nsb bytes
// apart (2*R8), bs rows 128*nsb (R8), d rows 4*nsb (R10).
#define KX4_PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ nsb+8(FP), CX; \
	MOVQ qs+16(FP), DI; \
	MOVQ d+24(FP), R9; \
	MOVQ bs+32(FP), R11; \
	MOVQ CX, R8; \
	SHLQ $7, R8; \
	LEAQ (R8)(R8*2), R12; \
	LEAQ (CX*4), R10; \
	LEAQ (R10)(R10*2), R13; \
	KCONSTS; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11

#define KX4_EPILOGUE \
	MOVQ out+40(FP), DX; \
	VMOVUPS Z8, (DX); \
	VMOVUPS Z9, 64(DX); \
	VMOVUPS Z10, 128(DX); \
	VMOVUPS Z11, 192(DX); \
	VZEROUPPER; \
	RET

// Q4_K, one activation row: same operations, in the same order, as
// q4_KDotX1 performs for it.
#define Q4K_ROW(qsa, bsa, da, facc) \
	VPXORD Z17, Z17, Z17; \
	KDOT(Z0, qsa, Z12, Z16, Z17); \
	KDOT(Z1, 64 qsa, Z13, Z16, Z17); \
	KDOT(Z2, 128 qsa, Z14, Z16, Z17); \
	KDOT(Z3, 192 qsa, Z15, Z16, Z17); \
	VPMULLD 64 bsa, Z5, Z18; \
	VMULPS.BCST da, Z6, Z19; \
	VCVTDQ2PS Z17, Z17; \
	VFMADD231PS Z17, Z19, facc; \
	VMULPS.BCST da, Z7, Z19; \
	VCVTDQ2PS Z18, Z18; \
	VFNMADD231PS Z18, Z19, facc

#define Q6K_ROW(qsa, bsa, da, facc) \
	VPXORD Z17, Z17, Z17; \
	KDOT(Z2, qsa, Z12, Z16, Z17); \
	KDOT(Z3, 64 qsa, Z13, Z16, Z17); \
	KDOT(Z18, 128 qsa, Z14, Z16, Z17); \
	KDOT(Z19, 192 qsa, Z15, Z16, Z17); \
	VPMULLD bsa, Z5, Z24; \
	VPSLLD $5, Z24, Z24; \
	VPSUBD Z24, Z17, Z17; \
	VMULPS.BCST da, Z6, Z25; \
	VCVTDQ2PS Z17, Z17; \
	VFMADD231PS Z17, Z25, facc


// W4 kernels: one activation row x 4 weight rows (R8 bytes apart), the
// decode shape: four independent accumulator chains. Per (weight row,
// activation row) they perform the same operations as ROW_Q8 (bit-identical
// results).
#define LQ8(addr, zq, yq, zd, yd, xd) \
	VMOVDQU 2 addr, yq; \
	VINSERTI64X4 $1, 36 addr, zq, zq; \
	VPXORD Z31, zq, zq; \
	VPBROADCASTW addr, xd; \
	VPBROADCASTW 34 addr, X12; \
	VINSERTI128 $1, X12, yd, yd; \
	VCVTPH2PS yd, zd

#define LQ4(addr, zq, yq, xq, zd, yd, xd) \
	VMOVDQU 2 addr, xq; \
	VINSERTI128 $1, 20 addr, yq, yq; \
	VPSRLW $4, yq, Y13; \
	VINSERTI64X4 $1, Y13, zq, zq; \
	VPANDD Z30, zq, zq; \
	VSHUFI64X2 $0xD8, zq, zq, zq; \
	VPBROADCASTW addr, xd; \
	VPBROADCASTW 18 addr, X12; \
	VINSERTI128 $1, X12, yd, yd; \
	VCVTPH2PS yd, zd

#define W4ROW(zq, zd, t, sc, acc) \
	VMOVDQA32 Z21, t; \
	VPDPBUSD (DI), zq, t; \
	VCVTDQ2PS t, t; \
	VMULPS (R9), zd, sc; \
	VFMADD231PS sc, t, acc

#define W4_PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ wStride+8(FP), R8; \
	MOVQ npairs+16(FP), CX; \
	MOVQ qs+24(FP), DI; \
	MOVQ scl+32(FP), R9; \
	MOVQ cor+40(FP), R11; \
	LEAQ (R8)(R8*2), R12; \
	CONSTS; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11

#define W4_EPILOGUE \
	MOVQ out+48(FP), DX; \
	VMOVUPS Z8, (DX); \
	VMOVUPS Z9, 64(DX); \
	VMOVUPS Z10, 128(DX); \
	VMOVUPS Z11, 192(DX); \
	VZEROUPPER; \
	RET

#define W4_ROWS \
	VMOVDQU32 (R11), Z21; \
	W4ROW(Z0, Z1, Z16, Z24, Z8); \
	W4ROW(Z2, Z3, Z17, Z25, Z9); \
	W4ROW(Z4, Z5, Z18, Z26, Z10); \
	W4ROW(Z6, Z7, Z19, Z27, Z11)

// func q8_0DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
TEXT ·q8_0DotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ npairs+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ scl+24(FP), R9
	MOVQ cor+32(FP), R11
	CONSTS
	VPXORD Z8, Z8, Z8
q80x1loop:
	PF2((SI))
	LOAD_Q8_0
	ROW_Q8((DI), (R9), (R11), Z2, Z3, Z8)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q80x1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET

// func q4_0DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
TEXT ·q4_0DotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ npairs+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ scl+24(FP), R9
	MOVQ cor+32(FP), R11
	CONSTS
	VPXORD Z8, Z8, Z8
q40x1loop:
	PF1((SI))
	LOAD_Q4_0
	ROW_Q8((DI), (R9), (R11), Z2, Z3, Z8)
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q40x1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET

// func q8_0DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
TEXT ·q8_0DotX4(SB), NOSPLIT, $0-64
	X4_PROLOGUE
q80x4loop:
	PF2((SI))
	LOAD_Q8_0
	X4_ROWS
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q80x4loop
	X4_EPILOGUE

// func q4_0DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
TEXT ·q4_0DotX4(SB), NOSPLIT, $0-64
	X4_PROLOGUE
q40x4loop:
	PF1((SI))
	LOAD_Q4_0
	X4_ROWS
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q40x4loop
	X4_EPILOGUE

// func q4_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q4_KDotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ nsb+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), R9
	MOVQ bs+32(FP), R11
	KCONSTS
	Q4K_PERMS
	VPXORD Z8, Z8, Z8
q4kx1loop:
	PF3((SI))
	SCALES_Q4K
	VPERMD Z5, Z20, Z12
	VPERMD Z5, Z21, Z13
	VPERMD Z5, Z22, Z14
	VPERMD Z5, Z23, Z15
	VPXORD Z16, Z16, Z16
	NIB32(16, Z0, Y0, Y1)
	KDOT(Z0, (DI), Z12, Z2, Z16)
	NIB32(48, Z0, Y0, Y1)
	KDOT(Z0, 64(DI), Z13, Z2, Z16)
	NIB32(80, Z0, Y0, Y1)
	KDOT(Z0, 128(DI), Z14, Z2, Z16)
	NIB32(112, Z0, Y0, Y1)
	KDOT(Z0, 192(DI), Z15, Z2, Z16)
	VPMULLD 64(R11), Z5, Z4
	VPBROADCASTW (SI), Y6
	VCVTPH2PS Y6, Z6
	VMULPS.BCST (R9), Z6, Z6
	VPBROADCASTW 2(SI), Y7
	VCVTPH2PS Y7, Z7
	VMULPS.BCST (R9), Z7, Z7
	VCVTDQ2PS Z16, Z16
	VFMADD231PS Z16, Z6, Z8
	VCVTDQ2PS Z4, Z4
	VFNMADD231PS Z4, Z7, Z8
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q4kx1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET

// func q6_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q6_KDotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ nsb+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), R9
	MOVQ bs+32(FP), R11
	KCONSTS
	Q6K_PERMS
	VPXORD Z8, Z8, Z8
q6kx1loop:
	PF4((SI))
	VPMOVSXBD 192(SI), Z5
	VPERMD Z5, Z20, Z12
	VPERMD Z5, Z21, Z13
	VPERMD Z5, Z22, Z14
	VPERMD Z5, Z23, Z15
	VPXORD Z16, Z16, Z16
	Q6K_HALF(0, 128, Z2, Z3, Z0)
	KDOT(Z2, (DI), Z12, Z17, Z16)
	KDOT(Z3, 64(DI), Z13, Z18, Z16)
	Q6K_HALF(64, 160, Z2, Z3, Z0)
	KDOT(Z2, 128(DI), Z14, Z17, Z16)
	KDOT(Z3, 192(DI), Z15, Z18, Z16)
	VPMULLD (R11), Z5, Z4
	VPSLLD $5, Z4, Z4
	VPSUBD Z4, Z16, Z16
	VPBROADCASTW 208(SI), Y6
	VCVTPH2PS Y6, Z6
	VMULPS.BCST (R9), Z6, Z6
	VCVTDQ2PS Z16, Z16
	VFMADD231PS Z16, Z6, Z8
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q6kx1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET


// func q4_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q4_KDotX4(SB), NOSPLIT, $0-48
	KX4_PROLOGUE
	Q4K_PERMS
q4kx4loop:
	PF3((SI))
	SCALES_Q4K
	VPERMD Z5, Z20, Z12
	VPERMD Z5, Z21, Z13
	VPERMD Z5, Z22, Z14
	VPERMD Z5, Z23, Z15
	NIB32(16, Z0, Y0, Y4)
	NIB32(48, Z1, Y1, Y4)
	NIB32(80, Z2, Y2, Y4)
	NIB32(112, Z3, Y3, Y4)
	VPBROADCASTW (SI), Y6
	VCVTPH2PS Y6, Z6
	VPBROADCASTW 2(SI), Y7
	VCVTPH2PS Y7, Z7
	Q4K_ROW((DI), (R11), (R9), Z8)
	Q4K_ROW((DI)(R8*2), (R11)(R8*1), (R9)(R10*1), Z9)
	Q4K_ROW((DI)(R8*4), (R11)(R8*2), (R9)(R10*2), Z10)
	Q4K_ROW((DI)(R12*2), (R11)(R12*1), (R9)(R13*1), Z11)
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q4kx4loop
	KX4_EPILOGUE


// func q6_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q6_KDotX4(SB), NOSPLIT, $0-48
	KX4_PROLOGUE
	Q6K_PERMS
q6kx4loop:
	PF4((SI))
	VPMOVSXBD 192(SI), Z5
	VPERMD Z5, Z20, Z12
	VPERMD Z5, Z21, Z13
	VPERMD Z5, Z22, Z14
	VPERMD Z5, Z23, Z15
	Q6K_HALF(0, 128, Z2, Z3, Z0)
	Q6K_HALF(64, 160, Z18, Z19, Z0)
	VPBROADCASTW 208(SI), Y6
	VCVTPH2PS Y6, Z6
	Q6K_ROW((DI), (R11), (R9), Z8)
	Q6K_ROW((DI)(R8*2), (R11)(R8*1), (R9)(R10*1), Z9)
	Q6K_ROW((DI)(R8*4), (R11)(R8*2), (R9)(R10*2), Z10)
	Q6K_ROW((DI)(R12*2), (R11)(R12*1), (R9)(R13*1), Z11)
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q6kx4loop
	KX4_EPILOGUE

// func q8_0DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
TEXT ·q8_0DotW4(SB), NOSPLIT, $0-56
	W4_PROLOGUE
q80w4loop:
	PFW4(PF2)
	LQ8((SI), Z0, Y0, Z1, Y1, X1)
	LQ8((SI)(R8*1), Z2, Y2, Z3, Y3, X3)
	LQ8((SI)(R8*2), Z4, Y4, Z5, Y5, X5)
	LQ8((SI)(R12*1), Z6, Y6, Z7, Y7, X7)
	W4_ROWS
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q80w4loop
	W4_EPILOGUE

// func q4_0DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
TEXT ·q4_0DotW4(SB), NOSPLIT, $0-56
	W4_PROLOGUE
q40w4loop:
	PFW4(PF1)
	LQ4((SI), Z0, Y0, X0, Z1, Y1, X1)
	LQ4((SI)(R8*1), Z2, Y2, X2, Z3, Y3, X3)
	LQ4((SI)(R8*2), Z4, Y4, X4, Z5, Y5, X5)
	LQ4((SI)(R12*1), Z6, Y6, X6, Z7, Y7, X7)
	W4_ROWS
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q40w4loop
	W4_EPILOGUE

// Q5_K: Q4_K's scales and nibbles (at 48(SI)) plus a fifth bit per quant
// from qh (32 bytes at 16(SI)). The qh vector holds qh in its lower half
// and qh>>1 in its upper half, so that group g's bit 2g (low nibbles) and
// bit 2g+1 (high nibbles) sit at the same bit 2g of each byte; a word shift
// brings it to bit 4 (no bit crosses a byte for the bits read) and the
// 0x10 mask in Z31 keeps it.
#define Q5K_QH(zq, yq, tmpy) \
	VMOVDQU32 16(SI), yq; \
	VPSRLW $1, yq, tmpy; \
	VINSERTI64X4 $1, tmpy, zq, zq

#define Q5K_HBL(n, q, dst, t) \
	VPSLLW $n, q, t; \
	VPANDD Z31, t, t; \
	VPORD t, dst, dst

#define Q5K_HBR(n, q, dst, t) \
	VPSRLW $n, q, t; \
	VPANDD Z31, t, t; \
	VPORD t, dst, dst

#define Q5K_HB0(q, dst, t) \
	VPANDD Z31, q, t; \
	VPORD t, dst, dst

// func q5_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q5_KDotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ nsb+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), R9
	MOVQ bs+32(FP), R11
	KCONSTS
	Q4K_PERMS
	MOVL $0x10101010, AX
	VPBROADCASTD AX, Z31
	VPXORD Z8, Z8, Z8
q5kx1loop:
	PF3((SI))
	SCALES_Q4K
	VPERMD Z5, Z20, Z12
	VPERMD Z5, Z21, Z13
	VPERMD Z5, Z22, Z14
	VPERMD Z5, Z23, Z15
	Q5K_QH(Z3, Y3, Y9)
	VPXORD Z16, Z16, Z16
	NIB32(48, Z0, Y0, Y1)
	Q5K_HBL(4, Z3, Z0, Z9)
	KDOT(Z0, (DI), Z12, Z2, Z16)
	NIB32(80, Z0, Y0, Y1)
	Q5K_HBL(2, Z3, Z0, Z9)
	KDOT(Z0, 64(DI), Z13, Z2, Z16)
	NIB32(112, Z0, Y0, Y1)
	Q5K_HB0(Z3, Z0, Z9)
	KDOT(Z0, 128(DI), Z14, Z2, Z16)
	NIB32(144, Z0, Y0, Y1)
	Q5K_HBR(2, Z3, Z0, Z9)
	KDOT(Z0, 192(DI), Z15, Z2, Z16)
	VPMULLD 64(R11), Z5, Z4
	VPBROADCASTW (SI), Y6
	VCVTPH2PS Y6, Z6
	VMULPS.BCST (R9), Z6, Z6
	VPBROADCASTW 2(SI), Y7
	VCVTPH2PS Y7, Z7
	VMULPS.BCST (R9), Z7, Z7
	VCVTDQ2PS Z16, Z16
	VFMADD231PS Z16, Z6, Z8
	VCVTDQ2PS Z4, Z4
	VFNMADD231PS Z4, Z7, Z8
	ADDQ $176, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q5kx1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET

// func q5_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q5_KDotX4(SB), NOSPLIT, $0-48
	KX4_PROLOGUE
	Q4K_PERMS
	MOVL $0x10101010, AX
	VPBROADCASTD AX, Z31
q5kx4loop:
	PF3((SI))
	SCALES_Q4K
	VPERMD Z5, Z20, Z12
	VPERMD Z5, Z21, Z13
	VPERMD Z5, Z22, Z14
	VPERMD Z5, Z23, Z15
	Q5K_QH(Z24, Y24, Y25)
	NIB32(48, Z0, Y0, Y4)
	Q5K_HBL(4, Z24, Z0, Z25)
	NIB32(80, Z1, Y1, Y4)
	Q5K_HBL(2, Z24, Z1, Z25)
	NIB32(112, Z2, Y2, Y4)
	Q5K_HB0(Z24, Z2, Z25)
	NIB32(144, Z3, Y3, Y4)
	Q5K_HBR(2, Z24, Z3, Z25)
	VPBROADCASTW (SI), Y6
	VCVTPH2PS Y6, Z6
	VPBROADCASTW 2(SI), Y7
	VCVTPH2PS Y7, Z7
	Q4K_ROW((DI), (R11), (R9), Z8)
	Q4K_ROW((DI)(R8*2), (R11)(R8*1), (R9)(R10*1), Z9)
	Q4K_ROW((DI)(R8*4), (R11)(R8*2), (R9)(R10*2), Z10)
	Q4K_ROW((DI)(R12*2), (R11)(R12*1), (R9)(R13*1), Z11)
	ADDQ $176, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q5kx4loop
	KX4_EPILOGUE

// Q5_0 pair of blocks at addr (22 bytes each) -> zq (64 quants q+16 in
// value order, as LOAD_Q4_0) and zd. The 32 qh bits of each block are
// value order already: both make one 64-bit byte mask that ORs 0x10 (Z29)
// into the nibbles. Clobbers AX, BX, K1 and tmp.
#define LQ5(addr, zq, yq, xq, zd, yd, xd, tmpy, tmp) \
	VMOVDQU 6 addr, xq; \
	VINSERTI128 $1, 28 addr, yq, yq; \
	VPSRLW $4, yq, tmpy; \
	VINSERTI64X4 $1, tmpy, zq, zq; \
	VPANDD Z30, zq, zq; \
	VSHUFI64X2 $0xD8, zq, zq, zq; \
	MOVL 2 addr, AX; \
	MOVL 24 addr, BX; \
	SHLQ $32, BX; \
	ORQ BX, AX; \
	KMOVQ AX, K1; \
	VMOVDQU8.Z Z29, K1, tmp; \
	VPORD tmp, zq, zq; \
	VPBROADCASTW addr, xd; \
	VPBROADCASTW 22 addr, X12; \
	VINSERTI128 $1, X12, yd, yd; \
	VCVTPH2PS yd, zd

#define Q5CONST \
	MOVL $0x10101010, AX; \
	VPBROADCASTD AX, Z29

// func q5_0DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
TEXT ·q5_0DotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ npairs+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ scl+24(FP), R9
	MOVQ cor+32(FP), R11
	CONSTS
	Q5CONST
	VPXORD Z8, Z8, Z8
q50x1loop:
	PF1((SI))
	LQ5((SI), Z0, Y0, X0, Z1, Y1, X1, Y2, Z2)
	ROW_Q8((DI), (R9), (R11), Z2, Z3, Z8)
	ADDQ $44, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q50x1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET

// func q5_0DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
TEXT ·q5_0DotX4(SB), NOSPLIT, $0-64
	X4_PROLOGUE
	Q5CONST
q50x4loop:
	PF1((SI))
	LQ5((SI), Z0, Y0, X0, Z1, Y1, X1, Y2, Z2)
	X4_ROWS
	ADDQ $44, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q50x4loop
	X4_EPILOGUE

// func q5_0DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
TEXT ·q5_0DotW4(SB), NOSPLIT, $0-56
	W4_PROLOGUE
	Q5CONST
q50w4loop:
	PFW4(PF1)
	LQ5((SI), Z0, Y0, X0, Z1, Y1, X1, Y13, Z13)
	LQ5((SI)(R8*1), Z2, Y2, X2, Z3, Y3, X3, Y13, Z13)
	LQ5((SI)(R8*2), Z4, Y4, X4, Z5, Y5, X5, Y13, Z13)
	LQ5((SI)(R12*1), Z6, Y6, X6, Z7, Y7, X7, Y13, Z13)
	W4_ROWS
	ADDQ $44, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q50w4loop
	W4_EPILOGUE

// Q4_1 / Q5_1 pairs of blocks at SI -> Z0 (64 unsigned quants in value
// order), Z1 (d0 x8, d1 x8), Z14 (m0 x8, m1 x8). Clobbers Z2 (and for
// Q5_1 AX, BX, K1; needs Z29 = 0x10 bytes).
#define LOAD_Q1_DM(bsz) \
	VPBROADCASTW (SI), X1; \
	VPBROADCASTW bsz(SI), X2; \
	VINSERTI128 $1, X2, Y1, Y1; \
	VCVTPH2PS Y1, Z1; \
	VPBROADCASTW 2(SI), X14; \
	VPBROADCASTW 2+bsz(SI), X2; \
	VINSERTI128 $1, X2, Y14, Y14; \
	VCVTPH2PS Y14, Z14

#define LOAD_Q4_1 \
	VMOVDQU 4(SI), X0; \
	VINSERTI128 $1, 24(SI), Y0, Y0; \
	VPSRLW $4, Y0, Y2; \
	VINSERTI64X4 $1, Y2, Z0, Z0; \
	VPANDD Z30, Z0, Z0; \
	VSHUFI64X2 $0xD8, Z0, Z0, Z0; \
	LOAD_Q1_DM(20)

#define LOAD_Q5_1 \
	VMOVDQU 8(SI), X0; \
	VINSERTI128 $1, 32(SI), Y0, Y0; \
	VPSRLW $4, Y0, Y2; \
	VINSERTI64X4 $1, Y2, Z0, Z0; \
	VPANDD Z30, Z0, Z0; \
	VSHUFI64X2 $0xD8, Z0, Z0, Z0; \
	MOVL 4(SI), AX; \
	MOVL 28(SI), BX; \
	SHLQ $32, BX; \
	ORQ BX, AX; \
	KMOVQ AX, K1; \
	VMOVDQU8.Z Z29, K1, Z2; \
	VPORD Z2, Z0, Z0; \
	LOAD_Q1_DM(24)

// One activation row against Z0/Z1/Z14: acc += dot*d_w*d_a + cor*m_w*d_a
// (cor: the activation block sums, k = -1).
#define ROW_Q1(qsa, scla, cora, t0, t1, acc) \
	VPXORD t0, t0, t0; \
	VPDPBUSD qsa, Z0, t0; \
	VCVTDQ2PS t0, t0; \
	VMULPS scla, Z1, t1; \
	VFMADD231PS t1, t0, acc; \
	VCVTDQ2PS cora, t0; \
	VMULPS scla, Z14, t1; \
	VFMADD231PS t1, t0, acc

#define X4_ROWS_Q1 \
	ROW_Q1((DI), (R9), (R11), Z2, Z3, Z8); \
	ROW_Q1((DI)(R8*1), (R9)(R10*1), (R11)(R10*1), Z4, Z5, Z9); \
	ROW_Q1((DI)(R8*2), (R9)(R10*2), (R11)(R10*2), Z6, Z7, Z10); \
	ROW_Q1((DI)(R12*1), (R9)(R13*1), (R11)(R13*1), Z12, Z13, Z11)

#define Q1_X1(name, load, bsz2) \
TEXT name(SB), NOSPLIT, $0-48; \
	MOVQ w+0(FP), SI; \
	MOVQ npairs+8(FP), CX; \
	MOVQ qs+16(FP), DI; \
	MOVQ scl+24(FP), R9; \
	MOVQ cor+32(FP), R11; \
	CONSTS; \
	Q5CONST; \
	VPXORD Z8, Z8, Z8; \
loop: \
	PF1((SI)); \
	load; \
	ROW_Q1((DI), (R9), (R11), Z2, Z3, Z8); \
	ADDQ $bsz2, SI; \
	ADDQ $64, DI; \
	ADDQ $64, R9; \
	ADDQ $64, R11; \
	DECQ CX; \
	JNZ loop; \
	MOVQ out+40(FP), DX; \
	VMOVUPS Z8, (DX); \
	VZEROUPPER; \
	RET

#define Q1_X4(name, load, bsz2) \
TEXT name(SB), NOSPLIT, $0-64; \
	X4_PROLOGUE; \
	Q5CONST; \
loop: \
	PF1((SI)); \
	load; \
	X4_ROWS_Q1; \
	ADDQ $bsz2, SI; \
	ADDQ $64, DI; \
	ADDQ $64, R9; \
	ADDQ $64, R11; \
	DECQ CX; \
	JNZ loop; \
	X4_EPILOGUE

// func q4_1DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
Q1_X1(·q4_1DotX1, LOAD_Q4_1, 40)

// func q5_1DotX1(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
Q1_X1(·q5_1DotX1, LOAD_Q5_1, 48)

// func q4_1DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
Q1_X4(·q4_1DotX4, LOAD_Q4_1, 40)

// func q5_1DotX4(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
Q1_X4(·q5_1DotX4, LOAD_Q5_1, 48)

// W4 kernels of Q4_1/Q5_1: per (weight row, activation row) the same
// operations as ROW_Q1. Weight row i: quants Z(2i), d Z(2i+1), m in
// Z14, Z15, Z20, Z22; the activation block sums as floats in Z23.
#define LQ1_DM(addr, bsz, zd, yd, xd, zm, ym, xm) \
	VPBROADCASTW addr, xd; \
	VPBROADCASTW bsz addr, X12; \
	VINSERTI128 $1, X12, yd, yd; \
	VCVTPH2PS yd, zd; \
	VPBROADCASTW 2 addr, xm; \
	VPBROADCASTW 2+bsz addr, X12; \
	VINSERTI32X4 $1, X12, ym, ym; \
	VCVTPH2PS ym, zm

#define LQ41(addr, zq, yq, xq, zd, yd, xd, zm, ym, xm) \
	VMOVDQU 4 addr, xq; \
	VINSERTI128 $1, 24 addr, yq, yq; \
	VPSRLW $4, yq, Y13; \
	VINSERTI64X4 $1, Y13, zq, zq; \
	VPANDD Z30, zq, zq; \
	VSHUFI64X2 $0xD8, zq, zq, zq; \
	LQ1_DM(addr, 20, zd, yd, xd, zm, ym, xm)

#define LQ51(addr, zq, yq, xq, zd, yd, xd, zm, ym, xm) \
	VMOVDQU 8 addr, xq; \
	VINSERTI128 $1, 32 addr, yq, yq; \
	VPSRLW $4, yq, Y13; \
	VINSERTI64X4 $1, Y13, zq, zq; \
	VPANDD Z30, zq, zq; \
	VSHUFI64X2 $0xD8, zq, zq, zq; \
	MOVL 4 addr, AX; \
	MOVL 28 addr, BX; \
	SHLQ $32, BX; \
	ORQ BX, AX; \
	KMOVQ AX, K1; \
	VMOVDQU8.Z Z29, K1, Z13; \
	VPORD Z13, zq, zq; \
	LQ1_DM(addr, 24, zd, yd, xd, zm, ym, xm)

#define W4ROW_Q1(zq, zd, zm, t, sc, acc) \
	VPXORD t, t, t; \
	VPDPBUSD (DI), zq, t; \
	VCVTDQ2PS t, t; \
	VMULPS (R9), zd, sc; \
	VFMADD231PS sc, t, acc; \
	VMULPS (R9), zm, sc; \
	VFMADD231PS sc, Z23, acc

#define W4_ROWS_Q1 \
	VCVTDQ2PS (R11), Z23; \
	W4ROW_Q1(Z0, Z1, Z14, Z16, Z24, Z8); \
	W4ROW_Q1(Z2, Z3, Z15, Z17, Z25, Z9); \
	W4ROW_Q1(Z4, Z5, Z20, Z18, Z26, Z10); \
	W4ROW_Q1(Z6, Z7, Z22, Z19, Z27, Z11)

#define Q1_W4(name, lq, bsz2) \
TEXT name(SB), NOSPLIT, $0-56; \
	W4_PROLOGUE; \
	Q5CONST; \
loop: \
	PFW4(PF1); \
	lq((SI), Z0, Y0, X0, Z1, Y1, X1, Z14, Y14, X14); \
	lq((SI)(R8*1), Z2, Y2, X2, Z3, Y3, X3, Z15, Y15, X15); \
	lq((SI)(R8*2), Z4, Y4, X4, Z5, Y5, X5, Z20, Y20, X20); \
	lq((SI)(R12*1), Z6, Y6, X6, Z7, Y7, X7, Z22, Y22, X22); \
	W4_ROWS_Q1; \
	ADDQ $bsz2, SI; \
	ADDQ $64, DI; \
	ADDQ $64, R9; \
	ADDQ $64, R11; \
	DECQ CX; \
	JNZ loop; \
	W4_EPILOGUE

// func q4_1DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
Q1_W4(·q4_1DotW4, LQ41, 40)

// func q5_1DotW4(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
Q1_W4(·q5_1DotW4, LQ51, 48)

// Q2_K: 16 scale bytes at SI -> Z5 (int32 scales, low nibbles) and mins
// (high nibbles) in minreg; the sub-blocks of 16 are Q6_K's, so Q6K_PERMS
// spread the scales over the lanes. Needs Z30 = 0x0f bytes.
#define SCALES_Q2K(minreg) \
	VPMOVZXBD (SI), Z5; \
	VPSRLD $4, Z5, minreg; \
	VPANDD Z30, Z5, Z5; \
	VPERMD Z5, Z20, Z12; \
	VPERMD Z5, Z21, Z13; \
	VPERMD Z5, Z22, Z14; \
	VPERMD Z5, Z23, Z15

// Q2_K half h (32 bytes at off(SI)) -> lo (values 128h..128h+63: shifts
// 0 and 2) and hi (128h+64..128h+127: shifts 4 and 6). Needs Z27 = 0x03
// bytes; the word shifts read bits of the same byte only.
#define Q2K_HALF(off, lo, hi, yhi, ytmp) \
	VMOVDQU off(SI), yhi; \
	VPSRLW $2, yhi, ytmp; \
	VINSERTI64X4 $1, ytmp, hi, hi; \
	VPANDD Z27, hi, lo; \
	VPSRLW $4, hi, hi; \
	VPANDD Z27, hi, hi

// One activation row against Z0..Z3 (quants), Z12..Z15 (scales), Z4
// (mins), Z6/Z7 (d, dmin): the same operations as q2_KDotX1's.
#define Q2K_ROW(qsa, bsa, da, facc) \
	VPXORD Z17, Z17, Z17; \
	KDOT(Z0, qsa, Z12, Z16, Z17); \
	KDOT(Z1, 64 qsa, Z13, Z16, Z17); \
	KDOT(Z2, 128 qsa, Z14, Z16, Z17); \
	KDOT(Z3, 192 qsa, Z15, Z16, Z17); \
	VPMULLD bsa, Z4, Z18; \
	VMULPS.BCST da, Z6, Z19; \
	VCVTDQ2PS Z17, Z17; \
	VFMADD231PS Z17, Z19, facc; \
	VMULPS.BCST da, Z7, Z19; \
	VCVTDQ2PS Z18, Z18; \
	VFNMADD231PS Z18, Z19, facc

// func q2_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q2_KDotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ nsb+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), R9
	MOVQ bs+32(FP), R11
	KCONSTS
	Q6K_PERMS
	VPXORD Z8, Z8, Z8
q2kx1loop:
	PF2((SI))
	SCALES_Q2K(Z4)
	Q2K_HALF(16, Z0, Z1, Y1, Y2)
	Q2K_HALF(48, Z2, Z3, Y3, Y9)
	VPBROADCASTW 80(SI), Y6
	VCVTPH2PS Y6, Z6
	VPBROADCASTW 82(SI), Y7
	VCVTPH2PS Y7, Z7
	Q2K_ROW((DI), (R11), (R9), Z8)
	ADDQ $84, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q2kx1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET

// func q2_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q2_KDotX4(SB), NOSPLIT, $0-48
	KX4_PROLOGUE
	Q6K_PERMS
q2kx4loop:
	PF2((SI))
	SCALES_Q2K(Z4)
	Q2K_HALF(16, Z0, Z1, Y1, Y16)
	Q2K_HALF(48, Z2, Z3, Y3, Y16)
	VPBROADCASTW 80(SI), Y6
	VCVTPH2PS Y6, Z6
	VPBROADCASTW 82(SI), Y7
	VCVTPH2PS Y7, Z7
	Q2K_ROW((DI), (R11), (R9), Z8)
	Q2K_ROW((DI)(R8*2), (R11)(R8*1), (R9)(R10*1), Z9)
	Q2K_ROW((DI)(R8*4), (R11)(R8*2), (R9)(R10*2), Z10)
	Q2K_ROW((DI)(R12*2), (R11)(R12*1), (R9)(R13*1), Z11)
	ADDQ $84, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q2kx4loop
	KX4_EPILOGUE

// Q3_K: shifts of the vector unpacking of its 12 scale bytes (ggml's aux
// recipe on four 32-bit lanes): [0,0,4,4] for the low bits of a0,a1,a0,a1
// and [0,2,4,6] for the two high bits from the third word.
DATA shiftQ3Ka<>+0(SB)/8, $0
DATA shiftQ3Ka<>+8(SB)/8, $0x0000000400000004
GLOBL shiftQ3Ka<>(SB), RODATA|NOPTR, $16
DATA shiftQ3Kb<>+0(SB)/8, $0x0000000200000000
DATA shiftQ3Kb<>+8(SB)/8, $0x0000000600000004
GLOBL shiftQ3Kb<>(SB), RODATA|NOPTR, $16

// Q3_K constants over KCONSTS: X26/X28 the scale shifts, Z29 = 32 (the
// scale bias), Z31 = 0x04 bytes (the high bit's place in q+4).
#define Q3K_CONSTS \
	VMOVDQU32 shiftQ3Ka<>(SB), X26; \
	VMOVDQU32 shiftQ3Kb<>(SB), X28; \
	MOVL $32, AX; \
	VPBROADCASTD AX, Z29; \
	MOVL $0x04040404, AX; \
	VPBROADCASTD AX, Z31

// Q3_K scales at 96(SI) (12 bytes; the block has no 16) -> Z5 (16 signed
// int32) and their lane spreads Z12..Z15 (Q6_K's sub-blocks of 16).
// Clobbers X4, X7.
#define SCALES_Q3K \
	VMOVQ 96(SI), X5; \
	VPINSRD $2, 104(SI), X5, X5; \
	VPSHUFD $0x44, X5, X4; \
	VPSRLVD X26, X4, X4; \
	VPANDD X30, X4, X4; \
	VPSHUFD $0xAA, X5, X7; \
	VPSRLVD X28, X7, X7; \
	VPANDD X27, X7, X7; \
	VPSLLD $4, X7, X7; \
	VPORD X7, X4, X4; \
	VPMOVZXBD X4, Z5; \
	VPSUBD Z29, Z5, Z5; \
	VPERMD Z5, Z20, Z12; \
	VPERMD Z5, Z21, Z13; \
	VPERMD Z5, Z22, Z14; \
	VPERMD Z5, Z23, Z15

// Q3_K quants -> Z0..Z3 as q+4 (Q2_K's halves with bit 2 from hmask:
// Z24 holds hmask and hmask>>1, group g's bit 2g goes to bit 2).
#define QUANTS_Q3K \
	VMOVDQU32 (SI), Y24; \
	VPSRLW $1, Y24, Y25; \
	VINSERTI64X4 $1, Y25, Z24, Z24; \
	Q2K_HALF(32, Z0, Z1, Y1, Y16); \
	Q2K_HALF(64, Z2, Z3, Y3, Y16); \
	Q5K_HBL(2, Z24, Z0, Z25); \
	Q5K_HB0(Z24, Z1, Z25); \
	Q5K_HBR(2, Z24, Z2, Z25); \
	Q5K_HBR(4, Z24, Z3, Z25)

#define Q3K_ROW(qsa, bsa, da, facc) \
	VPXORD Z17, Z17, Z17; \
	KDOT(Z0, qsa, Z12, Z16, Z17); \
	KDOT(Z1, 64 qsa, Z13, Z16, Z17); \
	KDOT(Z2, 128 qsa, Z14, Z16, Z17); \
	KDOT(Z3, 192 qsa, Z15, Z16, Z17); \
	VPMULLD bsa, Z5, Z18; \
	VPSLLD $2, Z18, Z18; \
	VPSUBD Z18, Z17, Z17; \
	VMULPS.BCST da, Z6, Z19; \
	VCVTDQ2PS Z17, Z17; \
	VFMADD231PS Z17, Z19, facc

// func q3_KDotX1(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q3_KDotX1(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ nsb+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ d+24(FP), R9
	MOVQ bs+32(FP), R11
	KCONSTS
	Q3K_CONSTS
	Q6K_PERMS
	VPXORD Z8, Z8, Z8
q3kx1loop:
	PF2((SI))
	SCALES_Q3K
	QUANTS_Q3K
	VPBROADCASTW 108(SI), Y6
	VCVTPH2PS Y6, Z6
	Q3K_ROW((DI), (R11), (R9), Z8)
	ADDQ $110, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q3kx1loop
	MOVQ out+40(FP), DX
	VMOVUPS Z8, (DX)
	VZEROUPPER
	RET

// func q3_KDotX4(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q3_KDotX4(SB), NOSPLIT, $0-48
	KX4_PROLOGUE
	Q3K_CONSTS
	Q6K_PERMS
q3kx4loop:
	PF2((SI))
	SCALES_Q3K
	QUANTS_Q3K
	VPBROADCASTW 108(SI), Y6
	VCVTPH2PS Y6, Z6
	Q3K_ROW((DI), (R11), (R9), Z8)
	Q3K_ROW((DI)(R8*2), (R11)(R8*1), (R9)(R10*1), Z9)
	Q3K_ROW((DI)(R8*4), (R11)(R8*2), (R9)(R10*2), Z10)
	Q3K_ROW((DI)(R12*2), (R11)(R12*1), (R9)(R13*1), Z11)
	ADDQ $110, SI
	ADDQ $256, DI
	ADDQ $4, R9
	ADDQ $128, R11
	DECQ CX
	JNZ q3kx4loop
	KX4_EPILOGUE
