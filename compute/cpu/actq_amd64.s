#include "textflag.h"

// Activation quantization to Q8 blocks (act.go's layout), AVX-512: per 32
// values d = max|x|/127, q = x*(127/max|x|) rounded to nearest even (as
// ggml's SIMD quantizers round), scl = d x 8, cor = [-k*sum(q), 0 x 7].

DATA actc<>+0(SB)/4, $0x7fffffff
DATA actc<>+4(SB)/4, $0x42fe0000 // 127
DATA actc<>+8(SB)/4, $0x0da24260 // 1e-30
GLOBL actc<>(SB), RODATA|NOPTR, $12

// func quantQ8Blocks(x *float32, nb int, qs *int8, scl *float32, cor *int32, k int32)
TEXT ·quantQ8Blocks(SB), NOSPLIT, $0-44
	MOVQ x+0(FP), SI
	MOVQ nb+8(FP), CX
	MOVQ qs+16(FP), DI
	MOVQ scl+24(FP), R9
	MOVQ cor+32(FP), R11
	MOVL k+40(FP), AX
	NEGL AX
	VPBROADCASTD AX, X29
	VBROADCASTSS actc<>+0(SB), Z31
	VMOVSS actc<>+4(SB), X30
	VMOVSS actc<>+8(SB), X28
	TESTQ CX, CX
	JZ qdone
qloop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VANDPS Z31, Z0, Z2
	VANDPS Z31, Z1, Z3
	VMAXPS Z3, Z2, Z2
	VEXTRACTF64X4 $1, Z2, Y3
	VMAXPS Y3, Y2, Y2
	VEXTRACTF128 $1, Y2, X3
	VMAXPS X3, X2, X2
	VPERMILPS $0x4E, X2, X3
	VMAXPS X3, X2, X2
	VPERMILPS $0xB1, X2, X3
	VMAXPS X3, X2, X2
	VDIVSS X30, X2, X4
	VMAXSS X28, X2, X2
	VDIVSS X2, X30, X5
	VBROADCASTSS X5, Z5
	VMULPS Z5, Z0, Z0
	VMULPS Z5, Z1, Z1
	VCVTPS2DQ Z0, Z0
	VCVTPS2DQ Z1, Z1
	VPMOVSDB Z0, X6
	VPMOVSDB Z1, X7
	VMOVDQU X6, (DI)
	VMOVDQU X7, 16(DI)
	VPADDD Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDD Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDD X1, X0, X0
	VPSHUFD $0xB1, X0, X1
	VPADDD X1, X0, X0
	VPMULLD X29, X0, X0
	VMOVD X0, AX
	VMOVD AX, X0
	VMOVDQU Y0, (R11)
	VBROADCASTSS X4, Y4
	VMOVUPS Y4, (R9)
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $32, R9
	ADDQ $32, R11
	DECQ CX
	JNZ qloop
qdone:
	VZEROUPPER
	RET
