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


// Accumulator prologue and epilogue: zero, or load from dst row by row
// (R9, R8 bytes apart); store to dst row by row (DX).
#define ZERO(z) VPXORD z, z, z
#define LD(z) VMOVUPS (R9), z; ADDQ R8, R9
#define ST(z) VMOVUPS z, (DX); ADDQ R8, DX

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
	ZERO(Z8); ZERO(Z9); ZERO(Z10); ZERO(Z11); ZERO(Z12); ZERO(Z13); ZERO(Z14); ZERO(Z15)
	ZERO(Z16); ZERO(Z17); ZERO(Z18); ZERO(Z19); ZERO(Z20); ZERO(Z21); ZERO(Z22); ZERO(Z23)
	ZERO(Z24); ZERO(Z25); ZERO(Z26); ZERO(Z27); ZERO(Z28); ZERO(Z29); ZERO(Z30); ZERO(Z31)
	JMP bgTile24_loop
bgTile24_load:
	LD(Z8); LD(Z9); LD(Z10); LD(Z11); LD(Z12); LD(Z13); LD(Z14); LD(Z15)
	LD(Z16); LD(Z17); LD(Z18); LD(Z19); LD(Z20); LD(Z21); LD(Z22); LD(Z23)
	LD(Z24); LD(Z25); LD(Z26); LD(Z27); LD(Z28); LD(Z29); LD(Z30); LD(Z31)
bgTile24_loop:
	VMOVUPS (SI), Z0
	DPBF16(8, 0); DPBF16(9, 4); DPBF16(10, 8)
	DPBF16(11, 12); DPBF16(12, 16); DPBF16(13, 20)
	DPBF16(14, 24); DPBF16(15, 28); DPBF16(16, 32)
	DPBF16(17, 36); DPBF16(18, 40); DPBF16(19, 44)
	DPBF16(20, 48); DPBF16(21, 52); DPBF16(22, 56)
	DPBF16(23, 60); DPBF16(24, 64); DPBF16(25, 68)
	DPBF16(26, 72); DPBF16(27, 76); DPBF16(28, 80)
	DPBF16(29, 84); DPBF16(30, 88); DPBF16(31, 92)
	ADDQ $64, SI
	ADDQ $96, DI
	DECQ CX
	JNZ bgTile24_loop
	ST(Z8); ST(Z9); ST(Z10); ST(Z11); ST(Z12); ST(Z13); ST(Z14); ST(Z15)
	ST(Z16); ST(Z17); ST(Z18); ST(Z19); ST(Z20); ST(Z21); ST(Z22); ST(Z23)
	ST(Z24); ST(Z25); ST(Z26); ST(Z27); ST(Z28); ST(Z29); ST(Z30); ST(Z31)
	VZEROUPPER
	RET
