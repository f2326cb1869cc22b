#include "textflag.h"

// AVX2+FMA integer dot products of quantized weight rows with quantized
// activation rows (layouts in act.go and qdot_ref.go), for CPUs without
// AVX512-VNNI. Baseline AVX2 has no vpdpbusd (the Go assembler emits only
// its EVEX form), so a 32-byte dot product is VPMADDUBSW (u8 x s8 -> pairs
// summed to saturating int16) then VPMADDWD (int16 pairs -> int32).
//
// Saturation: VPMADDUBSW saturates each pair sum to int16, so every
// kernel keeps |u|*|s|*2 <= 32767:
//   - Q8_0: weights are signed -128..127. Instead of the +128 offset of the
//     VNNI kernels (2*255*127 would saturate), VPSIGNB moves each weight's
//     sign onto its activation and VPABSB takes |w| (0..128 as unsigned:
//     -128 becomes 0x80 = 128). Activations are -127..127 (the quantizer
//     maps max|x| to 127), so pairs reach at most 2*128*127 = 32512.
//   - the others multiply unsigned quants (the stored q+offset, or q
//     itself with a min) by activations: Q2_K 0..3: 2*3*127 = 762; Q3_K
//     0..7: 1778; Q4_0, Q4_1, Q4_K 0..15: 3810; Q5_0, Q5_1, Q5_K 0..31:
//     7874; Q6_K 0..63: 16002.
// After VPMADDWD the int32 sums are far from overflow.
//
// 16 float lanes per row as two ymm halves: the Q8 kernels put even blocks
// in lanes 0-7 and odd ones in lanes 8-15; the k-quant kernels put the two
// terms (or halves) of a super-block there. x1, x4 and w4 perform the same
// float operations per (weight row, activation row), so a row's result
// does not depend on the kernel that ran it.

DATA ones16<>+0(SB)/8, $0x0001000100010001
DATA ones16<>+8(SB)/8, $0x0001000100010001
DATA ones16<>+16(SB)/8, $0x0001000100010001
DATA ones16<>+24(SB)/8, $0x0001000100010001
GLOBL ones16<>(SB), RODATA|NOPTR, $32

DATA nib0f<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nib0f<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nib0f<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nib0f<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nib0f<>(SB), RODATA|NOPTR, $32

// ---- Q8_0 ----------------------------------------------------------------

// Q8_0 block at off(base): Y0 = w, Y1 = |w|, Y2 = d_w x8.
// Decode streams every weight row from memory once per token: each
// iteration asks for the lines PFD bytes ahead of its block(s) in every
// weight row it reads (see qdot_amd64.s). Prefetches never fault and
// change no result.
#define PFD 2048
#define PF1(addr) PREFETCHT0 PFD addr
#define PF2(addr) PF1(addr); PREFETCHT0 (PFD+64) addr
#define PF4(addr) PF2(addr); PREFETCHT0 (PFD+128) addr; PREFETCHT0 (PFD+192) addr
#define PFW4(pf) pf((SI)); pf((SI)(R8*1)); pf((SI)(R8*2)); pf((SI)(R12*1))

#define DEC_Q8(wq, wd) \
	VMOVDQU wq, Y0; \
	VPABSB Y0, Y1; \
	VPBROADCASTW wd, X2; \
	VCVTPH2PS X2, Y2

// One activation row against the block in Y0..Y2:
// acc += float(sum |w|*(a*sign w)) * (d_w*d_a).
#define ROW_Q8(qsa, scla, t, u, acc) \
	VMOVDQU qsa, t; \
	VPSIGNB Y0, t, t; \
	VPMADDUBSW t, Y1, t; \
	VPMADDWD ones16<>(SB), t, t; \
	VCVTDQ2PS t, t; \
	VMULPS scla, Y2, u; \
	VFMADD231PS u, t, acc

// x4: activation rows qsStride (R8) bytes apart, scl/cor rows fStride
// (R10) bytes apart; accumulators Y8..Y15 (row r: Y8+2r lanes 0-7,
// Y9+2r lanes 8-15).
#define X4_PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ npairs+8(FP), CX; \
	MOVQ qs+16(FP), DI; \
	MOVQ qsStride+24(FP), R8; \
	MOVQ scl+32(FP), R9; \
	MOVQ cor+40(FP), R11; \
	MOVQ fStride+48(FP), R10; \
	LEAQ (R8)(R8*2), R12; \
	LEAQ (R10)(R10*2), R13; \
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	VXORPS Y10, Y10, Y10; \
	VXORPS Y11, Y11, Y11; \
	VXORPS Y12, Y12, Y12; \
	VXORPS Y13, Y13, Y13; \
	VXORPS Y14, Y14, Y14; \
	VXORPS Y15, Y15, Y15

#define X4_EPILOGUE \
	MOVQ out+56(FP), DX; \
	VMOVUPS Y8, (DX); \
	VMOVUPS Y9, 32(DX); \
	VMOVUPS Y10, 64(DX); \
	VMOVUPS Y11, 96(DX); \
	VMOVUPS Y12, 128(DX); \
	VMOVUPS Y13, 160(DX); \
	VMOVUPS Y14, 192(DX); \
	VMOVUPS Y15, 224(DX); \
	VZEROUPPER; \
	RET

// w4: one activation row (Y3) against weight rows wStride (R8) bytes apart;
// accumulators Y8..Y15 as in x4, per weight row.
#define W4_PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ wStride+8(FP), R8; \
	MOVQ npairs+16(FP), CX; \
	MOVQ qs+24(FP), DI; \
	MOVQ scl+32(FP), R9; \
	MOVQ cor+40(FP), R11; \
	LEAQ (R8)(R8*2), R12; \
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	VXORPS Y10, Y10, Y10; \
	VXORPS Y11, Y11, Y11; \
	VXORPS Y12, Y12, Y12; \
	VXORPS Y13, Y13, Y13; \
	VXORPS Y14, Y14, Y14; \
	VXORPS Y15, Y15, Y15

#define W4_EPILOGUE \
	MOVQ out+48(FP), DX; \
	VMOVUPS Y8, (DX); \
	VMOVUPS Y9, 32(DX); \
	VMOVUPS Y10, 64(DX); \
	VMOVUPS Y11, 96(DX); \
	VMOVUPS Y12, 128(DX); \
	VMOVUPS Y13, 160(DX); \
	VMOVUPS Y14, 192(DX); \
	VMOVUPS Y15, 224(DX); \
	VZEROUPPER; \
	RET

// One Q8_0 weight block against the activation block in Y3: the same
// operations as DEC_Q8 + ROW_Q8.
#define W4_Q8(wq, wd, scla, acc) \
	VMOVDQU wq, Y0; \
	VPABSB Y0, Y1; \
	VPSIGNB Y0, Y3, Y4; \
	VPMADDUBSW Y4, Y1, Y4; \
	VPMADDWD ones16<>(SB), Y4, Y4; \
	VCVTDQ2PS Y4, Y4; \
	VPBROADCASTW wd, X2; \
	VCVTPH2PS X2, Y2; \
	VMULPS scla, Y2, Y5; \
	VFMADD231PS Y5, Y4, acc

// ---- Q4_0 ----------------------------------------------------------------

// Q4_0 block: Y0 = 32 nibbles in value order (low nibbles, then high),
// Y2 = d_w x8.
#define DEC_Q4(wq, wd) \
	VMOVDQU wq, X0; \
	VPSRLW $4, X0, X1; \
	VINSERTI128 $1, X1, Y0, Y0; \
	VPAND nib0f<>(SB), Y0, Y0; \
	VPBROADCASTW wd, X2; \
	VCVTPH2PS X2, Y2

// acc += float(cor + sum q*a) * (d_w*d_a); cor = -8*sum(a) takes the
// nibbles' +8 offset back out.
#define ROW_Q4(qsa, cora, scla, t, u, acc) \
	VPMADDUBSW qsa, Y0, t; \
	VPMADDWD ones16<>(SB), t, t; \
	VPADDD cora, t, t; \
	VCVTDQ2PS t, t; \
	VMULPS scla, Y2, u; \
	VFMADD231PS u, t, acc

// One Q4_0 weight block against activation block qsa: the same operations
// as DEC_Q4 + ROW_Q4.
#define W4_Q4(wq, wd, qsa, cora, scla, acc) \
	DEC_Q4(wq, wd); \
	ROW_Q4(qsa, cora, scla, Y4, Y5, acc)

// q6shuf: mask k (32 bytes at 32k) broadcasts int16 2k in the low lane and
// int16 2k+1 in the high lane (the two sub-blocks of 16 of a 32-byte chunk).
DATA q6shuf<>+0(SB)/8, $0x0100010001000100
DATA q6shuf<>+8(SB)/8, $0x0100010001000100
DATA q6shuf<>+16(SB)/8, $0x0302030203020302
DATA q6shuf<>+24(SB)/8, $0x0302030203020302
DATA q6shuf<>+32(SB)/8, $0x0504050405040504
DATA q6shuf<>+40(SB)/8, $0x0504050405040504
DATA q6shuf<>+48(SB)/8, $0x0706070607060706
DATA q6shuf<>+56(SB)/8, $0x0706070607060706
DATA q6shuf<>+64(SB)/8, $0x0908090809080908
DATA q6shuf<>+72(SB)/8, $0x0908090809080908
DATA q6shuf<>+80(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q6shuf<>+88(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q6shuf<>+96(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q6shuf<>+104(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q6shuf<>+112(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q6shuf<>+120(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL q6shuf<>(SB), RODATA|NOPTR, $128

DATA k4shift<>+0(SB)/8, $0
DATA k4shift<>+8(SB)/8, $0x0000000400000000
GLOBL k4shift<>(SB), RODATA|NOPTR, $16

DATA k4m3f<>+0(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA k4m3f<>+8(SB)/8, $0x3f3f3f3f3f3f3f3f
GLOBL k4m3f<>(SB), RODATA|NOPTR, $16

DATA k4m03<>+0(SB)/8, $0x0303030303030303
DATA k4m03<>+8(SB)/8, $0x0303030303030303
GLOBL k4m03<>(SB), RODATA|NOPTR, $16

DATA m30<>+0(SB)/8, $0x3030303030303030
DATA m30<>+8(SB)/8, $0x3030303030303030
DATA m30<>+16(SB)/8, $0x3030303030303030
DATA m30<>+24(SB)/8, $0x3030303030303030
GLOBL m30<>(SB), RODATA|NOPTR, $32

// ---- Q4_K ----------------------------------------------------------------
//
// Per super-block and activation row: isum (8 int32 lanes) = sum over the 8
// sub-blocks of sc_j * (pairs of nibble*activation products), then
//   lanes 0-7  += float(isum) * (d*d_a)
//   lanes 8-15 -= float(m_j * bsum32_j) * (dmin*d_a).

// Q4_K block at SI: its 12 bytes of packed 6-bit scales and mins -> bytes
// sc0..sc7, m0..m7, stored at 0(SP) (the mins are read back at the end of
// the block); Y3 = sc0..sc7 as int16 in both 128-bit lanes. ggml's 32-bit
// mask recipe on the four 32-bit lanes of an xmm. Clobbers X4..X7.
#define Q4K_SCALES \
	VMOVDQU 4(SI), X5; \
	VPSHUFD $152, X5, X6; \
	VPSHUFD $80, X5, X7; \
	VPSRLVD k4shift<>(SB), X6, X6; \
	VPAND k4m3f<>(SB), X6, X4; \
	VPAND nib0f<>(SB), X6, X6; \
	VPSRLD $6, X7, X7; \
	VPAND k4m03<>(SB), X7, X7; \
	VPSLLD $4, X7, X7; \
	VPOR X7, X6, X6; \
	VPBLENDD $0x0A, X6, X4, X5; \
	VMOVDQU X5, 0(SP); \
	VPMOVZXBW X5, X3; \
	VINSERTI128 $1, X3, Y3, Y3

// Low (high) nibbles of the 32 bytes at off(SI) -> Y0.
#define NIB_LO(off) \
	VMOVDQU off(SI), Y0; \
	VPAND nib0f<>(SB), Y0, Y0

#define NIB_HI(off) \
	VMOVDQU off(SI), Y0; \
	VPSRLW $4, Y0, Y0; \
	VPAND nib0f<>(SB), Y0, Y0

// isum += sum over pairs of (Y0 x qsa products) * Y1 (int16 scales).
#define KROW(qsa, isum) \
	VPMADDUBSW qsa, Y0, Y2; \
	VPMADDWD Y1, Y2, Y2; \
	VPADDD Y2, isum, isum

// End of a Q4_K block for one row; needs Y2 = d x8, Y3 = dmin x8.
#define Q4K_END(da, bsa, isum, flo, fhi) \
	VBROADCASTSS da, Y0; \
	VMULPS Y0, Y2, Y1; \
	VCVTDQ2PS isum, isum; \
	VFMADD231PS Y1, isum, flo; \
	VMULPS Y0, Y3, Y1; \
	VPMOVZXBD 8(SP), isum; \
	VPMULLD bsa, isum, isum; \
	VCVTDQ2PS isum, isum; \
	VFNMADD231PS Y1, isum, fhi

#define Q4K_DSCALES \
	VPBROADCASTW (SI), X2; \
	VCVTPH2PS X2, Y2; \
	VPBROADCASTW 2(SI), X3; \
	VCVTPH2PS X3, Y3

// The k-quant x4 kernels find the activation rows from nsb (the rows hold
// exactly nsb super-blocks): qs rows 256*nsb bytes apart (2*R8), bs rows
// 128*nsb (R8), d rows 4*nsb (R10).
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
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
	VXORPS Y10, Y10, Y10; \
	VXORPS Y11, Y11, Y11; \
	VXORPS Y12, Y12, Y12; \
	VXORPS Y13, Y13, Y13; \
	VXORPS Y14, Y14, Y14; \
	VXORPS Y15, Y15, Y15

#define KX4_EPILOGUE \
	MOVQ out+40(FP), DX; \
	VMOVUPS Y8, (DX); \
	VMOVUPS Y9, 32(DX); \
	VMOVUPS Y10, 64(DX); \
	VMOVUPS Y11, 96(DX); \
	VMOVUPS Y12, 128(DX); \
	VMOVUPS Y13, 160(DX); \
	VMOVUPS Y14, 192(DX); \
	VMOVUPS Y15, 224(DX); \
	VZEROUPPER; \
	RET

#define KX1_PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ nsb+8(FP), CX; \
	MOVQ qs+16(FP), DI; \
	MOVQ d+24(FP), R9; \
	MOVQ bs+32(FP), R11; \
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9

#define KX1_EPILOGUE \
	MOVQ out+40(FP), DX; \
	VMOVUPS Y8, (DX); \
	VMOVUPS Y9, 32(DX); \
	VZEROUPPER; \
	RET

// KROW4(off): KROW for the 4 activation rows of the x4 kernels (qs rows
// 2*R8 bytes apart), chunk off, into Y4..Y7.
#define KROW4(off) \
	KROW(off(DI), Y4); \
	KROW(off(DI)(R8*2), Y5); \
	KROW(off(DI)(R8*4), Y6); \
	KROW(off(DI)(R12*2), Y7)

#define KADVANCE(wbytes) \
	PF4((SI)); \
	ADDQ $wbytes, SI; \
	ADDQ $256, DI; \
	ADDQ $4, R9; \
	ADDQ $128, R11; \
	DECQ CX

// ---- Q6_K ----------------------------------------------------------------
//
// Per half h (values 128h..128h+127) and activation row: isum = sum over
// 16-value sub-blocks of sc * (pairs of q*activation products) with q the
// unsigned 6-bit quants, minus 32*sc*bsum16 (the -32 offset), then lanes
// 8h..8h+7 += float(isum) * (d*d_a).

// Chunk k of half h (32 quants) -> Y0; clobbers Y1.
#define Q6K_Q0(ql, qh) \
	VMOVDQU ql, Y0; \
	VPAND nib0f<>(SB), Y0, Y0; \
	VMOVDQU qh, Y1; \
	VPSLLW $4, Y1, Y1; \
	VPAND m30<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

#define Q6K_Q1(ql, qh) \
	VMOVDQU ql, Y0; \
	VPAND nib0f<>(SB), Y0, Y0; \
	VMOVDQU qh, Y1; \
	VPSLLW $2, Y1, Y1; \
	VPAND m30<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

#define Q6K_Q2(ql, qh) \
	VMOVDQU ql, Y0; \
	VPSRLW $4, Y0, Y0; \
	VPAND nib0f<>(SB), Y0, Y0; \
	VMOVDQU qh, Y1; \
	VPAND m30<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

#define Q6K_Q3(ql, qh) \
	VMOVDQU ql, Y0; \
	VPSRLW $4, Y0, Y0; \
	VPAND nib0f<>(SB), Y0, Y0; \
	VMOVDQU qh, Y1; \
	VPSRLW $2, Y1, Y1; \
	VPAND m30<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

// End of half for one row; needs Y3 = sc (int32 x8), Y2 = d x8.
#define Q6K_END(da, bsa, isum, facc) \
	VPMULLD bsa, Y3, Y1; \
	VPSLLD $5, Y1, Y1; \
	VPSUBD Y1, isum, isum; \
	VCVTDQ2PS isum, isum; \
	VBROADCASTSS da, Y0; \
	VMULPS Y0, Y2, Y1; \
	VFMADD231PS Y1, isum, facc

// q5bytes: VPSHUFB mask that copies byte i/8 of a broadcast 32-bit qh to
// byte i; q5bits: bit i%8 of byte i.
DATA q5bytes<>+0(SB)/8, $0x0000000000000000
DATA q5bytes<>+8(SB)/8, $0x0101010101010101
DATA q5bytes<>+16(SB)/8, $0x0202020202020202
DATA q5bytes<>+24(SB)/8, $0x0303030303030303
GLOBL q5bytes<>(SB), RODATA|NOPTR, $32

DATA q5bits<>+0(SB)/8, $0x8040201008040201
DATA q5bits<>+8(SB)/8, $0x8040201008040201
DATA q5bits<>+16(SB)/8, $0x8040201008040201
DATA q5bits<>+24(SB)/8, $0x8040201008040201
GLOBL q5bits<>(SB), RODATA|NOPTR, $32

DATA m10<>+0(SB)/8, $0x1010101010101010
DATA m10<>+8(SB)/8, $0x1010101010101010
DATA m10<>+16(SB)/8, $0x1010101010101010
DATA m10<>+24(SB)/8, $0x1010101010101010
GLOBL m10<>(SB), RODATA|NOPTR, $32

// ---- Q5_0, Q4_1, Q5_1 ----------------------------------------------------
//
// The same shapes as Q4_0. Q5_0 quants are q+16 in 0..31 (2*31*127 = 7874
// per VPMADDUBSW pair), cor = -16*sum(a). Q4_1/Q5_1 hold x = d*q + m:
// acc += float(sum q*a)*(d*d_a), then acc += float(cor)*(m*d_a) with
// cor = [sum(a), 0 x 7] (quantized with k = -1).

// 32 nibbles at nib (16 bytes) -> Y0 in value order; clobbers Y1.
#define NIB16(nib) \
	VMOVDQU nib, X0; \
	VPSRLW $4, X0, X1; \
	VINSERTI128 $1, X1, Y0, Y0; \
	VPAND nib0f<>(SB), Y0, Y0

// Y0 |= 16 where bit i of the 32-bit qh is set; clobbers Y1.
#define QH32(qh) \
	VPBROADCASTD qh, Y1; \
	VPSHUFB q5bytes<>(SB), Y1, Y1; \
	VPAND q5bits<>(SB), Y1, Y1; \
	VPCMPEQB q5bits<>(SB), Y1, Y1; \
	VPAND m10<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

#define F16X8(src, x, y) \
	VPBROADCASTW src, x; \
	VCVTPH2PS x, y

#define DEC_Q5_0(blk, qh, nib) \
	NIB16(nib); \
	QH32(qh); \
	F16X8(blk, X2, Y2)

#define DEC_Q4_1(blk, m, nib) \
	NIB16(nib); \
	F16X8(blk, X2, Y2); \
	F16X8(m, X3, Y3)

#define DEC_Q5_1(blk, m, qh, nib) \
	NIB16(nib); \
	QH32(qh); \
	F16X8(blk, X2, Y2); \
	F16X8(m, X3, Y3)

// Q4_1/Q5_1 row: Y2 = d, Y3 = m.
#define ROW_Q1(qsa, cora, scla, t, u, acc) \
	VPMADDUBSW qsa, Y0, t; \
	VPMADDWD ones16<>(SB), t, t; \
	VCVTDQ2PS t, t; \
	VMULPS scla, Y2, u; \
	VFMADD231PS u, t, acc; \
	VCVTDQ2PS cora, t; \
	VMULPS scla, Y3, u; \
	VFMADD231PS u, t, acc

// ---- Q5_K ----------------------------------------------------------------
//
// Q4_K with a fifth bit per quant (q in 0..31: 2*31*127 = 7874 per
// VPMADDUBSW pair): value 64g+l takes bit 2g of qh[l], value 64g+32+l bit
// 2g+1. The shifts move bit b of each qh byte to bit 4 (word shifts; the
// 0x10 mask keeps only bits that stayed within their byte).

#define QH5(qhoff, shift, n) \
	VMOVDQU qhoff(SI), Y1; \
	shift $n, Y1, Y1; \
	VPAND m10<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

#define QH5_0(qhoff) \
	VMOVDQU qhoff(SI), Y1; \
	VPAND m10<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

DATA m03<>+0(SB)/8, $0x0303030303030303
DATA m03<>+8(SB)/8, $0x0303030303030303
DATA m03<>+16(SB)/8, $0x0303030303030303
DATA m03<>+24(SB)/8, $0x0303030303030303
GLOBL m03<>(SB), RODATA|NOPTR, $32

DATA m04<>+0(SB)/8, $0x0404040404040404
DATA m04<>+8(SB)/8, $0x0404040404040404
DATA m04<>+16(SB)/8, $0x0404040404040404
DATA m04<>+24(SB)/8, $0x0404040404040404
GLOBL m04<>(SB), RODATA|NOPTR, $32

DATA m20<>+0(SB)/8, $0x2020202020202020
DATA m20<>+8(SB)/8, $0x2020202020202020
GLOBL m20<>(SB), RODATA|NOPTR, $16

// q3shift: per-dword shifts of Q3_K's scale unpacking.
DATA q3shift<>+0(SB)/8, $0x0000000000000000
DATA q3shift<>+8(SB)/8, $0x0000000400000004
DATA q3shift<>+16(SB)/8, $0x0000000200000000
DATA q3shift<>+24(SB)/8, $0x0000000600000004
GLOBL q3shift<>(SB), RODATA|NOPTR, $32

// ---- Q2_K ----------------------------------------------------------------
//
// 2-bit quants (0..3: 2*3*127 = 762 per VPMADDUBSW pair); value
// 128h+32j+l is bits 2j of qs[32h+l], in sub-block 8h+2j+l/16 with a 4-bit
// scale and a 4-bit min. Per super-block and row: isum = sum of
// sc*(pairs of products) over both halves, lanes 0-7 += float(isum)*(d*d_a),
// lanes 8-15 -= float(m*bsum16, sub-blocks i and i+8 summed)*(dmin*d_a).

// Scales at SI -> 0(SP): 16 scale bytes, then 16 min bytes.
#define Q2K_SCALES \
	VMOVDQU (SI), X0; \
	VPSRLW $4, X0, X1; \
	VPAND nib0f<>(SB), X0, X0; \
	VPAND nib0f<>(SB), X1, X1; \
	VMOVDQU X0, 0(SP); \
	VMOVDQU X1, 16(SP)

// The 8 scales of half h (8h(SP)) as int16 in both lanes -> Y3.
#define SC16U(off) \
	VPMOVZXBW off(SP), X3; \
	VINSERTI128 $1, X3, Y3, Y3

// 2-bit chunk j of the 32 bytes at qoff(SI) -> Y0.
#define Q2CHUNK(qoff, n) \
	VMOVDQU qoff(SI), Y0; \
	VPSRLW $n, Y0, Y0; \
	VPAND m03<>(SB), Y0, Y0

#define Q2CHUNK0(qoff) \
	VMOVDQU qoff(SI), Y0; \
	VPAND m03<>(SB), Y0, Y0

// End of a Q2_K block for one row; needs Y2 = d x8, Y3 = dmin x8.
#define Q2K_END(da, bsa, bsb, isum, flo, fhi) \
	VBROADCASTSS da, Y0; \
	VMULPS Y0, Y2, Y1; \
	VCVTDQ2PS isum, isum; \
	VFMADD231PS Y1, isum, flo; \
	VPMOVZXBD 16(SP), isum; \
	VPMULLD bsa, isum, isum; \
	VPMOVZXBD 24(SP), Y1; \
	VPMULLD bsb, Y1, Y1; \
	VPADDD Y1, isum, isum; \
	VMULPS Y0, Y3, Y1; \
	VCVTDQ2PS isum, isum; \
	VFNMADD231PS Y1, isum, fhi

// ---- Q3_K ----------------------------------------------------------------
//
// q+4 in 0..7 (2*7*127 = 1778 per VPMADDUBSW pair): the 2 low bits as
// Q2_K's, the third bit of value 128h+32j+l bit 4h+j of hmask[l]. Signed
// 6-bit scales. Per half h and row: isum = sum of sc*(pairs of products)
// - 4*sc*bsum16, lanes 8h..8h+7 += float(isum)*(d*d_a), as Q6_K.

// Scales at 96(SI) (12 bytes, read without passing the block's end) ->
// 16 signed bytes at 0(SP).
#define Q3K_SCALES \
	VMOVQ 96(SI), X0; \
	VPINSRD $2, 104(SI), X0, X0; \
	VPSHUFD $0x44, X0, X1; \
	VPSHUFD $0xAA, X0, X2; \
	VPSRLVD q3shift<>(SB), X1, X1; \
	VPAND nib0f<>(SB), X1, X1; \
	VPSRLVD q3shift<>+16(SB), X2, X2; \
	VPAND k4m03<>(SB), X2, X2; \
	VPSLLD $4, X2, X2; \
	VPOR X2, X1, X1; \
	VPSUBB m20<>(SB), X1, X1; \
	VMOVDQU X1, 0(SP)

// Y0 |= 4 where bit b of hmask byte l is set.
#define Q3HI(n, shift) \
	VMOVDQU (SI), Y1; \
	shift $n, Y1, Y1; \
	VPAND m04<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

#define Q3HI2 \
	VMOVDQU (SI), Y1; \
	VPAND m04<>(SB), Y1, Y1; \
	VPOR Y1, Y0, Y0

// End of half for one row; needs Y3 = sc (int32 x8), Y2 = d x8.
#define Q3K_END(da, bsa, isum, facc) \
	VPMULLD bsa, Y3, Y1; \
	VPSLLD $2, Y1, Y1; \
	VPSUBD Y1, isum, isum; \
	VCVTDQ2PS isum, isum; \
	VBROADCASTSS da, Y0; \
	VMULPS Y0, Y2, Y1; \
	VFMADD231PS Y1, isum, facc

// func q8_0DotX1Avx2(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
TEXT ·q8_0DotX1Avx2(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ npairs+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ scl+24(FP), R9
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
q80x1:
	PF2((SI))
	DEC_Q8(2(SI), (SI))
	ROW_Q8((DI), (R9), Y4, Y5, Y8)
	DEC_Q8(36(SI), 34(SI))
	ROW_Q8(32(DI), 32(R9), Y6, Y7, Y9)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $64, R9
	DECQ CX
	JNZ q80x1
	MOVQ out+40(FP), DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	VZEROUPPER
	RET

// func q8_0DotX4Avx2(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
TEXT ·q8_0DotX4Avx2(SB), NOSPLIT, $0-64
	X4_PROLOGUE
q80x4:
	PF2((SI))
	DEC_Q8(2(SI), (SI))
	ROW_Q8((DI), (R9), Y4, Y5, Y8)
	ROW_Q8((DI)(R8*1), (R9)(R10*1), Y6, Y7, Y10)
	ROW_Q8((DI)(R8*2), (R9)(R10*2), Y4, Y5, Y12)
	ROW_Q8((DI)(R12*1), (R9)(R13*1), Y6, Y7, Y14)
	DEC_Q8(36(SI), 34(SI))
	ROW_Q8(32(DI), 32(R9), Y4, Y5, Y9)
	ROW_Q8(32(DI)(R8*1), 32(R9)(R10*1), Y6, Y7, Y11)
	ROW_Q8(32(DI)(R8*2), 32(R9)(R10*2), Y4, Y5, Y13)
	ROW_Q8(32(DI)(R12*1), 32(R9)(R13*1), Y6, Y7, Y15)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $64, R9
	DECQ CX
	JNZ q80x4
	X4_EPILOGUE

// func q8_0DotW4Avx2(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
TEXT ·q8_0DotW4Avx2(SB), NOSPLIT, $0-56
	W4_PROLOGUE
q80w4:
	PFW4(PF2)
	VMOVDQU (DI), Y3
	W4_Q8(2(SI), (SI), (R9), Y8)
	W4_Q8(2(SI)(R8*1), (SI)(R8*1), (R9), Y10)
	W4_Q8(2(SI)(R8*2), (SI)(R8*2), (R9), Y12)
	W4_Q8(2(SI)(R12*1), (SI)(R12*1), (R9), Y14)
	VMOVDQU 32(DI), Y3
	W4_Q8(36(SI), 34(SI), 32(R9), Y9)
	W4_Q8(36(SI)(R8*1), 34(SI)(R8*1), 32(R9), Y11)
	W4_Q8(36(SI)(R8*2), 34(SI)(R8*2), 32(R9), Y13)
	W4_Q8(36(SI)(R12*1), 34(SI)(R12*1), 32(R9), Y15)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $64, R9
	DECQ CX
	JNZ q80w4
	W4_EPILOGUE

// func q4_0DotX1Avx2(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
TEXT ·q4_0DotX1Avx2(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), SI
	MOVQ npairs+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ scl+24(FP), R9
	MOVQ cor+32(FP), R11
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
q40x1:
	PF1((SI))
	DEC_Q4(2(SI), (SI))
	ROW_Q4((DI), (R11), (R9), Y4, Y5, Y8)
	DEC_Q4(20(SI), 18(SI))
	ROW_Q4(32(DI), 32(R11), 32(R9), Y6, Y7, Y9)
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q40x1
	MOVQ out+40(FP), DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	VZEROUPPER
	RET

// func q4_0DotX4Avx2(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
TEXT ·q4_0DotX4Avx2(SB), NOSPLIT, $0-64
	X4_PROLOGUE
q40x4:
	PF1((SI))
	DEC_Q4(2(SI), (SI))
	ROW_Q4((DI), (R11), (R9), Y4, Y5, Y8)
	ROW_Q4((DI)(R8*1), (R11)(R10*1), (R9)(R10*1), Y6, Y7, Y10)
	ROW_Q4((DI)(R8*2), (R11)(R10*2), (R9)(R10*2), Y4, Y5, Y12)
	ROW_Q4((DI)(R12*1), (R11)(R13*1), (R9)(R13*1), Y6, Y7, Y14)
	DEC_Q4(20(SI), 18(SI))
	ROW_Q4(32(DI), 32(R11), 32(R9), Y4, Y5, Y9)
	ROW_Q4(32(DI)(R8*1), 32(R11)(R10*1), 32(R9)(R10*1), Y6, Y7, Y11)
	ROW_Q4(32(DI)(R8*2), 32(R11)(R10*2), 32(R9)(R10*2), Y4, Y5, Y13)
	ROW_Q4(32(DI)(R12*1), 32(R11)(R13*1), 32(R9)(R13*1), Y6, Y7, Y15)
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q40x4
	X4_EPILOGUE

// func q4_0DotW4Avx2(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
TEXT ·q4_0DotW4Avx2(SB), NOSPLIT, $0-56
	W4_PROLOGUE
q40w4:
	PFW4(PF1)
	W4_Q4(2(SI), (SI), (DI), (R11), (R9), Y8)
	W4_Q4(2(SI)(R8*1), (SI)(R8*1), (DI), (R11), (R9), Y10)
	W4_Q4(2(SI)(R8*2), (SI)(R8*2), (DI), (R11), (R9), Y12)
	W4_Q4(2(SI)(R12*1), (SI)(R12*1), (DI), (R11), (R9), Y14)
	W4_Q4(20(SI), 18(SI), 32(DI), 32(R11), 32(R9), Y9)
	W4_Q4(20(SI)(R8*1), 18(SI)(R8*1), 32(DI), 32(R11), 32(R9), Y11)
	W4_Q4(20(SI)(R8*2), 18(SI)(R8*2), 32(DI), 32(R11), 32(R9), Y13)
	W4_Q4(20(SI)(R12*1), 18(SI)(R12*1), 32(DI), 32(R11), 32(R9), Y15)
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $64, R9
	ADDQ $64, R11
	DECQ CX
	JNZ q40w4
	W4_EPILOGUE
// k4shuf: mask j (32 bytes at 32j) broadcasts int16 j of each 128-bit lane.
DATA k4shuf<>+0(SB)/8, $0x0100010001000100
DATA k4shuf<>+8(SB)/8, $0x0100010001000100
DATA k4shuf<>+16(SB)/8, $0x0100010001000100
DATA k4shuf<>+24(SB)/8, $0x0100010001000100
DATA k4shuf<>+32(SB)/8, $0x0302030203020302
DATA k4shuf<>+40(SB)/8, $0x0302030203020302
DATA k4shuf<>+48(SB)/8, $0x0302030203020302
DATA k4shuf<>+56(SB)/8, $0x0302030203020302
DATA k4shuf<>+64(SB)/8, $0x0504050405040504
DATA k4shuf<>+72(SB)/8, $0x0504050405040504
DATA k4shuf<>+80(SB)/8, $0x0504050405040504
DATA k4shuf<>+88(SB)/8, $0x0504050405040504
DATA k4shuf<>+96(SB)/8, $0x0706070607060706
DATA k4shuf<>+104(SB)/8, $0x0706070607060706
DATA k4shuf<>+112(SB)/8, $0x0706070607060706
DATA k4shuf<>+120(SB)/8, $0x0706070607060706
DATA k4shuf<>+128(SB)/8, $0x0908090809080908
DATA k4shuf<>+136(SB)/8, $0x0908090809080908
DATA k4shuf<>+144(SB)/8, $0x0908090809080908
DATA k4shuf<>+152(SB)/8, $0x0908090809080908
DATA k4shuf<>+160(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+168(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+176(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+184(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+192(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+200(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+208(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+216(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA k4shuf<>+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA k4shuf<>+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA k4shuf<>+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL k4shuf<>(SB), RODATA|NOPTR, $256

// func q4_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q4_KDotX1Avx2(SB), NOSPLIT, $16-48
	KX1_PROLOGUE
q4_kdotx1avx2loop:
	Q4K_SCALES
	VPXOR Y4, Y4, Y4
	NIB_LO(16)
	VPSHUFB k4shuf<>+0(SB), Y3, Y1
	KROW((DI), Y4)
	NIB_HI(16)
	VPSHUFB k4shuf<>+32(SB), Y3, Y1
	KROW(32(DI), Y4)
	NIB_LO(48)
	VPSHUFB k4shuf<>+64(SB), Y3, Y1
	KROW(64(DI), Y4)
	NIB_HI(48)
	VPSHUFB k4shuf<>+96(SB), Y3, Y1
	KROW(96(DI), Y4)
	NIB_LO(80)
	VPSHUFB k4shuf<>+128(SB), Y3, Y1
	KROW(128(DI), Y4)
	NIB_HI(80)
	VPSHUFB k4shuf<>+160(SB), Y3, Y1
	KROW(160(DI), Y4)
	NIB_LO(112)
	VPSHUFB k4shuf<>+192(SB), Y3, Y1
	KROW(192(DI), Y4)
	NIB_HI(112)
	VPSHUFB k4shuf<>+224(SB), Y3, Y1
	KROW(224(DI), Y4)
	Q4K_DSCALES
	Q4K_END((R9), 96(R11), Y4, Y8, Y9)
	KADVANCE(144)
	JNZ q4_kdotx1avx2loop
	KX1_EPILOGUE

// func q4_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q4_KDotX4Avx2(SB), NOSPLIT, $16-48
	KX4_PROLOGUE
q4_kdotx4avx2loop:
	Q4K_SCALES
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	NIB_LO(16)
	VPSHUFB k4shuf<>+0(SB), Y3, Y1
	KROW4(0)
	NIB_HI(16)
	VPSHUFB k4shuf<>+32(SB), Y3, Y1
	KROW4(32)
	NIB_LO(48)
	VPSHUFB k4shuf<>+64(SB), Y3, Y1
	KROW4(64)
	NIB_HI(48)
	VPSHUFB k4shuf<>+96(SB), Y3, Y1
	KROW4(96)
	NIB_LO(80)
	VPSHUFB k4shuf<>+128(SB), Y3, Y1
	KROW4(128)
	NIB_HI(80)
	VPSHUFB k4shuf<>+160(SB), Y3, Y1
	KROW4(160)
	NIB_LO(112)
	VPSHUFB k4shuf<>+192(SB), Y3, Y1
	KROW4(192)
	NIB_HI(112)
	VPSHUFB k4shuf<>+224(SB), Y3, Y1
	KROW4(224)
	Q4K_DSCALES
	Q4K_END((R9), 96(R11), Y4, Y8, Y9)
	Q4K_END((R9)(R10*1), 96(R11)(R8*1), Y5, Y10, Y11)
	Q4K_END((R9)(R10*2), 96(R11)(R8*2), Y6, Y12, Y13)
	Q4K_END((R9)(R13*1), 96(R11)(R12*1), Y7, Y14, Y15)
	KADVANCE(144)
	JNZ q4_kdotx4avx2loop
	KX4_EPILOGUE

// func q6_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q6_KDotX1Avx2(SB), NOSPLIT, $0-48
	KX1_PROLOGUE
q6_kdotx1avx2loop:
	VPMOVSXBW 192(SI), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	Q6K_Q0(0(SI), 128(SI))
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW((DI), Y4)
	Q6K_Q1(32(SI), 128(SI))
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW(32(DI), Y4)
	Q6K_Q2(0(SI), 128(SI))
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW(64(DI), Y4)
	Q6K_Q3(32(SI), 128(SI))
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW(96(DI), Y4)
	VPMOVSXBD 192(SI), Y3
	VPBROADCASTW 208(SI), X2
	VCVTPH2PS X2, Y2
	Q6K_END((R9), (R11), Y4, Y8)
	VPMOVSXBW 200(SI), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	Q6K_Q0(64(SI), 160(SI))
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW(128(DI), Y4)
	Q6K_Q1(96(SI), 160(SI))
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW(160(DI), Y4)
	Q6K_Q2(64(SI), 160(SI))
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW(192(DI), Y4)
	Q6K_Q3(96(SI), 160(SI))
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW(224(DI), Y4)
	VPMOVSXBD 200(SI), Y3
	VPBROADCASTW 208(SI), X2
	VCVTPH2PS X2, Y2
	Q6K_END((R9), 32(R11), Y4, Y9)
	KADVANCE(210)
	JNZ q6_kdotx1avx2loop
	KX1_EPILOGUE

// func q6_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q6_KDotX4Avx2(SB), NOSPLIT, $0-48
	KX4_PROLOGUE
q6_kdotx4avx2loop:
	VPMOVSXBW 192(SI), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q6K_Q0(0(SI), 128(SI))
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW4(0)
	Q6K_Q1(32(SI), 128(SI))
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW4(32)
	Q6K_Q2(0(SI), 128(SI))
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW4(64)
	Q6K_Q3(32(SI), 128(SI))
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW4(96)
	VPMOVSXBD 192(SI), Y3
	VPBROADCASTW 208(SI), X2
	VCVTPH2PS X2, Y2
	Q6K_END((R9), (R11), Y4, Y8)
	Q6K_END((R9)(R10*1), (R11)(R8*1), Y5, Y10)
	Q6K_END((R9)(R10*2), (R11)(R8*2), Y6, Y12)
	Q6K_END((R9)(R13*1), (R11)(R12*1), Y7, Y14)
	VPMOVSXBW 200(SI), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q6K_Q0(64(SI), 160(SI))
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW4(128)
	Q6K_Q1(96(SI), 160(SI))
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW4(160)
	Q6K_Q2(64(SI), 160(SI))
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW4(192)
	Q6K_Q3(96(SI), 160(SI))
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW4(224)
	VPMOVSXBD 200(SI), Y3
	VPBROADCASTW 208(SI), X2
	VCVTPH2PS X2, Y2
	Q6K_END((R9), 32(R11), Y4, Y9)
	Q6K_END((R9)(R10*1), 32(R11)(R8*1), Y5, Y11)
	Q6K_END((R9)(R10*2), 32(R11)(R8*2), Y6, Y13)
	Q6K_END((R9)(R13*1), 32(R11)(R12*1), Y7, Y15)
	KADVANCE(210)
	JNZ q6_kdotx4avx2loop
	KX4_EPILOGUE

// The Q5_0, Q4_1 and Q5_1 kernels share their loops: dec(d, blk) decodes
// the block at d blk (the decoders below with their fields' offsets), row
// multiplies it into one activation row's block; two blocks of h bytes
// per step.
#define DQ5_0(d, blk) DEC_Q5_0(d blk, d+2 blk, d+6 blk)
#define DQ4_1(d, blk) DEC_Q4_1(d blk, d+2 blk, d+4 blk)
#define DQ5_1(d, blk) DEC_Q5_1(d blk, d+2 blk, d+4 blk, d+8 blk)

#define QADVANCE(h) \
	ADDQ $(2*h), SI; \
	ADDQ $64, DI; \
	ADDQ $64, R9; \
	ADDQ $64, R11; \
	DECQ CX

// func name(w *byte, npairs int, qs *int8, scl *float32, cor *int32, out *[16]float32)
#define QX1(name, dec, row, h) \
TEXT name(SB), NOSPLIT, $0-48; \
	MOVQ w+0(FP), SI; \
	MOVQ npairs+8(FP), CX; \
	MOVQ qs+16(FP), DI; \
	MOVQ scl+24(FP), R9; \
	MOVQ cor+32(FP), R11; \
	VXORPS Y8, Y8, Y8; \
	VXORPS Y9, Y9, Y9; \
loop: \
	PF1((SI)); \
	dec(0, (SI)); \
	row((DI), (R11), (R9), Y4, Y5, Y8); \
	dec(h, (SI)); \
	row(32(DI), 32(R11), 32(R9), Y4, Y5, Y9); \
	QADVANCE(h); \
	JNZ loop; \
	MOVQ out+40(FP), DX; \
	VMOVUPS Y8, (DX); \
	VMOVUPS Y9, 32(DX); \
	VZEROUPPER; \
	RET

// func name(w *byte, npairs int, qs *int8, qsStride int, scl *float32, cor *int32, fStride int, out *[64]float32)
#define QX4(name, dec, row, h) \
TEXT name(SB), NOSPLIT, $0-64; \
	X4_PROLOGUE; \
loop: \
	PF1((SI)); \
	dec(0, (SI)); \
	row((DI), (R11), (R9), Y4, Y5, Y8); \
	row((DI)(R8*1), (R11)(R10*1), (R9)(R10*1), Y6, Y7, Y10); \
	row((DI)(R8*2), (R11)(R10*2), (R9)(R10*2), Y4, Y5, Y12); \
	row((DI)(R12*1), (R11)(R13*1), (R9)(R13*1), Y6, Y7, Y14); \
	dec(h, (SI)); \
	row(32(DI), 32(R11), 32(R9), Y4, Y5, Y9); \
	row(32(DI)(R8*1), 32(R11)(R10*1), 32(R9)(R10*1), Y6, Y7, Y11); \
	row(32(DI)(R8*2), 32(R11)(R10*2), 32(R9)(R10*2), Y4, Y5, Y13); \
	row(32(DI)(R12*1), 32(R11)(R13*1), 32(R9)(R13*1), Y6, Y7, Y15); \
	QADVANCE(h); \
	JNZ loop; \
	X4_EPILOGUE

// func name(w *byte, wStride int, npairs int, qs *int8, scl *float32, cor *int32, out *[64]float32)
#define QW4(name, dec, row, h) \
TEXT name(SB), NOSPLIT, $0-56; \
	W4_PROLOGUE; \
loop: \
	PFW4(PF1); \
	dec(0, (SI)); \
	row((DI), (R11), (R9), Y4, Y5, Y8); \
	dec(0, (SI)(R8*1)); \
	row((DI), (R11), (R9), Y4, Y5, Y10); \
	dec(0, (SI)(R8*2)); \
	row((DI), (R11), (R9), Y4, Y5, Y12); \
	dec(0, (SI)(R12*1)); \
	row((DI), (R11), (R9), Y4, Y5, Y14); \
	dec(h, (SI)); \
	row(32(DI), 32(R11), 32(R9), Y4, Y5, Y9); \
	dec(h, (SI)(R8*1)); \
	row(32(DI), 32(R11), 32(R9), Y4, Y5, Y11); \
	dec(h, (SI)(R8*2)); \
	row(32(DI), 32(R11), 32(R9), Y4, Y5, Y13); \
	dec(h, (SI)(R12*1)); \
	row(32(DI), 32(R11), 32(R9), Y4, Y5, Y15); \
	QADVANCE(h); \
	JNZ loop; \
	W4_EPILOGUE

QX1(·q5_0DotX1Avx2, DQ5_0, ROW_Q4, 22)
QX4(·q5_0DotX4Avx2, DQ5_0, ROW_Q4, 22)
QW4(·q5_0DotW4Avx2, DQ5_0, ROW_Q4, 22)
QX1(·q4_1DotX1Avx2, DQ4_1, ROW_Q1, 20)
QX4(·q4_1DotX4Avx2, DQ4_1, ROW_Q1, 20)
QW4(·q4_1DotW4Avx2, DQ4_1, ROW_Q1, 20)
QX1(·q5_1DotX1Avx2, DQ5_1, ROW_Q1, 24)
QX4(·q5_1DotX4Avx2, DQ5_1, ROW_Q1, 24)
QW4(·q5_1DotW4Avx2, DQ5_1, ROW_Q1, 24)

// func q5_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q5_KDotX1Avx2(SB), NOSPLIT, $16-48
	KX1_PROLOGUE
q5_kdotx1avx2loop:
	Q4K_SCALES
	VPXOR Y4, Y4, Y4
	NIB_LO(48)
	QH5(16, VPSLLW, 4)
	VPSHUFB k4shuf<>+0(SB), Y3, Y1
	KROW((DI), Y4)
	NIB_HI(48)
	QH5(16, VPSLLW, 3)
	VPSHUFB k4shuf<>+32(SB), Y3, Y1
	KROW(32(DI), Y4)
	NIB_LO(80)
	QH5(16, VPSLLW, 2)
	VPSHUFB k4shuf<>+64(SB), Y3, Y1
	KROW(64(DI), Y4)
	NIB_HI(80)
	QH5(16, VPSLLW, 1)
	VPSHUFB k4shuf<>+96(SB), Y3, Y1
	KROW(96(DI), Y4)
	NIB_LO(112)
	QH5_0(16)
	VPSHUFB k4shuf<>+128(SB), Y3, Y1
	KROW(128(DI), Y4)
	NIB_HI(112)
	QH5(16, VPSRLW, 1)
	VPSHUFB k4shuf<>+160(SB), Y3, Y1
	KROW(160(DI), Y4)
	NIB_LO(144)
	QH5(16, VPSRLW, 2)
	VPSHUFB k4shuf<>+192(SB), Y3, Y1
	KROW(192(DI), Y4)
	NIB_HI(144)
	QH5(16, VPSRLW, 3)
	VPSHUFB k4shuf<>+224(SB), Y3, Y1
	KROW(224(DI), Y4)
	Q4K_DSCALES
	Q4K_END((R9), 96(R11), Y4, Y8, Y9)
	KADVANCE(176)
	JNZ q5_kdotx1avx2loop
	KX1_EPILOGUE

// func q5_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q5_KDotX4Avx2(SB), NOSPLIT, $16-48
	KX4_PROLOGUE
q5_kdotx4avx2loop:
	Q4K_SCALES
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	NIB_LO(48)
	QH5(16, VPSLLW, 4)
	VPSHUFB k4shuf<>+0(SB), Y3, Y1
	KROW4(0)
	NIB_HI(48)
	QH5(16, VPSLLW, 3)
	VPSHUFB k4shuf<>+32(SB), Y3, Y1
	KROW4(32)
	NIB_LO(80)
	QH5(16, VPSLLW, 2)
	VPSHUFB k4shuf<>+64(SB), Y3, Y1
	KROW4(64)
	NIB_HI(80)
	QH5(16, VPSLLW, 1)
	VPSHUFB k4shuf<>+96(SB), Y3, Y1
	KROW4(96)
	NIB_LO(112)
	QH5_0(16)
	VPSHUFB k4shuf<>+128(SB), Y3, Y1
	KROW4(128)
	NIB_HI(112)
	QH5(16, VPSRLW, 1)
	VPSHUFB k4shuf<>+160(SB), Y3, Y1
	KROW4(160)
	NIB_LO(144)
	QH5(16, VPSRLW, 2)
	VPSHUFB k4shuf<>+192(SB), Y3, Y1
	KROW4(192)
	NIB_HI(144)
	QH5(16, VPSRLW, 3)
	VPSHUFB k4shuf<>+224(SB), Y3, Y1
	KROW4(224)
	Q4K_DSCALES
	Q4K_END((R9), 96(R11), Y4, Y8, Y9)
	Q4K_END((R9)(R10*1), 96(R11)(R8*1), Y5, Y10, Y11)
	Q4K_END((R9)(R10*2), 96(R11)(R8*2), Y6, Y12, Y13)
	Q4K_END((R9)(R13*1), 96(R11)(R12*1), Y7, Y14, Y15)
	KADVANCE(176)
	JNZ q5_kdotx4avx2loop
	KX4_EPILOGUE

// func q2_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q2_KDotX1Avx2(SB), NOSPLIT, $32-48
	KX1_PROLOGUE
q2_kdotx1avx2loop:
	Q2K_SCALES
	VPXOR Y4, Y4, Y4
	SC16U(0)
	Q2CHUNK0(16)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW((DI), Y4)
	Q2CHUNK(16, 2)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW(32(DI), Y4)
	Q2CHUNK(16, 4)
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW(64(DI), Y4)
	Q2CHUNK(16, 6)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW(96(DI), Y4)
	SC16U(8)
	Q2CHUNK0(48)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW(128(DI), Y4)
	Q2CHUNK(48, 2)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW(160(DI), Y4)
	Q2CHUNK(48, 4)
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW(192(DI), Y4)
	Q2CHUNK(48, 6)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW(224(DI), Y4)
	F16X8(80(SI), X2, Y2)
	F16X8(82(SI), X3, Y3)
	Q2K_END((R9), (R11), 32(R11), Y4, Y8, Y9)
	KADVANCE(84)
	JNZ q2_kdotx1avx2loop
	KX1_EPILOGUE

// func q2_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q2_KDotX4Avx2(SB), NOSPLIT, $32-48
	KX4_PROLOGUE
q2_kdotx4avx2loop:
	Q2K_SCALES
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	SC16U(0)
	Q2CHUNK0(16)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW4(0)
	Q2CHUNK(16, 2)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW4(32)
	Q2CHUNK(16, 4)
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW4(64)
	Q2CHUNK(16, 6)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW4(96)
	SC16U(8)
	Q2CHUNK0(48)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW4(128)
	Q2CHUNK(48, 2)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW4(160)
	Q2CHUNK(48, 4)
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW4(192)
	Q2CHUNK(48, 6)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW4(224)
	F16X8(80(SI), X2, Y2)
	F16X8(82(SI), X3, Y3)
	Q2K_END((R9), (R11), 32(R11), Y4, Y8, Y9)
	Q2K_END((R9)(R10*1), (R11)(R8*1), 32(R11)(R8*1), Y5, Y10, Y11)
	Q2K_END((R9)(R10*2), (R11)(R8*2), 32(R11)(R8*2), Y6, Y12, Y13)
	Q2K_END((R9)(R13*1), (R11)(R12*1), 32(R11)(R12*1), Y7, Y14, Y15)
	KADVANCE(84)
	JNZ q2_kdotx4avx2loop
	KX4_EPILOGUE

// func q3_KDotX1Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[16]float32)
TEXT ·q3_KDotX1Avx2(SB), NOSPLIT, $16-48
	KX1_PROLOGUE
q3_kdotx1avx2loop:
	Q3K_SCALES
	VPMOVSXBW 0(SP), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	Q2CHUNK0(32)
	Q3HI(2, VPSLLW)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW((DI), Y4)
	Q2CHUNK(32, 2)
	Q3HI(1, VPSLLW)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW(32(DI), Y4)
	Q2CHUNK(32, 4)
	Q3HI2
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW(64(DI), Y4)
	Q2CHUNK(32, 6)
	Q3HI(1, VPSRLW)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW(96(DI), Y4)
	VPMOVSXBD 0(SP), Y3
	F16X8(108(SI), X2, Y2)
	Q3K_END((R9), (R11), Y4, Y8)
	VPMOVSXBW 8(SP), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	Q2CHUNK0(64)
	Q3HI(2, VPSRLW)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW(128(DI), Y4)
	Q2CHUNK(64, 2)
	Q3HI(3, VPSRLW)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW(160(DI), Y4)
	Q2CHUNK(64, 4)
	Q3HI(4, VPSRLW)
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW(192(DI), Y4)
	Q2CHUNK(64, 6)
	Q3HI(5, VPSRLW)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW(224(DI), Y4)
	VPMOVSXBD 8(SP), Y3
	F16X8(108(SI), X2, Y2)
	Q3K_END((R9), 32(R11), Y4, Y9)
	KADVANCE(110)
	JNZ q3_kdotx1avx2loop
	KX1_EPILOGUE

// func q3_KDotX4Avx2(w *byte, nsb int, qs *int8, d *float32, bs *int32, out *[64]float32)
TEXT ·q3_KDotX4Avx2(SB), NOSPLIT, $16-48
	KX4_PROLOGUE
q3_kdotx4avx2loop:
	Q3K_SCALES
	VPMOVSXBW 0(SP), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q2CHUNK0(32)
	Q3HI(2, VPSLLW)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW4(0)
	Q2CHUNK(32, 2)
	Q3HI(1, VPSLLW)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW4(32)
	Q2CHUNK(32, 4)
	Q3HI2
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW4(64)
	Q2CHUNK(32, 6)
	Q3HI(1, VPSRLW)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW4(96)
	VPMOVSXBD 0(SP), Y3
	F16X8(108(SI), X2, Y2)
	Q3K_END((R9), (R11), Y4, Y8)
	Q3K_END((R9)(R10*1), (R11)(R8*1), Y5, Y10)
	Q3K_END((R9)(R10*2), (R11)(R8*2), Y6, Y12)
	Q3K_END((R9)(R13*1), (R11)(R12*1), Y7, Y14)
	VPMOVSXBW 8(SP), X3
	VINSERTI128 $1, X3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q2CHUNK0(64)
	Q3HI(2, VPSRLW)
	VPSHUFB q6shuf<>+0(SB), Y3, Y1
	KROW4(128)
	Q2CHUNK(64, 2)
	Q3HI(3, VPSRLW)
	VPSHUFB q6shuf<>+32(SB), Y3, Y1
	KROW4(160)
	Q2CHUNK(64, 4)
	Q3HI(4, VPSRLW)
	VPSHUFB q6shuf<>+64(SB), Y3, Y1
	KROW4(192)
	Q2CHUNK(64, 6)
	Q3HI(5, VPSRLW)
	VPSHUFB q6shuf<>+96(SB), Y3, Y1
	KROW4(224)
	VPMOVSXBD 8(SP), Y3
	F16X8(108(SI), X2, Y2)
	Q3K_END((R9), 32(R11), Y4, Y9)
	Q3K_END((R9)(R10*1), 32(R11)(R8*1), Y5, Y11)
	Q3K_END((R9)(R10*2), 32(R11)(R8*2), Y6, Y13)
	Q3K_END((R9)(R13*1), 32(R11)(R12*1), Y7, Y15)
	KADVANCE(110)
	JNZ q3_kdotx4avx2loop
	KX4_EPILOGUE
