#include "textflag.h"

// GELU (erf), GELU-tanh, tanh and SiLU over float32, AVX2+FMA: the AVX-512
// kernels of act_fn_amd64.s on 8 lanes, step for step. Masks are compare
// results blended with vblendvps; vscalefps has no AVX2 form, so 2^n is
// applied as two exact power-of-two factors 2^(n>>1) and 2^(n-(n>>1)) (each
// normal for the n that occur, n >= -160), which rounds once, as vscalefps
// does. The Go wrappers hand over multiples of 8 values.

#define C8(off, v) \
	DATA actv<>+off+0(SB)/4, v; DATA actv<>+off+4(SB)/4, v; \
	DATA actv<>+off+8(SB)/4, v; DATA actv<>+off+12(SB)/4, v; \
	DATA actv<>+off+16(SB)/4, v; DATA actv<>+off+20(SB)/4, v; \
	DATA actv<>+off+24(SB)/4, v; DATA actv<>+off+28(SB)/4, v

C8(0, $0x3fb8aa3b) // log2e 1.44269502
C8(32, $0x3f317200) // ln2hi 0.693145752
C8(64, $0x35bfbe8e) // ln2lo 1.42860677e-06
C8(96, $0x3f800000) // t0 1
C8(128, $0x3f800000) // t1 1
C8(160, $0x3f000000) // t2 0.5
C8(192, $0x3e2aaaab) // t3 0.166666672
C8(224, $0x3d2aaaab) // t4 0.0416666679
C8(256, $0x3c088889) // t5 0.00833333377
C8(288, $0x3ab60b61) // t6 0.00138888892
C8(320, $0x39500d01) // t7 0.000198412701
C8(352, $0x3f3504f3) // invsqrt2 0.707106769
C8(384, $0x416d967f) // clampa 14.8492422
C8(416, $0xc1a00000) // m20 -20
C8(448, $0xbf000000) // mhalf -0.5
C8(480, $0x42dc0000) // c110 110
C8(512, $0xc2dc0000) // m110 -110
C8(544, $0x41200000) // c10 10
C8(576, $0x3f0ccccd) // c055 0.550000012
C8(608, $0x40000000) // two 2
C8(640, $0x3fcc422a) // k1h 1.59576917
C8(672, $0xb342bc9b) // k1l -4.53406805e-08
C8(704, $0x3d922279) // k3h 0.0713548139
C8(736, $0x3124d8b5) // k3l 2.39883247e-09
C8(768, $0x41400000) // c12 12
C8(800, $0xc1400000) // m12 -12
C8(832, $0x3f906ebb) // p0 1.12837923
C8(864, $0xbec093a3) // p1 -0.376126379
C8(896, $0x3de71779) // p2 0.112837739
C8(928, $0xbcdc101c) // p3 -0.0268631503
C8(960, $0x3baa6881) // p4 0.00520044612
C8(992, $0xba49b8a4) // p5 -0.00076950551
C8(1024, $0x3e906d8d) // q0 0.282085806
C8(1056, $0x3e908e83) // q1 0.282337278
C8(1088, $0x3e79e5ac) // q2 0.244040191
C8(1120, $0x3e46e6ce) // q3 0.194239825
C8(1152, $0x3c6048a4) // q4 0.0136891939
C8(1184, $0x3e285a19) // q5 0.164406195
C8(1216, $0xbe954615) // q6 -0.291550308
C8(1248, $0x3da90352) // q7 0.0825258642
C8(1280, $0x3d65268a) // q8 0.0559449568
C8(1312, $0xbce346fa) // q9 -0.0277438052
C8(1344, $0x3f800000) // h0 1
C8(1376, $0xbeaaaaa3) // h1 -0.333333105
C8(1408, $0x3e088644) // h2 0.133324683
C8(1440, $0xbd5c8add) // h3 -0.0538433678
C8(1472, $0x3cac60a0) // h4 0.0210421681
C8(1504, $0xbbcc6f3b) // h5 -0.00623884564
C8(1536, $0x0000007f) // bias 1.77964905e-43
C8(1568, $0x7fffffff) // abs NaN
C8(1600, $0x80000000) // sign -0
GLOBL actv<>(SB), RODATA|NOPTR, $1632

#define A_LOG2E actv<>+0(SB)
#define A_LN2HI actv<>+32(SB)
#define A_LN2LO actv<>+64(SB)
#define A_T0 actv<>+96(SB)
#define A_T1 actv<>+128(SB)
#define A_T2 actv<>+160(SB)
#define A_T3 actv<>+192(SB)
#define A_T4 actv<>+224(SB)
#define A_T5 actv<>+256(SB)
#define A_T6 actv<>+288(SB)
#define A_T7 actv<>+320(SB)
#define A_INVSQRT2 actv<>+352(SB)
#define A_CLAMPA actv<>+384(SB)
#define A_M20 actv<>+416(SB)
#define A_MHALF actv<>+448(SB)
#define A_C110 actv<>+480(SB)
#define A_M110 actv<>+512(SB)
#define A_C10 actv<>+544(SB)
#define A_C055 actv<>+576(SB)
#define A_TWO actv<>+608(SB)
#define A_K1H actv<>+640(SB)
#define A_K1L actv<>+672(SB)
#define A_K3H actv<>+704(SB)
#define A_K3L actv<>+736(SB)
#define A_C12 actv<>+768(SB)
#define A_M12 actv<>+800(SB)
#define A_P0 actv<>+832(SB)
#define A_P1 actv<>+864(SB)
#define A_P2 actv<>+896(SB)
#define A_P3 actv<>+928(SB)
#define A_P4 actv<>+960(SB)
#define A_P5 actv<>+992(SB)
#define A_Q0 actv<>+1024(SB)
#define A_Q1 actv<>+1056(SB)
#define A_Q2 actv<>+1088(SB)
#define A_Q3 actv<>+1120(SB)
#define A_Q4 actv<>+1152(SB)
#define A_Q5 actv<>+1184(SB)
#define A_Q6 actv<>+1216(SB)
#define A_Q7 actv<>+1248(SB)
#define A_Q8 actv<>+1280(SB)
#define A_Q9 actv<>+1312(SB)
#define A_H0 actv<>+1344(SB)
#define A_H1 actv<>+1376(SB)
#define A_H2 actv<>+1408(SB)
#define A_H3 actv<>+1440(SB)
#define A_H4 actv<>+1472(SB)
#define A_H5 actv<>+1504(SB)
#define A_BIAS actv<>+1536(SB)
#define A_ABS actv<>+1568(SB)
#define A_SIGN actv<>+1600(SB)

// EXPN(h): Y7 = n = round(h*log2e), h = h - n*ln2 (ln2 in two parts).
// EXPP(r): Y8 = e^r * 2^n (degree-7 Taylor polynomial of e^r).
#define EXPN(h) \
	VMULPS A_LOG2E, h, Y7; \
	VROUNDPS $0, Y7, Y7; \
	VFNMADD231PS A_LN2HI, Y7, h; \
	VFNMADD231PS A_LN2LO, Y7, h

#define EXPP(r) \
	VMOVUPS A_T7, Y8; \
	VFMADD213PS A_T6, r, Y8; \
	VFMADD213PS A_T5, r, Y8; \
	VFMADD213PS A_T4, r, Y8; \
	VFMADD213PS A_T3, r, Y8; \
	VFMADD213PS A_T2, r, Y8; \
	VFMADD213PS A_T1, r, Y8; \
	VFMADD213PS A_T0, r, Y8; \
	VCVTPS2DQ Y7, Y10; \
	VPSRAD $1, Y10, Y11; \
	VPSUBD Y11, Y10, Y10; \
	VPADDD A_BIAS, Y11, Y11; \
	VPADDD A_BIAS, Y10, Y10; \
	VPSLLD $23, Y11, Y11; \
	VPSLLD $23, Y10, Y10; \
	VMULPS Y11, Y8, Y8; \
	VMULPS Y10, Y8, Y8

// GELU: Y0 = gelu(Y0); clobbers Y1-Y13. Y15 = 0.
#define GELU \
	VANDPS A_ABS, Y0, Y1; \
	VMULPS A_INVSQRT2, Y0, Y2; \
	VMULPS Y2, Y2, Y3; \
	VMOVUPS A_P5, Y4; \
	VFMADD213PS A_P4, Y3, Y4; \
	VFMADD213PS A_P3, Y3, Y4; \
	VFMADD213PS A_P2, Y3, Y4; \
	VFMADD213PS A_P1, Y3, Y4; \
	VFMADD213PS A_P0, Y3, Y4; \
	VMULPS Y4, Y2, Y4; \
	VMOVUPS A_T2, Y5; \
	VFMADD213PS Y5, Y5, Y4; \
	VMINPS A_CLAMPA, Y1, Y2; \
	VMULPS Y2, Y2, Y3; \
	VMOVAPS Y3, Y6; \
	VFMSUB231PS Y2, Y2, Y6; \
	VMULPS A_MHALF, Y3, Y3; \
	VMULPS A_MHALF, Y6, Y6; \
	EXPN(Y3); \
	VADDPS Y6, Y3, Y3; \
	EXPP(Y3); \
	VMULPS A_INVSQRT2, Y2, Y3; \
	VFMADD213PS A_T0, Y5, Y3; \
	VMOVUPS A_T0, Y6; \
	VDIVPS Y3, Y6, Y3; \
	VMULPS Y3, Y8, Y8; \
	VMOVUPS A_Q9, Y9; \
	VFMADD213PS A_Q8, Y3, Y9; \
	VFMADD213PS A_Q7, Y3, Y9; \
	VFMADD213PS A_Q6, Y3, Y9; \
	VFMADD213PS A_Q5, Y3, Y9; \
	VFMADD213PS A_Q4, Y3, Y9; \
	VFMADD213PS A_Q3, Y3, Y9; \
	VFMADD213PS A_Q2, Y3, Y9; \
	VFMADD213PS A_Q1, Y3, Y9; \
	VFMADD213PS A_Q0, Y3, Y9; \
	VMULPS Y9, Y8, Y8; \
	VMULPS Y5, Y8, Y8; \
	VSUBPS Y8, Y6, Y9; \
	VCMPPS $1, Y15, Y0, Y12; \
	VBLENDVPS Y12, Y8, Y9, Y9; \
	VMOVUPS A_INVSQRT2, Y10; \
	VCMPPS $1, Y10, Y1, Y13; \
	VBLENDVPS Y13, Y4, Y9, Y9; \
	VMOVUPS A_M20, Y10; \
	VMAXPS Y0, Y10, Y0; \
	VMULPS Y9, Y0, Y0

// XSIG: Y0 = x/(1+exp(-(y+ylo))) for x in Y0, y in Y1 (y has x's sign),
// ylo in Y4; clobbers Y2-Y4, Y7, Y8, Y10-Y12. Y15 = 0.
#define XSIG \
	VANDPS A_ABS, Y1, Y2; \
	VMINPS A_C110, Y2, Y2; \
	VXORPS A_SIGN, Y2, Y2; \
	VANDPS A_SIGN, Y1, Y3; \
	VXORPS Y3, Y4, Y4; \
	VXORPS A_SIGN, Y4, Y4; \
	EXPN(Y2); \
	VADDPS Y4, Y2, Y2; \
	EXPP(Y2); \
	VMOVUPS A_M110, Y3; \
	VMAXPS Y0, Y3, Y3; \
	VMULPS Y8, Y3, Y3; \
	VCMPPS $0x1d, Y15, Y1, Y12; \
	VBLENDVPS Y12, Y0, Y3, Y3; \
	VADDPS A_T0, Y8, Y8; \
	VDIVPS Y8, Y3, Y0

// GTY: Y1, Y4 = y = 2*sqrt(2/pi)*(x + 0.044715x³) as a float pair, x in Y0
// clamped to ±12; clobbers Y2, Y3, Y5-Y13.
#define GTY \
	VMAXPS A_M12, Y0, Y5; \
	VMINPS A_C12, Y5, Y5; \
	VMULPS Y5, Y5, Y2; \
	VMOVAPS Y2, Y3; \
	VFMSUB231PS Y5, Y5, Y3; \
	VMULPS Y5, Y2, Y6; \
	VMOVAPS Y6, Y7; \
	VFMSUB231PS Y5, Y2, Y7; \
	VFMADD231PS Y5, Y3, Y7; \
	VMULPS A_K1H, Y5, Y8; \
	VMOVAPS Y8, Y9; \
	VFMSUB231PS A_K1H, Y5, Y9; \
	VFMADD231PS A_K1L, Y5, Y9; \
	VMULPS A_K3H, Y6, Y10; \
	VMOVAPS Y10, Y11; \
	VFMSUB231PS A_K3H, Y6, Y11; \
	VFMADD231PS A_K3L, Y6, Y11; \
	VFMADD231PS A_K3H, Y7, Y11; \
	VADDPS Y10, Y8, Y1; \
	VSUBPS Y8, Y1, Y12; \
	VSUBPS Y12, Y1, Y13; \
	VSUBPS Y13, Y8, Y13; \
	VSUBPS Y12, Y10, Y12; \
	VADDPS Y12, Y13, Y13; \
	VADDPS Y9, Y13, Y13; \
	VADDPS Y11, Y13, Y4

// TANH: Y0 = tanh(Y0); clobbers Y1-Y12.
#define TANH \
	VANDPS A_ABS, Y0, Y1; \
	VMULPS Y0, Y0, Y2; \
	VMOVUPS A_H5, Y3; \
	VFMADD213PS A_H4, Y2, Y3; \
	VFMADD213PS A_H3, Y2, Y3; \
	VFMADD213PS A_H2, Y2, Y3; \
	VFMADD213PS A_H1, Y2, Y3; \
	VFMADD213PS A_H0, Y2, Y3; \
	VMULPS Y3, Y0, Y3; \
	VMOVUPS A_C10, Y4; \
	VMINPS Y1, Y4, Y4; \
	VADDPS Y4, Y4, Y4; \
	EXPN(Y4); \
	EXPP(Y4); \
	VADDPS A_T0, Y8, Y8; \
	VMOVUPS A_TWO, Y5; \
	VDIVPS Y8, Y5, Y5; \
	VMOVUPS A_T0, Y6; \
	VSUBPS Y5, Y6, Y6; \
	VANDPS A_SIGN, Y0, Y7; \
	VORPS Y7, Y6, Y6; \
	VMOVUPS A_C055, Y9; \
	VCMPPS $1, Y9, Y1, Y12; \
	VBLENDVPS Y12, Y3, Y6, Y6; \
	VMOVAPS Y6, Y0

// func geluAVX2(d, x *float32, n int)
TEXT ·geluAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ geluAVX2Done
geluAVX2Loop:
	VMOVUPS (SI), Y0
	GELU
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ geluAVX2Loop
geluAVX2Done:
	VZEROUPPER
	RET

// func geluTanhAVX2(d, x *float32, n int)
TEXT ·geluTanhAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ geluTanhAVX2Done
geluTanhAVX2Loop:
	VMOVUPS (SI), Y0
	GTY
	XSIG
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ geluTanhAVX2Loop
geluTanhAVX2Done:
	VZEROUPPER
	RET

// func tanhAVX2(d, x *float32, n int)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ tanhAVX2Done
tanhAVX2Loop:
	VMOVUPS (SI), Y0
	TANH
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ tanhAVX2Loop
tanhAVX2Done:
	VZEROUPPER
	RET

// func siluAVX2(d, x *float32, n int)
TEXT ·siluAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ siluAVX2Done
siluAVX2Loop:
	VMOVUPS (SI), Y0
	VMOVAPS Y0, Y1
	VXORPS Y4, Y4, Y4
	XSIG
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ siluAVX2Loop
siluAVX2Done:
	VZEROUPPER
	RET
