#include "textflag.h"

// Tiled attention kernels for prefill (attn_prefill.go), AVX-512. Each
// (query, key) score and each (query, dim) accumulation takes exactly the
// operations dotsF32/dotsF16 and axpysF32/axpysF16 take for one query, so a
// query's result does not depend on the tile it shares.

// func scoreTile4(q, k *float32, nkb, hd int, scale float32, out *float32, outStride int)
// For 4 queries (rows of hd floats from q) and nkb blocks of 4 keys (rows
// of hd floats from k): out[i*outStride + 4*kb + j] = scale*<q_i, k_{4kb+j}>
// (outStride in bytes). The 16 dots of a block run in Z0-Z15 (Z(4j+i) for
// query i, key j), each a 16-lane FMA chain over hd like dotsF32's; the 16
// lane sums are then reduced together by shuffles that add the same lane
// pairs as dotsF32's reduction (i+8, then i+4, then adjacent pairs, then
// the two halves), which leaves query i's four scores in 128-bit block i.
TEXT ·scoreTile4(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ nkb+16(FP), CX
	MOVQ hd+24(FP), R9
	VBROADCASTSS scale+32(FP), Z31
	MOVQ out+40(FP), DX
	MOVQ outStride+48(FP), R8
	LEAQ (R8)(R8*2), R15 // 3*outStride
	SHLQ $2, R9          // hd in bytes
	LEAQ (R9)(R9*2), R10 // 3*hd bytes
	MOVQ R9, R14
	SHRQ $6, R14         // 16-float chunks per row
	TESTQ CX, CX
	JZ stDone
stBlock:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R14, R13
stDim:
	VMOVUPS (R11), Z16
	VMOVUPS (R11)(R9*1), Z17
	VMOVUPS (R11)(R9*2), Z18
	VMOVUPS (R11)(R10*1), Z19
	VMOVUPS (R12), Z20
	VMOVUPS (R12)(R9*1), Z21
	VMOVUPS (R12)(R9*2), Z22
	VMOVUPS (R12)(R10*1), Z23
	VFMADD231PS Z20, Z16, Z0
	VFMADD231PS Z20, Z17, Z1
	VFMADD231PS Z20, Z18, Z2
	VFMADD231PS Z20, Z19, Z3
	VFMADD231PS Z21, Z16, Z4
	VFMADD231PS Z21, Z17, Z5
	VFMADD231PS Z21, Z18, Z6
	VFMADD231PS Z21, Z19, Z7
	VFMADD231PS Z22, Z16, Z8
	VFMADD231PS Z22, Z17, Z9
	VFMADD231PS Z22, Z18, Z10
	VFMADD231PS Z22, Z19, Z11
	VFMADD231PS Z23, Z16, Z12
	VFMADD231PS Z23, Z17, Z13
	VFMADD231PS Z23, Z18, Z14
	VFMADD231PS Z23, Z19, Z15
	ADDQ $64, R11
	ADDQ $64, R12
	DECQ R13
	JNZ stDim

	// Lanes i and i+8 (the 256-bit halves), two vectors at a time.
	VSHUFF32X4 $0x44, Z1, Z0, Z24
	VSHUFF32X4 $0xEE, Z1, Z0, Z25
	VADDPS Z25, Z24, Z0
	VSHUFF32X4 $0x44, Z3, Z2, Z26
	VSHUFF32X4 $0xEE, Z3, Z2, Z27
	VADDPS Z27, Z26, Z2
	VSHUFF32X4 $0x44, Z5, Z4, Z28
	VSHUFF32X4 $0xEE, Z5, Z4, Z29
	VADDPS Z29, Z28, Z4
	VSHUFF32X4 $0x44, Z7, Z6, Z24
	VSHUFF32X4 $0xEE, Z7, Z6, Z25
	VADDPS Z25, Z24, Z6
	VSHUFF32X4 $0x44, Z9, Z8, Z26
	VSHUFF32X4 $0xEE, Z9, Z8, Z27
	VADDPS Z27, Z26, Z8
	VSHUFF32X4 $0x44, Z11, Z10, Z28
	VSHUFF32X4 $0xEE, Z11, Z10, Z29
	VADDPS Z29, Z28, Z10
	VSHUFF32X4 $0x44, Z13, Z12, Z24
	VSHUFF32X4 $0xEE, Z13, Z12, Z25
	VADDPS Z25, Z24, Z12
	VSHUFF32X4 $0x44, Z15, Z14, Z26
	VSHUFF32X4 $0xEE, Z15, Z14, Z27
	VADDPS Z27, Z26, Z14

	// Lanes i and i+4 (the 128-bit halves of each 256): block v of the
	// result holds dot v's four partial sums.
	VSHUFF32X4 $0x88, Z2, Z0, Z24
	VSHUFF32X4 $0xDD, Z2, Z0, Z25
	VADDPS Z25, Z24, Z0
	VSHUFF32X4 $0x88, Z6, Z4, Z26
	VSHUFF32X4 $0xDD, Z6, Z4, Z27
	VADDPS Z27, Z26, Z4
	VSHUFF32X4 $0x88, Z10, Z8, Z28
	VSHUFF32X4 $0xDD, Z10, Z8, Z29
	VADDPS Z29, Z28, Z8
	VSHUFF32X4 $0x88, Z14, Z12, Z24
	VSHUFF32X4 $0xDD, Z14, Z12, Z25
	VADDPS Z25, Z24, Z12

	// Adjacent pairs (VHADDPS's first step), then the two pair sums.
	VSHUFPS $0x88, Z4, Z0, Z24
	VSHUFPS $0xDD, Z4, Z0, Z25
	VADDPS Z25, Z24, Z0
	VSHUFPS $0x88, Z12, Z8, Z26
	VSHUFPS $0xDD, Z12, Z8, Z27
	VADDPS Z27, Z26, Z8
	VSHUFPS $0x88, Z8, Z0, Z24
	VSHUFPS $0xDD, Z8, Z0, Z25
	VADDPS Z25, Z24, Z0

	VMULPS Z31, Z0, Z0
	VMOVUPS X0, (DX)
	VEXTRACTF32X4 $1, Z0, (DX)(R8*1)
	VEXTRACTF32X4 $2, Z0, (DX)(R8*2)
	VEXTRACTF32X4 $3, Z0, (DX)(R15*1)
	ADDQ $16, DX
	LEAQ (DI)(R9*4), DI
	DECQ CX
	JNZ stBlock
stDone:
	VZEROUPPER
	RET

// func accumTile4(acc, w *float32, wStride int, v *float32, n, hd int)
// For 4 queries: acc_i[0:hd] += sum_j w[i*wStride + j] * v_j for j < n in
// order (wStride in bytes; acc rows and v rows hd floats apart), each
// (query, 16 dims) an FMA chain like axpysF32's. 64 dims at a time keep 16
// accumulators in registers; a 16-dim loop takes the rest.
TEXT ·accumTile4(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ wStride+16(FP), R8
	MOVQ v+24(FP), DI
	MOVQ n+32(FP), CX
	MOVQ hd+40(FP), R9
	TESTQ CX, CX
	JZ atDone
	LEAQ (R8)(R8*2), R15 // 3*wStride
	SHLQ $2, R9          // hd in bytes
	LEAQ (R9)(R9*2), R10 // 3*hd bytes
	MOVQ R9, R14
	SHRQ $8, R14         // 64-dim blocks
	JZ atTail
atBlock:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMOVUPS (SI)(R9*1), Z4
	VMOVUPS 64(SI)(R9*1), Z5
	VMOVUPS 128(SI)(R9*1), Z6
	VMOVUPS 192(SI)(R9*1), Z7
	VMOVUPS (SI)(R9*2), Z8
	VMOVUPS 64(SI)(R9*2), Z9
	VMOVUPS 128(SI)(R9*2), Z10
	VMOVUPS 192(SI)(R9*2), Z11
	VMOVUPS (SI)(R10*1), Z12
	VMOVUPS 64(SI)(R10*1), Z13
	VMOVUPS 128(SI)(R10*1), Z14
	VMOVUPS 192(SI)(R10*1), Z15
	MOVQ DI, R11
	MOVQ DX, R12
	MOVQ CX, R13
atKey:
	VMOVUPS (R11), Z16
	VMOVUPS 64(R11), Z17
	VMOVUPS 128(R11), Z18
	VMOVUPS 192(R11), Z19
	VBROADCASTSS (R12), Z20
	VBROADCASTSS (R12)(R8*1), Z21
	VBROADCASTSS (R12)(R8*2), Z22
	VBROADCASTSS (R12)(R15*1), Z23
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z1
	VFMADD231PS Z18, Z20, Z2
	VFMADD231PS Z19, Z20, Z3
	VFMADD231PS Z16, Z21, Z4
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z18, Z21, Z6
	VFMADD231PS Z19, Z21, Z7
	VFMADD231PS Z16, Z22, Z8
	VFMADD231PS Z17, Z22, Z9
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z19, Z22, Z11
	VFMADD231PS Z16, Z23, Z12
	VFMADD231PS Z17, Z23, Z13
	VFMADD231PS Z18, Z23, Z14
	VFMADD231PS Z19, Z23, Z15
	ADDQ R9, R11
	ADDQ $4, R12
	DECQ R13
	JNZ atKey
	VMOVUPS Z0, (SI)
	VMOVUPS Z1, 64(SI)
	VMOVUPS Z2, 128(SI)
	VMOVUPS Z3, 192(SI)
	VMOVUPS Z4, (SI)(R9*1)
	VMOVUPS Z5, 64(SI)(R9*1)
	VMOVUPS Z6, 128(SI)(R9*1)
	VMOVUPS Z7, 192(SI)(R9*1)
	VMOVUPS Z8, (SI)(R9*2)
	VMOVUPS Z9, 64(SI)(R9*2)
	VMOVUPS Z10, 128(SI)(R9*2)
	VMOVUPS Z11, 192(SI)(R9*2)
	VMOVUPS Z12, (SI)(R10*1)
	VMOVUPS Z13, 64(SI)(R10*1)
	VMOVUPS Z14, 128(SI)(R10*1)
	VMOVUPS Z15, 192(SI)(R10*1)
	ADDQ $256, SI
	ADDQ $256, DI
	DECQ R14
	JNZ atBlock
atTail:
	MOVQ R9, R14
	ANDQ $0xff, R14
	SHRQ $6, R14 // 16-dim chunks left
	JZ atDone
atChunk:
	VMOVUPS (SI), Z0
	VMOVUPS (SI)(R9*1), Z4
	VMOVUPS (SI)(R9*2), Z8
	VMOVUPS (SI)(R10*1), Z12
	MOVQ DI, R11
	MOVQ DX, R12
	MOVQ CX, R13
atKey1:
	VMOVUPS (R11), Z16
	VBROADCASTSS (R12), Z20
	VBROADCASTSS (R12)(R8*1), Z21
	VBROADCASTSS (R12)(R8*2), Z22
	VBROADCASTSS (R12)(R15*1), Z23
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z16, Z21, Z4
	VFMADD231PS Z16, Z22, Z8
	VFMADD231PS Z16, Z23, Z12
	ADDQ R9, R11
	ADDQ $4, R12
	DECQ R13
	JNZ atKey1
	VMOVUPS Z0, (SI)
	VMOVUPS Z4, (SI)(R9*1)
	VMOVUPS Z8, (SI)(R9*2)
	VMOVUPS Z12, (SI)(R10*1)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ R14
	JNZ atChunk
atDone:
	VZEROUPPER
	RET

// func widenF16Rows(dst *float32, src *uint16, srcStride, n, hd int)
// dst[j*hd + d] = float32(src[j*srcStride/2 + d]) for j < n, d < hd
// (srcStride in bytes, hd a multiple of 16): VCVTPH2PS is exact.
TEXT ·widenF16Rows(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ srcStride+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R9
	SHRQ $4, R9
	TESTQ CX, CX
	JZ wfDone
wfRow:
	MOVQ SI, R11
	MOVQ R9, R12
wfChunk:
	VCVTPH2PS (R11), Z0
	VMOVUPS Z0, (DI)
	ADDQ $32, R11
	ADDQ $64, DI
	DECQ R12
	JNZ wfChunk
	ADDQ R8, SI
	DECQ CX
	JNZ wfRow
wfDone:
	VZEROUPPER
	RET

// func maxF32(x *float32, n int) float32
// The largest x[i] (n > 0), by VMAXPS: order does not matter but for NaN
// and the sign of zero, which softmaxChunk does not depend on.
TEXT ·maxF32(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	MOVL $0xff800000, AX
	VPBROADCASTD AX, Z0
	MOVQ CX, DX
	SHRQ $4, DX
	ANDQ $15, CX
	TESTQ DX, DX
	JZ mxTail
mxLoop:
	VMAXPS (DI), Z0, Z0
	ADDQ $64, DI
	DECQ DX
	JNZ mxLoop
mxTail:
	TESTQ CX, CX
	JZ mxSum
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMAXPS (DI), Z0, K1, Z0
mxSum:
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func scaleF32(x *float32, n int, c float32)
// x[i] *= c for i < n (n a multiple of 16).
TEXT ·scaleF32(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS c+16(FP), Z1
	SHRQ $4, CX
	JZ scDone
scLoop:
	VMULPS (DI), Z1, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	DECQ CX
	JNZ scLoop
scDone:
	VZEROUPPER
	RET
