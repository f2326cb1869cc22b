#include "textflag.h"

// RoPE rotations. No FMA: each product is rounded before the sum, as in
// rotate (rope.go). Counts are whole vectors and at least one.

// func ropeNeoXAVX512(x *float32, heads, stride, half int, cos, sin *float32, n int)
TEXT ·ropeNeoXAVX512(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), DI
	MOVQ heads+8(FP), R8
	MOVQ stride+16(FP), R9
	SHLQ $2, R9
	MOVQ half+24(FP), R10
	SHLQ $2, R10
	MOVQ cos+32(FP), SI
	MOVQ sin+40(FP), DX
	MOVQ n+48(FP), CX
nx512Head:
	XORQ AX, AX
	MOVQ CX, BX
	LEAQ (DI)(R10*1), R11
nx512Loop:
	VMOVUPS (DI)(AX*1), Z0
	VMOVUPS (R11)(AX*1), Z1
	VMOVUPS (SI)(AX*1), Z2
	VMOVUPS (DX)(AX*1), Z3
	VMULPS Z2, Z0, Z4
	VMULPS Z3, Z1, Z5
	VSUBPS Z5, Z4, Z4
	VMULPS Z2, Z1, Z6
	VMULPS Z3, Z0, Z7
	VADDPS Z7, Z6, Z6
	VMOVUPS Z4, (DI)(AX*1)
	VMOVUPS Z6, (R11)(AX*1)
	ADDQ $64, AX
	SUBQ $16, BX
	JNZ nx512Loop
	ADDQ R9, DI
	DECQ R8
	JNZ nx512Head
	VZEROUPPER
	RET

// func ropeNeoXAVX2(x *float32, heads, stride, half int, cos, sin *float32, n int)
TEXT ·ropeNeoXAVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), DI
	MOVQ heads+8(FP), R8
	MOVQ stride+16(FP), R9
	SHLQ $2, R9
	MOVQ half+24(FP), R10
	SHLQ $2, R10
	MOVQ cos+32(FP), SI
	MOVQ sin+40(FP), DX
	MOVQ n+48(FP), CX
nx2Head:
	XORQ AX, AX
	MOVQ CX, BX
	LEAQ (DI)(R10*1), R11
nx2Loop:
	VMOVUPS (DI)(AX*1), Y0
	VMOVUPS (R11)(AX*1), Y1
	VMOVUPS (SI)(AX*1), Y2
	VMOVUPS (DX)(AX*1), Y3
	VMULPS Y2, Y0, Y4
	VMULPS Y3, Y1, Y5
	VSUBPS Y5, Y4, Y4
	VMULPS Y2, Y1, Y6
	VMULPS Y3, Y0, Y7
	VADDPS Y7, Y6, Y6
	VMOVUPS Y4, (DI)(AX*1)
	VMOVUPS Y6, (R11)(AX*1)
	ADDQ $32, AX
	SUBQ $8, BX
	JNZ nx2Loop
	ADDQ R9, DI
	DECQ R8
	JNZ nx2Head
	VZEROUPPER
	RET

// x*cosd + swap(x)*sind: even lanes x0*c + x1*(-s) (= x0*c - x1*s
// exactly), odd lanes x1*c + x0*s.

// func ropePairsAVX512(x *float32, heads, stride int, cosd, sind *float32, n int)
TEXT ·ropePairsAVX512(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), DI
	MOVQ heads+8(FP), R8
	MOVQ stride+16(FP), R9
	SHLQ $2, R9
	MOVQ cosd+24(FP), SI
	MOVQ sind+32(FP), DX
	MOVQ n+40(FP), CX
pr512Head:
	XORQ AX, AX
	MOVQ CX, BX
pr512Loop:
	VMOVUPS (DI)(AX*1), Z0
	VPERMILPS $0xB1, Z0, Z1
	VMULPS (SI)(AX*1), Z0, Z2
	VMULPS (DX)(AX*1), Z1, Z3
	VADDPS Z3, Z2, Z2
	VMOVUPS Z2, (DI)(AX*1)
	ADDQ $64, AX
	SUBQ $16, BX
	JNZ pr512Loop
	ADDQ R9, DI
	DECQ R8
	JNZ pr512Head
	VZEROUPPER
	RET

// func ropePairsAVX2(x *float32, heads, stride int, cosd, sind *float32, n int)
TEXT ·ropePairsAVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), DI
	MOVQ heads+8(FP), R8
	MOVQ stride+16(FP), R9
	SHLQ $2, R9
	MOVQ cosd+24(FP), SI
	MOVQ sind+32(FP), DX
	MOVQ n+40(FP), CX
pr2Head:
	XORQ AX, AX
	MOVQ CX, BX
pr2Loop:
	VMOVUPS (DI)(AX*1), Y0
	VPERMILPS $0xB1, Y0, Y1
	VMULPS (SI)(AX*1), Y0, Y2
	VMULPS (DX)(AX*1), Y1, Y3
	VADDPS Y3, Y2, Y2
	VMOVUPS Y2, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $8, BX
	JNZ pr2Loop
	ADDQ R9, DI
	DECQ R8
	JNZ pr2Head
	VZEROUPPER
	RET
