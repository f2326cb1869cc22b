#include "textflag.h"

// bgTile24 (laneGemm.tile of the BF16 dot GEMM, gemm_bf16.go): 16 weight
// rows, one per 32-bit lane of Z0 holding the row's bf16 pair (k, k+1),
// times fgNT = 24 tokens whose bf16 pairs sit side by side in the
// activation tile: per pair one 64-byte load feeds 24 vdpbf16ps with a
// {1to16} broadcast of a token's pair, into Z8..Z31 (one accumulator per
// token), started from zero or (load) from dst.
//
// The Go assembler has no AVX512_BF16 mnemonics, so DPBF16 spells out
//
//	vdpbf16ps disp(DI){1to16}, Z0, Z(acc)    EVEX.512.F3.0F38.W0 52 /r
//
// as bytes: 62, P0 = R̄ X̄ B̄ R̄' 0 0 1 0 (map 0F38; X̄ = B̄ = 1 for DI),
// P1 = W=0 v̄3..v̄0 1 p=10 (F3; v = Z0 so v̄ = 1111), P2 = z=0 L'L=10 b=1
// V̄'=1 aaa=000, opcode 52, ModRM = mod 01 (disp8), reg = acc&7, rm = 111
// (DI), disp8 = disp/4 (EVEX scales disp8 by the 4-byte broadcast
// element). R̄ and R̄' are acc's bits 3 and 4, inverted. Checked against
// GNU as and objdump ("vdpbf16ps 0x6c(%rdi){1to16},%zmm0,%zmm31" is
// 62 62 7e 58 52 7f 1b) and numerically against bgTileGo in the tests.
#define DPBF16(acc, disp) \
	BYTE $0x62; \
	BYTE $((((~((acc)>>3))&1)<<7) | 0x62 | (((~((acc)>>4))&1)<<4)); \
	BYTE $0x7e; \
	BYTE $0x58; \
	BYTE $0x52; \
	BYTE $(0x47 | (((acc)&7)<<3)); \
	BYTE $((disp)/4)

// func bgTile24(p, x *uint32, steps int, dst *float32, ldd int, load bool)
TEXT ·bgTile24(SB), NOSPLIT, $0-41
	MOVQ p+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ steps+16(FP), CX
	MOVQ dst+24(FP), DX
	MOVQ ldd+32(FP), R8
	SHLQ $2, R8
	MOVQ DX, R9
	CMPB load+40(FP), $0
	JNE  bgTile24_load
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31
	JMP bgTile24_loop
bgTile24_load:
	VMOVUPS (R9), Z8
	ADDQ R8, R9
	VMOVUPS (R9), Z9
	ADDQ R8, R9
	VMOVUPS (R9), Z10
	ADDQ R8, R9
	VMOVUPS (R9), Z11
	ADDQ R8, R9
	VMOVUPS (R9), Z12
	ADDQ R8, R9
	VMOVUPS (R9), Z13
	ADDQ R8, R9
	VMOVUPS (R9), Z14
	ADDQ R8, R9
	VMOVUPS (R9), Z15
	ADDQ R8, R9
	VMOVUPS (R9), Z16
	ADDQ R8, R9
	VMOVUPS (R9), Z17
	ADDQ R8, R9
	VMOVUPS (R9), Z18
	ADDQ R8, R9
	VMOVUPS (R9), Z19
	ADDQ R8, R9
	VMOVUPS (R9), Z20
	ADDQ R8, R9
	VMOVUPS (R9), Z21
	ADDQ R8, R9
	VMOVUPS (R9), Z22
	ADDQ R8, R9
	VMOVUPS (R9), Z23
	ADDQ R8, R9
	VMOVUPS (R9), Z24
	ADDQ R8, R9
	VMOVUPS (R9), Z25
	ADDQ R8, R9
	VMOVUPS (R9), Z26
	ADDQ R8, R9
	VMOVUPS (R9), Z27
	ADDQ R8, R9
	VMOVUPS (R9), Z28
	ADDQ R8, R9
	VMOVUPS (R9), Z29
	ADDQ R8, R9
	VMOVUPS (R9), Z30
	ADDQ R8, R9
	VMOVUPS (R9), Z31
bgTile24_loop:
	VMOVUPS (SI), Z0
	DPBF16(8, 0)
	DPBF16(9, 4)
	DPBF16(10, 8)
	DPBF16(11, 12)
	DPBF16(12, 16)
	DPBF16(13, 20)
	DPBF16(14, 24)
	DPBF16(15, 28)
	DPBF16(16, 32)
	DPBF16(17, 36)
	DPBF16(18, 40)
	DPBF16(19, 44)
	DPBF16(20, 48)
	DPBF16(21, 52)
	DPBF16(22, 56)
	DPBF16(23, 60)
	DPBF16(24, 64)
	DPBF16(25, 68)
	DPBF16(26, 72)
	DPBF16(27, 76)
	DPBF16(28, 80)
	DPBF16(29, 84)
	DPBF16(30, 88)
	DPBF16(31, 92)
	ADDQ $64, SI
	ADDQ $96, DI
	DECQ CX
	JNZ bgTile24_loop
	VMOVUPS Z8, (DX)
	ADDQ R8, DX
	VMOVUPS Z9, (DX)
	ADDQ R8, DX
	VMOVUPS Z10, (DX)
	ADDQ R8, DX
	VMOVUPS Z11, (DX)
	ADDQ R8, DX
	VMOVUPS Z12, (DX)
	ADDQ R8, DX
	VMOVUPS Z13, (DX)
	ADDQ R8, DX
	VMOVUPS Z14, (DX)
	ADDQ R8, DX
	VMOVUPS Z15, (DX)
	ADDQ R8, DX
	VMOVUPS Z16, (DX)
	ADDQ R8, DX
	VMOVUPS Z17, (DX)
	ADDQ R8, DX
	VMOVUPS Z18, (DX)
	ADDQ R8, DX
	VMOVUPS Z19, (DX)
	ADDQ R8, DX
	VMOVUPS Z20, (DX)
	ADDQ R8, DX
	VMOVUPS Z21, (DX)
	ADDQ R8, DX
	VMOVUPS Z22, (DX)
	ADDQ R8, DX
	VMOVUPS Z23, (DX)
	ADDQ R8, DX
	VMOVUPS Z24, (DX)
	ADDQ R8, DX
	VMOVUPS Z25, (DX)
	ADDQ R8, DX
	VMOVUPS Z26, (DX)
	ADDQ R8, DX
	VMOVUPS Z27, (DX)
	ADDQ R8, DX
	VMOVUPS Z28, (DX)
	ADDQ R8, DX
	VMOVUPS Z29, (DX)
	ADDQ R8, DX
	VMOVUPS Z30, (DX)
	ADDQ R8, DX
	VMOVUPS Z31, (DX)
	VZEROUPPER
	RET
