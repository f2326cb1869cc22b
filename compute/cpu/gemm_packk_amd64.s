#include "textflag.h"

// AVX-512 panel packers for the k-quants: the Go packers of gemm_packk.go,
// 16 rows at once. A dword gather with per-row offsets
// (lane r reads row r) turns 4 bytes at one offset of every row's block
// into one panel register directly, so the panel's row-interleaved layout
// costs no shuffles; the same lanes give each row's scales, so s[g][r] and
// m[g][r] come out as whole registers as well. Rows missing from a partial
// panel are masked off the gathers and come out as zero quants and scales.
// Scales are formed by the same float32 products as the Go packers
// (VCVTPH2PS is exact), so both write the same bytes.

// Decode packs a panel per token straight from memory: the hardware
// prefetcher alone leaves the gathers waiting on DRAM (Q4_K one-token
// MatMul over 300 MB: 8.0 GB/s without, 10.1-11.0 with), so every block
// asks for each row's lines about 8 blocks ahead (R11: the idx array).
#define PFR2(r, d) \
	MOVLQSX (4*r)(R11), R12; \
	PREFETCHT0 d(SI)(R12*1); \
	PREFETCHT0 (d+64)(SI)(R12*1)
#define PFR3(r, d) \
	PFR2(r, d); \
	PREFETCHT0 (d+128)(SI)(R12*1)
#define PFR4(r, d) \
	PFR3(r, d); \
	PREFETCHT0 (d+192)(SI)(R12*1)

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

// K45SCALES: the f16 d (low half of the header dword) and dmin (high
// half) of the 16 rows, and the 12 scale bytes: scales 0..3 and mins 0..3
// in the low six bits of dwords 1 and 2, scales and mins 4..7 from the
// nibbles of dword 3 and the top two bits of dwords 1 and 2; stored as
// s = d*scale at R8, m = dmin*min at R9 (Q4_K and Q5_K alike).
#define K45SCALES \
	GATHER(0, Z1); \
	VPMOVDW Z1, Y2; \
	VCVTPH2PS Y2, Z2; \
	VPSRLD $16, Z1, Z3; \
	VPMOVDW Z3, Y3; \
	VCVTPH2PS Y3, Z3; \
	GATHER(4, Z4); \
	GATHER(8, Z5); \
	GATHER(12, Z6); \
	VPANDD Z30, Z4, Z7; \
	VPANDD Z30, Z5, Z8; \
	VPANDD Z31, Z6, Z9; \
	VPSRLD $2, Z4, Z10; \
	VPANDD Z29, Z10, Z10; \
	VPORD Z10, Z9, Z9; \
	VPSRLD $4, Z6, Z10; \
	VPANDD Z31, Z10, Z10; \
	VPSRLD $2, Z5, Z11; \
	VPANDD Z29, Z11, Z11; \
	VPORD Z11, Z10, Z10; \
	Q4SCALE(Z7, 0, Z2, 0, R8); \
	Q4SCALE(Z7, 8, Z2, 64, R8); \
	Q4SCALE(Z7, 16, Z2, 128, R8); \
	Q4SCALE(Z7, 24, Z2, 192, R8); \
	Q4SCALE(Z9, 0, Z2, 256, R8); \
	Q4SCALE(Z9, 8, Z2, 320, R8); \
	Q4SCALE(Z9, 16, Z2, 384, R8); \
	Q4SCALE(Z9, 24, Z2, 448, R8); \
	Q4SCALE(Z8, 0, Z3, 0, R9); \
	Q4SCALE(Z8, 8, Z3, 64, R9); \
	Q4SCALE(Z8, 16, Z3, 128, R9); \
	Q4SCALE(Z8, 24, Z3, 192, R9); \
	Q4SCALE(Z10, 0, Z3, 256, R9); \
	Q4SCALE(Z10, 8, Z3, 320, R9); \
	Q4SCALE(Z10, 16, Z3, 384, R9); \
	Q4SCALE(Z10, 24, Z3, 448, R9)

// func packQ4KAVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32)
TEXT ·packQ4KAVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	MOVQ AX, R11
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
	PFR3(0, 1152)
	PFR3(1, 1152)
	PFR3(2, 1152)
	PFR3(3, 1152)
	PFR3(4, 1152)
	PFR3(5, 1152)
	PFR3(6, 1152)
	PFR3(7, 1152)
	PFR3(8, 1152)
	PFR3(9, 1152)
	PFR3(10, 1152)
	PFR3(11, 1152)
	PFR3(12, 1152)
	PFR3(13, 1152)
	PFR3(14, 1152)
	PFR3(15, 1152)
	K45SCALES
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
	MOVQ AX, R11
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
	PFR4(0, 1680)
	PFR4(1, 1680)
	PFR4(2, 1680)
	PFR4(3, 1680)
	PFR4(4, 1680)
	PFR4(5, 1680)
	PFR4(6, 1680)
	PFR4(7, 1680)
	PFR4(8, 1680)
	PFR4(9, 1680)
	PFR4(10, 1680)
	PFR4(11, 1680)
	PFR4(12, 1680)
	PFR4(13, 1680)
	PFR4(14, 1680)
	PFR4(15, 1680)
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

// Q5CHUNK splits the gathered qs dword at off like Q4CHUNK and adds the
// fifth bits from qh dword H (bit 2gg of each byte for the low sub-block,
// 2gg+1 for the high one), moved to bit 4 by shl/shh.
#define Q5CHUNK(off, H, lo, hi, shl, nl, shh, nh) \
	GATHER(off, Z12); \
	VPANDD Z31, Z12, Z13; \
	shl $nl, H, Z14; \
	VPANDD Z26, Z14, Z14; \
	VPORD Z14, Z13, Z13; \
	VMOVDQU32 Z13, lo(DI); \
	VPSRLD $4, Z12, Z12; \
	VPANDD Z31, Z12, Z12; \
	shh $nh, H, Z14; \
	VPANDD Z26, Z14, Z14; \
	VPORD Z14, Z12, Z12; \
	VMOVDQU32 Z12, hi(DI)

// func packQ5KAVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32)
TEXT ·packQ5KAVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	MOVQ AX, R11
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
	MOVL $0x10101010, AX
	VPBROADCASTD AX, Z26
	TESTQ CX, CX
	JZ q5Done

q5Block:
	PFR3(0, 1408)
	PFR3(1, 1408)
	PFR3(2, 1408)
	PFR3(3, 1408)
	PFR3(4, 1408)
	PFR3(5, 1408)
	PFR3(6, 1408)
	PFR3(7, 1408)
	PFR3(8, 1408)
	PFR3(9, 1408)
	PFR3(10, 1408)
	PFR3(11, 1408)
	PFR3(12, 1408)
	PFR3(13, 1408)
	PFR3(14, 1408)
	PFR3(15, 1408)
	K45SCALES
	// qh: dword k holds the fifth bits of values 4k..4k+3 of every
	// sub-block; all eight stay in Z16..Z23 for the block.
	GATHER(16, Z16)
	GATHER(20, Z17)
	GATHER(24, Z18)
	GATHER(28, Z19)
	GATHER(32, Z20)
	GATHER(36, Z21)
	GATHER(40, Z22)
	GATHER(44, Z23)
	Q5CHUNK(48, Z16, 0, 512, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(52, Z17, 64, 576, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(56, Z18, 128, 640, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(60, Z19, 192, 704, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(64, Z20, 256, 768, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(68, Z21, 320, 832, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(72, Z22, 384, 896, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(76, Z23, 448, 960, VPSLLD, 4, VPSLLD, 3)
	Q5CHUNK(80, Z16, 1024, 1536, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(84, Z17, 1088, 1600, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(88, Z18, 1152, 1664, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(92, Z19, 1216, 1728, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(96, Z20, 1280, 1792, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(100, Z21, 1344, 1856, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(104, Z22, 1408, 1920, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(108, Z23, 1472, 1984, VPSLLD, 2, VPSLLD, 1)
	Q5CHUNK(112, Z16, 2048, 2560, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(116, Z17, 2112, 2624, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(120, Z18, 2176, 2688, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(124, Z19, 2240, 2752, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(128, Z20, 2304, 2816, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(132, Z21, 2368, 2880, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(136, Z22, 2432, 2944, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(140, Z23, 2496, 3008, VPSLLD, 0, VPSRLD, 1)
	Q5CHUNK(144, Z16, 3072, 3584, VPSRLD, 2, VPSRLD, 3)
	Q5CHUNK(148, Z17, 3136, 3648, VPSRLD, 2, VPSRLD, 3)
	Q5CHUNK(152, Z18, 3200, 3712, VPSRLD, 2, VPSRLD, 3)
	Q5CHUNK(156, Z19, 3264, 3776, VPSRLD, 2, VPSRLD, 3)
	Q5CHUNK(160, Z20, 3328, 3840, VPSRLD, 2, VPSRLD, 3)
	Q5CHUNK(164, Z21, 3392, 3904, VPSRLD, 2, VPSRLD, 3)
	Q5CHUNK(168, Z22, 3456, 3968, VPSRLD, 2, VPSRLD, 3)
	Q5CHUNK(172, Z23, 3520, 4032, VPSRLD, 2, VPSRLD, 3)
	ADDQ $176, SI
	ADDQ $4096, DI
	ADDQ $512, R8
	ADDQ $512, R9
	DECQ CX
	JNZ q5Block

q5Done:
	VZEROUPPER
	RET

// Q3CHUNK gathers qs dword off (values 4k..4k+3 of four sub-blocks, two
// bits each at bits 0, 2, 4, 6) and, with the high bits from hmask dword
// H (bit 4*half+t for shift t) moved to bit 2 by hsT/hnT, stores
// u = low | high<<2 of each at oT.
#define Q3CHUNK(off, H, o0, o1, o2, o3, hs0, hn0, hs1, hn1, hs2, hn2, hs3, hn3) \
	GATHER(off, Z12); \
	VPANDD Z25, Z12, Z13; \
	hs0 $hn0, H, Z14; \
	VPANDD Z24, Z14, Z14; \
	VPORD Z14, Z13, Z13; \
	VMOVDQU32 Z13, o0(DI); \
	VPSRLD $2, Z12, Z13; \
	VPANDD Z25, Z13, Z13; \
	hs1 $hn1, H, Z14; \
	VPANDD Z24, Z14, Z14; \
	VPORD Z14, Z13, Z13; \
	VMOVDQU32 Z13, o1(DI); \
	VPSRLD $4, Z12, Z13; \
	VPANDD Z25, Z13, Z13; \
	hs2 $hn2, H, Z14; \
	VPANDD Z24, Z14, Z14; \
	VPORD Z14, Z13, Z13; \
	VMOVDQU32 Z13, o2(DI); \
	VPSRLD $6, Z12, Z13; \
	VPANDD Z25, Z13, Z13; \
	hs3 $hn3, H, Z14; \
	VPANDD Z24, Z14, Z14; \
	VPORD Z14, Z13, Z13; \
	VMOVDQU32 Z13, o3(DI)

// Q3SCALE stores s = d*(byte at shift of src - 32) at off(R8) and m = 4*s
// at off(R9); rows masked off get +0 (not 0*-32 = -0), as in Go.
#define Q3SCALE(src, shift, off) \
	VPSRLD $shift, src, Z11; \
	VPANDD Z28, Z11, Z11; \
	VPSUBD Z27, Z11, Z11; \
	VCVTDQ2PS Z11, Z11; \
	VMULPS.Z Z2, Z11, K7, Z11; \
	VMOVUPS Z11, off(R8); \
	VMULPS Z26, Z11, Z11; \
	VMOVUPS Z11, off(R9)

// func packQ3KAVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32)
TEXT ·packQ3KAVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	MOVQ AX, R11
	VMOVDQU32 (AX), Z0
	MOVQ nb+16(FP), CX
	MOVQ mask+24(FP), DX
	KMOVW DX, K7
	MOVQ q+32(FP), DI
	MOVQ s+40(FP), R8
	MOVQ m+48(FP), R9
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0x03030303, AX
	VPBROADCASTD AX, Z25
	MOVL $0x04040404, AX
	VPBROADCASTD AX, Z24
	MOVL $0xff, AX
	VPBROADCASTD AX, Z28
	MOVL $32, AX
	VPBROADCASTD AX, Z27
	MOVL $0x40800000, AX // 4.0
	VPBROADCASTD AX, Z26
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z29
	TESTQ CX, CX
	JZ q3Done

q3Block:
	PFR2(0, 880)
	PFR2(1, 880)
	PFR2(2, 880)
	PFR2(3, 880)
	PFR2(4, 880)
	PFR2(5, 880)
	PFR2(6, 880)
	PFR2(7, 880)
	PFR2(8, 880)
	PFR2(9, 880)
	PFR2(10, 880)
	PFR2(11, 880)
	PFR2(12, 880)
	PFR2(13, 880)
	PFR2(14, 880)
	PFR2(15, 880)
	// f16 d sits in bytes 108..109 (the block's last): the high half of
	// the dword at 106.
	GATHER(106, Z1)
	VPSRLD $16, Z1, Z1
	VPMOVDW Z1, Y2
	VCVTPH2PS Y2, Z2
	// Scales: low nibbles in bytes 96..103 (scales 8..15 in the high
	// nibbles), top two bits of scale j at bits 2*(j/4) of byte 104+j%4.
	GATHER(96, Z4)
	GATHER(100, Z5)
	GATHER(104, Z6)
	VPANDD Z31, Z4, Z7
	VPSLLD $4, Z6, Z11
	VPANDD Z29, Z11, Z11
	VPORD Z11, Z7, Z7
	VPANDD Z31, Z5, Z8
	VPSLLD $2, Z6, Z11
	VPANDD Z29, Z11, Z11
	VPORD Z11, Z8, Z8
	VPSRLD $4, Z4, Z9
	VPANDD Z31, Z9, Z9
	VPANDD Z29, Z6, Z11
	VPORD Z11, Z9, Z9
	VPSRLD $4, Z5, Z10
	VPANDD Z31, Z10, Z10
	VPSRLD $2, Z6, Z11
	VPANDD Z29, Z11, Z11
	VPORD Z11, Z10, Z10
	Q3SCALE(Z7, 0, 0)
	Q3SCALE(Z7, 8, 64)
	Q3SCALE(Z7, 16, 128)
	Q3SCALE(Z7, 24, 192)
	Q3SCALE(Z8, 0, 256)
	Q3SCALE(Z8, 8, 320)
	Q3SCALE(Z8, 16, 384)
	Q3SCALE(Z8, 24, 448)
	Q3SCALE(Z9, 0, 512)
	Q3SCALE(Z9, 8, 576)
	Q3SCALE(Z9, 16, 640)
	Q3SCALE(Z9, 24, 704)
	Q3SCALE(Z10, 0, 768)
	Q3SCALE(Z10, 8, 832)
	Q3SCALE(Z10, 16, 896)
	Q3SCALE(Z10, 24, 960)
	// hmask: dword 4*sub+k holds the high bits of values 4k..4k+3 of the
	// sub-blocks of parity sub; all eight stay in Z16..Z23 for the block.
	GATHER(0, Z16)
	GATHER(4, Z17)
	GATHER(8, Z18)
	GATHER(12, Z19)
	GATHER(16, Z20)
	GATHER(20, Z21)
	GATHER(24, Z22)
	GATHER(28, Z23)
	Q3CHUNK(32, Z16, 0, 512, 1024, 1536, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(36, Z17, 64, 576, 1088, 1600, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(40, Z18, 128, 640, 1152, 1664, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(44, Z19, 192, 704, 1216, 1728, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(48, Z20, 256, 768, 1280, 1792, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(52, Z21, 320, 832, 1344, 1856, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(56, Z22, 384, 896, 1408, 1920, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(60, Z23, 448, 960, 1472, 1984, VPSLLD, 2, VPSLLD, 1, VPSLLD, 0, VPSRLD, 1)
	Q3CHUNK(64, Z16, 2048, 2560, 3072, 3584, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	Q3CHUNK(68, Z17, 2112, 2624, 3136, 3648, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	Q3CHUNK(72, Z18, 2176, 2688, 3200, 3712, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	Q3CHUNK(76, Z19, 2240, 2752, 3264, 3776, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	Q3CHUNK(80, Z20, 2304, 2816, 3328, 3840, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	Q3CHUNK(84, Z21, 2368, 2880, 3392, 3904, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	Q3CHUNK(88, Z22, 2432, 2944, 3456, 3968, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	Q3CHUNK(92, Z23, 2496, 3008, 3520, 4032, VPSRLD, 2, VPSRLD, 3, VPSRLD, 4, VPSRLD, 5)
	ADDQ $110, SI
	ADDQ $4096, DI
	ADDQ $1024, R8
	ADDQ $1024, R9
	DECQ CX
	JNZ q3Block

q3Done:
	VZEROUPPER
	RET

// Q2CHUNK gathers qs dword off (values 4k..4k+3 of four sub-blocks, two
// bits each at bits 0, 2, 4, 6) and stores each sub-block's at oT.
#define Q2CHUNK(off, o0, o1, o2, o3) \
	GATHER(off, Z12); \
	VPANDD Z25, Z12, Z13; \
	VMOVDQU32 Z13, o0(DI); \
	VPSRLD $2, Z12, Z13; \
	VPANDD Z25, Z13, Z13; \
	VMOVDQU32 Z13, o1(DI); \
	VPSRLD $4, Z12, Z13; \
	VPANDD Z25, Z13, Z13; \
	VMOVDQU32 Z13, o2(DI); \
	VPSRLD $6, Z12, Z13; \
	VPANDD Z25, Z13, Z13; \
	VMOVDQU32 Z13, o3(DI)

// Q2SCALE stores s = d*(low nibble) and m = dmin*(high nibble) of the
// byte at shift of src.
#define Q2SCALE(src, shift, off) \
	VPSRLD $shift, src, Z11; \
	VPANDD Z30, Z11, Z12; \
	VCVTDQ2PS Z12, Z12; \
	VMULPS Z2, Z12, Z12; \
	VMOVUPS Z12, off(R8); \
	VPSRLD $4, Z11, Z12; \
	VPANDD Z30, Z12, Z12; \
	VCVTDQ2PS Z12, Z12; \
	VMULPS Z3, Z12, Z12; \
	VMOVUPS Z12, off(R9)

// func packQ2KAVX512(src *byte, idx *[16]int32, nb, mask int, q *byte, s, m *float32)
TEXT ·packQ2KAVX512(SB), NOSPLIT, $0-56
	MOVQ src+0(FP), SI
	MOVQ idx+8(FP), AX
	MOVQ AX, R11
	VMOVDQU32 (AX), Z0
	MOVQ nb+16(FP), CX
	MOVQ mask+24(FP), DX
	KMOVW DX, K7
	MOVQ q+32(FP), DI
	MOVQ s+40(FP), R8
	MOVQ m+48(FP), R9
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z31
	MOVL $0x03030303, AX
	VPBROADCASTD AX, Z25
	MOVL $0x0f, AX
	VPBROADCASTD AX, Z30
	TESTQ CX, CX
	JZ q2Done

q2Block:
	PFR2(0, 672)
	PFR2(1, 672)
	PFR2(2, 672)
	PFR2(3, 672)
	PFR2(4, 672)
	PFR2(5, 672)
	PFR2(6, 672)
	PFR2(7, 672)
	PFR2(8, 672)
	PFR2(9, 672)
	PFR2(10, 672)
	PFR2(11, 672)
	PFR2(12, 672)
	PFR2(13, 672)
	PFR2(14, 672)
	PFR2(15, 672)
	// d in the low half of the dword at 80, dmin in the high half.
	GATHER(80, Z1)
	VPMOVDW Z1, Y2
	VCVTPH2PS Y2, Z2
	VPSRLD $16, Z1, Z3
	VPMOVDW Z3, Y3
	VCVTPH2PS Y3, Z3
	GATHER(0, Z4)
	GATHER(4, Z5)
	GATHER(8, Z6)
	GATHER(12, Z7)
	Q2SCALE(Z4, 0, 0)
	Q2SCALE(Z4, 8, 64)
	Q2SCALE(Z4, 16, 128)
	Q2SCALE(Z4, 24, 192)
	Q2SCALE(Z5, 0, 256)
	Q2SCALE(Z5, 8, 320)
	Q2SCALE(Z5, 16, 384)
	Q2SCALE(Z5, 24, 448)
	Q2SCALE(Z6, 0, 512)
	Q2SCALE(Z6, 8, 576)
	Q2SCALE(Z6, 16, 640)
	Q2SCALE(Z6, 24, 704)
	Q2SCALE(Z7, 0, 768)
	Q2SCALE(Z7, 8, 832)
	Q2SCALE(Z7, 16, 896)
	Q2SCALE(Z7, 24, 960)
	Q2CHUNK(16, 0, 512, 1024, 1536)
	Q2CHUNK(20, 64, 576, 1088, 1600)
	Q2CHUNK(24, 128, 640, 1152, 1664)
	Q2CHUNK(28, 192, 704, 1216, 1728)
	Q2CHUNK(32, 256, 768, 1280, 1792)
	Q2CHUNK(36, 320, 832, 1344, 1856)
	Q2CHUNK(40, 384, 896, 1408, 1920)
	Q2CHUNK(44, 448, 960, 1472, 1984)
	Q2CHUNK(48, 2048, 2560, 3072, 3584)
	Q2CHUNK(52, 2112, 2624, 3136, 3648)
	Q2CHUNK(56, 2176, 2688, 3200, 3712)
	Q2CHUNK(60, 2240, 2752, 3264, 3776)
	Q2CHUNK(64, 2304, 2816, 3328, 3840)
	Q2CHUNK(68, 2368, 2880, 3392, 3904)
	Q2CHUNK(72, 2432, 2944, 3456, 3968)
	Q2CHUNK(76, 2496, 3008, 3520, 4032)
	ADDQ $84, SI
	ADDQ $4096, DI
	ADDQ $1024, R8
	ADDQ $1024, R9
	DECQ CX
	JNZ q2Block

q2Done:
	VZEROUPPER
	RET
