#include "textflag.h"

// GELU (erf), GELU-tanh, tanh and SiLU over float32, AVX-512: act_fn.go's
// algorithms, step for step (same constants, same operation order, one
// rounding per FMA). The Go wrappers hand over whole vectors only (n a
// multiple of 16); tails go through a stack buffer there.

DATA actc<>+0(SB)/4, $0x3fb8aa3b // log2e 1.44269502
DATA actc<>+4(SB)/4, $0x3f317200 // ln2hi 0.693145752
DATA actc<>+8(SB)/4, $0x35bfbe8e // ln2lo 1.42860677e-06
DATA actc<>+12(SB)/4, $0x3f800000 // t0 1
DATA actc<>+16(SB)/4, $0x3f800000 // t1 1
DATA actc<>+20(SB)/4, $0x3f000000 // t2 0.5
DATA actc<>+24(SB)/4, $0x3e2aaaab // t3 0.166666672
DATA actc<>+28(SB)/4, $0x3d2aaaab // t4 0.0416666679
DATA actc<>+32(SB)/4, $0x3c088889 // t5 0.00833333377
DATA actc<>+36(SB)/4, $0x3ab60b61 // t6 0.00138888892
DATA actc<>+40(SB)/4, $0x39500d01 // t7 0.000198412701
DATA actc<>+44(SB)/4, $0x3f3504f3 // invsqrt2 0.707106769
DATA actc<>+48(SB)/4, $0x416d967f // clampa 14.8492422
DATA actc<>+52(SB)/4, $0xc1a00000 // m20 -20
DATA actc<>+56(SB)/4, $0xbf000000 // mhalf -0.5
DATA actc<>+60(SB)/4, $0x42dc0000 // c110 110
DATA actc<>+64(SB)/4, $0xc2dc0000 // m110 -110
DATA actc<>+68(SB)/4, $0x41200000 // c10 10
DATA actc<>+72(SB)/4, $0x3f0ccccd // c055 0.550000012
DATA actc<>+76(SB)/4, $0x40000000 // two 2
DATA actc<>+80(SB)/4, $0x3fcc422a // k1h 1.59576917
DATA actc<>+84(SB)/4, $0xb342bc9b // k1l -4.53406805e-08
DATA actc<>+88(SB)/4, $0x3d922279 // k3h 0.0713548139
DATA actc<>+92(SB)/4, $0x3124d8b5 // k3l 2.39883247e-09
DATA actc<>+96(SB)/4, $0x41400000 // c12 12
DATA actc<>+100(SB)/4, $0xc1400000 // m12 -12
DATA actc<>+104(SB)/4, $0x3f906ebb // p0 1.12837923
DATA actc<>+108(SB)/4, $0xbec093a3 // p1 -0.376126379
DATA actc<>+112(SB)/4, $0x3de71779 // p2 0.112837739
DATA actc<>+116(SB)/4, $0xbcdc101c // p3 -0.0268631503
DATA actc<>+120(SB)/4, $0x3baa6881 // p4 0.00520044612
DATA actc<>+124(SB)/4, $0xba49b8a4 // p5 -0.00076950551
DATA actc<>+128(SB)/4, $0x3e906d8d // q0 0.282085806
DATA actc<>+132(SB)/4, $0x3e908e83 // q1 0.282337278
DATA actc<>+136(SB)/4, $0x3e79e5ac // q2 0.244040191
DATA actc<>+140(SB)/4, $0x3e46e6ce // q3 0.194239825
DATA actc<>+144(SB)/4, $0x3c6048a4 // q4 0.0136891939
DATA actc<>+148(SB)/4, $0x3e285a19 // q5 0.164406195
DATA actc<>+152(SB)/4, $0xbe954615 // q6 -0.291550308
DATA actc<>+156(SB)/4, $0x3da90352 // q7 0.0825258642
DATA actc<>+160(SB)/4, $0x3d65268a // q8 0.0559449568
DATA actc<>+164(SB)/4, $0xbce346fa // q9 -0.0277438052
DATA actc<>+168(SB)/4, $0x3f800000 // h0 1
DATA actc<>+172(SB)/4, $0xbeaaaaa3 // h1 -0.333333105
DATA actc<>+176(SB)/4, $0x3e088644 // h2 0.133324683
DATA actc<>+180(SB)/4, $0xbd5c8add // h3 -0.0538433678
DATA actc<>+184(SB)/4, $0x3cac60a0 // h4 0.0210421681
DATA actc<>+188(SB)/4, $0xbbcc6f3b // h5 -0.00623884564
DATA actc<>+192(SB)/4, $0x0000007f // bias 1.77964905e-43
DATA actc<>+196(SB)/4, $0x7fffffff // abs NaN
DATA actc<>+200(SB)/4, $0x80000000 // sign -0
GLOBL actc<>(SB), RODATA|NOPTR, $204

#define A_LOG2E actc<>+0(SB)
#define A_LN2HI actc<>+4(SB)
#define A_LN2LO actc<>+8(SB)
#define A_T0 actc<>+12(SB)
#define A_T1 actc<>+16(SB)
#define A_T2 actc<>+20(SB)
#define A_T3 actc<>+24(SB)
#define A_T4 actc<>+28(SB)
#define A_T5 actc<>+32(SB)
#define A_T6 actc<>+36(SB)
#define A_T7 actc<>+40(SB)
#define A_INVSQRT2 actc<>+44(SB)
#define A_CLAMPA actc<>+48(SB)
#define A_M20 actc<>+52(SB)
#define A_MHALF actc<>+56(SB)
#define A_C110 actc<>+60(SB)
#define A_M110 actc<>+64(SB)
#define A_C10 actc<>+68(SB)
#define A_C055 actc<>+72(SB)
#define A_TWO actc<>+76(SB)
#define A_K1H actc<>+80(SB)
#define A_K1L actc<>+84(SB)
#define A_K3H actc<>+88(SB)
#define A_K3L actc<>+92(SB)
#define A_C12 actc<>+96(SB)
#define A_M12 actc<>+100(SB)
#define A_P0 actc<>+104(SB)
#define A_P1 actc<>+108(SB)
#define A_P2 actc<>+112(SB)
#define A_P3 actc<>+116(SB)
#define A_P4 actc<>+120(SB)
#define A_P5 actc<>+124(SB)
#define A_Q0 actc<>+128(SB)
#define A_Q1 actc<>+132(SB)
#define A_Q2 actc<>+136(SB)
#define A_Q3 actc<>+140(SB)
#define A_Q4 actc<>+144(SB)
#define A_Q5 actc<>+148(SB)
#define A_Q6 actc<>+152(SB)
#define A_Q7 actc<>+156(SB)
#define A_Q8 actc<>+160(SB)
#define A_Q9 actc<>+164(SB)
#define A_H0 actc<>+168(SB)
#define A_H1 actc<>+172(SB)
#define A_H2 actc<>+176(SB)
#define A_H3 actc<>+180(SB)
#define A_H4 actc<>+184(SB)
#define A_H5 actc<>+188(SB)
#define A_BIAS actc<>+192(SB)
#define A_ABS actc<>+196(SB)
#define A_SIGN actc<>+200(SB)

// EXPN(h): Z7 = n = round(h*log2e), h = h - n*ln2 (ln2 in two parts).
// EXPP(r): Z8 = e^r * 2^n (degree-7 Taylor polynomial of e^r).
#define EXPN(h) \
	VMULPS.BCST A_LOG2E, h, Z7; \
	VRNDSCALEPS $0, Z7, Z7; \
	VFNMADD231PS.BCST A_LN2HI, Z7, h; \
	VFNMADD231PS.BCST A_LN2LO, Z7, h

#define EXPP(r) \
	VBROADCASTSS A_T7, Z8; \
	VFMADD213PS.BCST A_T6, r, Z8; \
	VFMADD213PS.BCST A_T5, r, Z8; \
	VFMADD213PS.BCST A_T4, r, Z8; \
	VFMADD213PS.BCST A_T3, r, Z8; \
	VFMADD213PS.BCST A_T2, r, Z8; \
	VFMADD213PS.BCST A_T1, r, Z8; \
	VFMADD213PS.BCST A_T0, r, Z8; \
	VSCALEFPS Z7, Z8, Z8

// GELU: Z0 = gelu(Z0); clobbers Z1-Z11, K1, K2. Z31 = 0.
#define GELU \
	VANDPS.BCST A_ABS, Z0, Z1; \
	VMULPS.BCST A_INVSQRT2, Z0, Z2; \
	VMULPS Z2, Z2, Z3; \
	VBROADCASTSS A_P5, Z4; \
	VFMADD213PS.BCST A_P4, Z3, Z4; \
	VFMADD213PS.BCST A_P3, Z3, Z4; \
	VFMADD213PS.BCST A_P2, Z3, Z4; \
	VFMADD213PS.BCST A_P1, Z3, Z4; \
	VFMADD213PS.BCST A_P0, Z3, Z4; \
	VMULPS Z4, Z2, Z4; \
	VBROADCASTSS A_T2, Z5; \
	VFMADD213PS Z5, Z5, Z4; \
	VMINPS.BCST A_CLAMPA, Z1, Z2; \
	VMULPS Z2, Z2, Z3; \
	VMOVAPS Z3, Z6; \
	VFMSUB231PS Z2, Z2, Z6; \
	VMULPS.BCST A_MHALF, Z3, Z3; \
	VMULPS.BCST A_MHALF, Z6, Z6; \
	EXPN(Z3); \
	VADDPS Z6, Z3, Z3; \
	EXPP(Z3); \
	VMULPS.BCST A_INVSQRT2, Z2, Z3; \
	VFMADD213PS.BCST A_T0, Z5, Z3; \
	VBROADCASTSS A_T0, Z6; \
	VDIVPS Z3, Z6, Z3; \
	VMULPS Z3, Z8, Z8; \
	VBROADCASTSS A_Q9, Z9; \
	VFMADD213PS.BCST A_Q8, Z3, Z9; \
	VFMADD213PS.BCST A_Q7, Z3, Z9; \
	VFMADD213PS.BCST A_Q6, Z3, Z9; \
	VFMADD213PS.BCST A_Q5, Z3, Z9; \
	VFMADD213PS.BCST A_Q4, Z3, Z9; \
	VFMADD213PS.BCST A_Q3, Z3, Z9; \
	VFMADD213PS.BCST A_Q2, Z3, Z9; \
	VFMADD213PS.BCST A_Q1, Z3, Z9; \
	VFMADD213PS.BCST A_Q0, Z3, Z9; \
	VMULPS Z9, Z8, Z8; \
	VMULPS Z5, Z8, Z8; \
	VSUBPS Z8, Z6, Z9; \
	VCMPPS $1, Z31, Z0, K1; \
	VMOVAPS Z8, K1, Z9; \
	VBROADCASTSS A_INVSQRT2, Z10; \
	VCMPPS $1, Z10, Z1, K2; \
	VMOVAPS Z4, K2, Z9; \
	VBROADCASTSS A_M20, Z10; \
	VMAXPS Z0, Z10, Z0; \
	VMULPS Z9, Z0, Z0

// XSIG: Z0 = x/(1+exp(-(y+ylo))) for x in Z0, y in Z1 (y has x's sign),
// ylo in Z4; clobbers Z2-Z4, Z7, Z8, K1. Z31 = 0.
#define XSIG \
	VANDPS.BCST A_ABS, Z1, Z2; \
	VMINPS.BCST A_C110, Z2, Z2; \
	VXORPS.BCST A_SIGN, Z2, Z2; \
	VANDPS.BCST A_SIGN, Z1, Z3; \
	VXORPS Z3, Z4, Z4; \
	VXORPS.BCST A_SIGN, Z4, Z4; \
	EXPN(Z2); \
	VADDPS Z4, Z2, Z2; \
	EXPP(Z2); \
	VBROADCASTSS A_M110, Z3; \
	VMAXPS Z0, Z3, Z3; \
	VMULPS Z8, Z3, Z3; \
	VCMPPS $0x1d, Z31, Z1, K1; \
	VMOVAPS Z0, K1, Z3; \
	VADDPS.BCST A_T0, Z8, Z8; \
	VDIVPS Z8, Z3, Z0

// GTY: Z1, Z4 = y = 2*sqrt(2/pi)*(x + 0.044715x³) as a float pair, x in Z0
// clamped to ±12; clobbers Z2, Z3, Z5-Z13.
#define GTY \
	VMAXPS.BCST A_M12, Z0, Z5; \
	VMINPS.BCST A_C12, Z5, Z5; \
	VMULPS Z5, Z5, Z2; \
	VMOVAPS Z2, Z3; \
	VFMSUB231PS Z5, Z5, Z3; \
	VMULPS Z5, Z2, Z6; \
	VMOVAPS Z6, Z7; \
	VFMSUB231PS Z5, Z2, Z7; \
	VFMADD231PS Z5, Z3, Z7; \
	VMULPS.BCST A_K1H, Z5, Z8; \
	VMOVAPS Z8, Z9; \
	VFMSUB231PS.BCST A_K1H, Z5, Z9; \
	VFMADD231PS.BCST A_K1L, Z5, Z9; \
	VMULPS.BCST A_K3H, Z6, Z10; \
	VMOVAPS Z10, Z11; \
	VFMSUB231PS.BCST A_K3H, Z6, Z11; \
	VFMADD231PS.BCST A_K3L, Z6, Z11; \
	VFMADD231PS.BCST A_K3H, Z7, Z11; \
	VADDPS Z10, Z8, Z1; \
	VSUBPS Z8, Z1, Z12; \
	VSUBPS Z12, Z1, Z13; \
	VSUBPS Z13, Z8, Z13; \
	VSUBPS Z12, Z10, Z12; \
	VADDPS Z12, Z13, Z13; \
	VADDPS Z9, Z13, Z13; \
	VADDPS Z11, Z13, Z4

// TANH: Z0 = tanh(Z0); clobbers Z1-Z9, K1.
#define TANH \
	VANDPS.BCST A_ABS, Z0, Z1; \
	VMULPS Z0, Z0, Z2; \
	VBROADCASTSS A_H5, Z3; \
	VFMADD213PS.BCST A_H4, Z2, Z3; \
	VFMADD213PS.BCST A_H3, Z2, Z3; \
	VFMADD213PS.BCST A_H2, Z2, Z3; \
	VFMADD213PS.BCST A_H1, Z2, Z3; \
	VFMADD213PS.BCST A_H0, Z2, Z3; \
	VMULPS Z3, Z0, Z3; \
	VBROADCASTSS A_C10, Z4; \
	VMINPS Z1, Z4, Z4; \
	VADDPS Z4, Z4, Z4; \
	EXPN(Z4); \
	EXPP(Z4); \
	VADDPS.BCST A_T0, Z8, Z8; \
	VBROADCASTSS A_TWO, Z5; \
	VDIVPS Z8, Z5, Z5; \
	VBROADCASTSS A_T0, Z6; \
	VSUBPS Z5, Z6, Z6; \
	VANDPS.BCST A_SIGN, Z0, Z7; \
	VORPS Z7, Z6, Z6; \
	VBROADCASTSS A_C055, Z9; \
	VCMPPS $1, Z9, Z1, K1; \
	VMOVAPS Z3, K1, Z6; \
	VMOVAPS Z6, Z0

// func geluAVX512(d, x *float32, n int)
TEXT ·geluAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORD Z31, Z31, Z31
	SHRQ $4, CX
	JZ geluAVX512Done
geluAVX512Loop:
	VMOVUPS (SI), Z0
	GELU
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ geluAVX512Loop
geluAVX512Done:
	VZEROUPPER
	RET

// func geluTanhAVX512(d, x *float32, n int)
TEXT ·geluTanhAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORD Z31, Z31, Z31
	SHRQ $4, CX
	JZ geluTanhAVX512Done
geluTanhAVX512Loop:
	VMOVUPS (SI), Z0
	GTY
	XSIG
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ geluTanhAVX512Loop
geluTanhAVX512Done:
	VZEROUPPER
	RET

// func tanhAVX512(d, x *float32, n int)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORD Z31, Z31, Z31
	SHRQ $4, CX
	JZ tanhAVX512Done
tanhAVX512Loop:
	VMOVUPS (SI), Z0
	TANH
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ tanhAVX512Loop
tanhAVX512Done:
	VZEROUPPER
	RET

// func siluAVX512(d, x *float32, n int)
TEXT ·siluAVX512(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORD Z31, Z31, Z31
	SHRQ $4, CX
	JZ siluAVX512Done
siluAVX512Loop:
	VMOVUPS (SI), Z0
	VMOVAPS Z0, Z1
	VXORPS Z4, Z4, Z4
	XSIG
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ siluAVX512Loop
siluAVX512Done:
	VZEROUPPER
	RET
