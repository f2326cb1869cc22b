#include "textflag.h"

// AVX-512 panel packers for Q4_K and Q6_K: the Go packers of
// gemm_packk.go, 16 rows at once. A dword gather with per-row offsets
// (lane r reads row r) turns 4 bytes at one offset of every row's block
// into one panel register directly, so the panel's row-interleaved layout
// costs no shuffles; the same lanes give each row's scales, so s[g][r] and
// m[g][r] come out as whole registers as well. Rows missing from a partial
// panel are masked off the gathers and come out as zero quants and scales.
// Scales are formed by the same float32 products as the Go packers
// (VCVTPH2PS is exact), so both write the same bytes.

// GATHER loads the dword at off of each row's current block into reg
// (zero in lanes masked off by K7).
#define GATHER(off, reg) \
	KMOVW K7, K1; \
	VPXORD reg, reg, reg; \
	VPGATHERDD off(SI)(Z0*1), K1, reg

// Q4CHUNK splits the gathered dword at off into its low nibbles (4 quants
// of one sub-block) stored at lo and its high nibbles (the next
// sub-block) at hi.
#define Q4CHUNK(off, lo, hi) \
	GATHER(off, Z12); \
	VPANDD Z31, Z12, Z13; \
	VMOVDQU32 Z13, lo(DI); \
	VPSRLD $4, Z12, Z12; \
	VPANDD Z31, Z12, Z12; \
	VMOVDQU32 Z12, hi(DI)

// Q4SCALE stores d*float(byte at shift of src) at off(dst).
#define Q4SCALE(src, shift, d, off, dst) \
	VPSRLD $shift, src, Z11; \
	VPANDD Z28, Z11, Z11; \
	VCVTDQ2PS Z11, Z11; \
	VMULPS d, Z11, Z11; \
	VMOVUPS Z11, off(dst)

// func packQ4KAVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32)
TEXT ·packQ4KAVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	VMOVDQU32 (AX), Z0
	MOVQ nb+16(FP), CX
	MOVQ mask+24(FP), DX
	KMOVW DX, K7
	MOVQ q+32(FP), DI
	MOVQ s+40(FP), R8
	MOVQ m+48(FP), R9
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0x3f3f3f3f, AX
	VPBROADCASTD AX, Z30
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z29
	MOVL $0xff, AX
	VPBROADCASTD AX, Z28
	TESTQ CX, CX
	JZ q4Done

q4Block:
	// d in the low half of dword 0, dmin in the high half.
	GATHER(0, Z1)
	VPMOVDW Z1, Y2
	VCVTPH2PS Y2, Z2
	VPSRLD $16, Z1, Z3
	VPMOVDW Z3, Y3
	VCVTPH2PS Y3, Z3
	// The 12 scale bytes: scales 0..3 and mins 0..3 in the low six bits
	// of dwords 1 and 2, scales and mins 4..7 from the nibbles of dword 3
	// and the top two bits of dwords 1 and 2.
	GATHER(4, Z4)
	GATHER(8, Z5)
	GATHER(12, Z6)
	VPANDD Z30, Z4, Z7
	VPANDD Z30, Z5, Z8
	VPANDD Z31, Z6, Z9
	VPSRLD $2, Z4, Z10
	VPANDD Z29, Z10, Z10
	VPORD Z10, Z9, Z9
	VPSRLD $4, Z6, Z10
	VPANDD Z31, Z10, Z10
	VPSRLD $2, Z5, Z11
	VPANDD Z29, Z11, Z11
	VPORD Z11, Z10, Z10
	Q4SCALE(Z7, 0, Z2, 0, R8)
	Q4SCALE(Z7, 8, Z2, 64, R8)
	Q4SCALE(Z7, 16, Z2, 128, R8)
	Q4SCALE(Z7, 24, Z2, 192, R8)
	Q4SCALE(Z9, 0, Z2, 256, R8)
	Q4SCALE(Z9, 8, Z2, 320, R8)
	Q4SCALE(Z9, 16, Z2, 384, R8)
	Q4SCALE(Z9, 24, Z2, 448, R8)
	Q4SCALE(Z8, 0, Z3, 0, R9)
	Q4SCALE(Z8, 8, Z3, 64, R9)
	Q4SCALE(Z8, 16, Z3, 128, R9)
	Q4SCALE(Z8, 24, Z3, 192, R9)
	Q4SCALE(Z10, 0, Z3, 256, R9)
	Q4SCALE(Z10, 8, Z3, 320, R9)
	Q4SCALE(Z10, 16, Z3, 384, R9)
	Q4SCALE(Z10, 24, Z3, 448, R9)
	// qs: 32-byte group gg holds sub-blocks 2gg (low nibbles) and 2gg+1.
	Q4CHUNK(16, 0, 512)
	Q4CHUNK(20, 64, 576)
	Q4CHUNK(24, 128, 640)
	Q4CHUNK(28, 192, 704)
	Q4CHUNK(32, 256, 768)
	Q4CHUNK(36, 320, 832)
	Q4CHUNK(40, 384, 896)
	Q4CHUNK(44, 448, 960)
	Q4CHUNK(48, 1024, 1536)
	Q4CHUNK(52, 1088, 1600)
	Q4CHUNK(56, 1152, 1664)
	Q4CHUNK(60, 1216, 1728)
	Q4CHUNK(64, 1280, 1792)
	Q4CHUNK(68, 1344, 1856)
	Q4CHUNK(72, 1408, 1920)
	Q4CHUNK(76, 1472, 1984)
	Q4CHUNK(80, 2048, 2560)
	Q4CHUNK(84, 2112, 2624)
	Q4CHUNK(88, 2176, 2688)
	Q4CHUNK(92, 2240, 2752)
	Q4CHUNK(96, 2304, 2816)
	Q4CHUNK(100, 2368, 2880)
	Q4CHUNK(104, 2432, 2944)
	Q4CHUNK(108, 2496, 3008)
	Q4CHUNK(112, 3072, 3584)
	Q4CHUNK(116, 3136, 3648)
	Q4CHUNK(120, 3200, 3712)
	Q4CHUNK(124, 3264, 3776)
	Q4CHUNK(128, 3328, 3840)
	Q4CHUNK(132, 3392, 3904)
	Q4CHUNK(136, 3456, 3968)
	Q4CHUNK(140, 3520, 4032)
	ADDQ $144, SI
	ADDQ $4096, DI
	ADDQ $512, R8
	ADDQ $512, R9
	DECQ CX
	JNZ q4Block

q4Done:
	VZEROUPPER
	RET

// Q6CHUNK gathers dword x of ql, y = x+32 and h of qh (values 4k..4k+3 of
// the half's four quarters) and stores the quarters' 6-bit quants at
// o0..o3.
#define Q6CHUNK(x, y, h, o0, o1, o2, o3) \
	GATHER(x, Z12); \
	GATHER(y, Z13); \
	GATHER(h, Z14); \
	VPANDD Z31, Z12, Z15; \
	VPSLLD $4, Z14, Z16; \
	VPANDD Z29, Z16, Z16; \
	VPORD Z16, Z15, Z15; \
	VMOVDQU32 Z15, o0(DI); \
	VPANDD Z31, Z13, Z15; \
	VPSLLD $2, Z14, Z16; \
	VPANDD Z29, Z16, Z16; \
	VPORD Z16, Z15, Z15; \
	VMOVDQU32 Z15, o1(DI); \
	VPSRLD $4, Z12, Z15; \
	VPANDD Z31, Z15, Z15; \
	VPANDD Z29, Z14, Z16; \
	VPORD Z16, Z15, Z15; \
	VMOVDQU32 Z15, o2(DI); \
	VPSRLD $4, Z13, Z15; \
	VPANDD Z31, Z15, Z15; \
	VPSRLD $2, Z14, Z16; \
	VPANDD Z29, Z16, Z16; \
	VPORD Z16, Z15, Z15; \
	VMOVDQU32 Z15, o3(DI)

// Q6SCALE sign-extends the int8 scale at byte (24-shift)/8 of src and
// stores s = d*scale at off(R8) and m = 32*s at off(R9).
#define Q6SCALE(src, shift, off) \
	VPSLLD $shift, src, Z11; \
	VPSRAD $24, Z11, Z11; \
	VCVTDQ2PS Z11, Z11; \
	VMULPS Z2, Z11, Z11; \
	VMOVUPS Z11, off(R8); \
	VMULPS Z27, Z11, Z11; \
	VMOVUPS Z11, off(R9)

// func packQ6KAVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32)
TEXT ·packQ6KAVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	VMOVDQU32 (AX), Z0
	MOVQ nb+16(FP), CX
	MOVQ mask+24(FP), DX
	KMOVW DX, K7
	MOVQ q+32(FP), DI
	MOVQ s+40(FP), R8
	MOVQ m+48(FP), R9
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z29
	MOVL $0x42000000, AX // 32.0
	VPBROADCASTD AX, Z27
	TESTQ CX, CX
	JZ q6Done

q6Block:
	// f16 d sits in bytes 208..209: the high half of the dword at 206.
	GATHER(206, Z1)
	VPSRLD $16, Z1, Z1
	VPMOVDW Z1, Y2
	VCVTPH2PS Y2, Z2
	GATHER(192, Z4)
	GATHER(196, Z5)
	GATHER(200, Z6)
	GATHER(204, Z7)
	Q6SCALE(Z4, 24, 0)
	Q6SCALE(Z4, 16, 64)
	Q6SCALE(Z4, 8, 128)
	Q6SCALE(Z4, 0, 192)
	Q6SCALE(Z5, 24, 256)
	Q6SCALE(Z5, 16, 320)
	Q6SCALE(Z5, 8, 384)
	Q6SCALE(Z5, 0, 448)
	Q6SCALE(Z6, 24, 512)
	Q6SCALE(Z6, 16, 576)
	Q6SCALE(Z6, 8, 640)
	Q6SCALE(Z6, 0, 704)
	Q6SCALE(Z7, 24, 768)
	Q6SCALE(Z7, 16, 832)
	Q6SCALE(Z7, 8, 896)
	Q6SCALE(Z7, 0, 960)
	Q6CHUNK(0, 32, 128, 0, 512, 1024, 1536)
	Q6CHUNK(4, 36, 132, 64, 576, 1088, 1600)
	Q6CHUNK(8, 40, 136, 128, 640, 1152, 1664)
	Q6CHUNK(12, 44, 140, 192, 704, 1216, 1728)
	Q6CHUNK(16, 48, 144, 256, 768, 1280, 1792)
	Q6CHUNK(20, 52, 148, 320, 832, 1344, 1856)
	Q6CHUNK(24, 56, 152, 384, 896, 1408, 1920)
	Q6CHUNK(28, 60, 156, 448, 960, 1472, 1984)
	Q6CHUNK(64, 96, 160, 2048, 2560, 3072, 3584)
	Q6CHUNK(68, 100, 164, 2112, 2624, 3136, 3648)
	Q6CHUNK(72, 104, 168, 2176, 2688, 3200, 3712)
	Q6CHUNK(76, 108, 172, 2240, 2752, 3264, 3776)
	Q6CHUNK(80, 112, 176, 2304, 2816, 3328, 3840)
	Q6CHUNK(84, 116, 180, 2368, 2880, 3392, 3904)
	Q6CHUNK(88, 120, 184, 2432, 2944, 3456, 3968)
	Q6CHUNK(92, 124, 188, 2496, 3008, 3520, 4032)
	ADDQ $210, SI
	ADDQ $4096, DI
	ADDQ $1024, R8
	ADDQ $1024, R9
	DECQ CX
	JNZ q6Block

q6Done:
	VZEROUPPER
	RET
