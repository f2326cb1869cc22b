package quant

import (
	"encoding/binary"
	"fmt"
)

// Encoders guided by an importance matrix (llama-quantize --imatrix): one
// non-negative weight per column, saying how much that input channel
// matters. ggml's quantize_<t> functions take them as quant_weights; each
// works on one row at a time because most scale the weights by the row's
// (or super-block's) mean square. These follow those functions operation
// for operation.

// weightedCodecs maps a type to its row encoder. Types ggml encodes the
// same with or without weights (Q8_0, the float types) are absent.
var weightedCodecs = map[Type]func(row []float32, dst []byte, qw []float32){
	Q4_0:   quantQ4_0Weighted,
	Q4_1:   quantQ4_1Weighted,
	Q5_0:   quantQ5_0Weighted,
	Q5_1:   quantQ5_1Weighted,
	Q2_K:   quantQ2_KWeighted,
	Q3_K:   quantQ3_KWeighted,
	Q4_K:   quantQ4_KWeighted,
	Q5_K:   quantQ5_KWeighted,
	Q6_K:   quantQ6_KWeighted,
	IQ4_NL: quantIQ4_NLWeighted,
	IQ4_XS: quantIQ4_XSWeighted,
}

// QuantizeRowsWeighted is QuantizeRows guided by an importance matrix of
// nPerRow weights, matching ggml_quantize_chunk with that imatrix. A nil
// imatrix gives QuantizeRows' result; types whose ggml encoder ignores the
// matrix (Q8_0, F16, ...) ignore it here too.
func QuantizeRowsWeighted(t Type, src []float32, nPerRow int, imatrix []float32) ([]byte, error) {
	enc := weightedCodecs[t]
	if imatrix == nil || enc == nil {
		return QuantizeRows(t, src, nPerRow)
	}
	if len(imatrix) != nPerRow {
		return nil, fmt.Errorf("quant: importance matrix has %d weights for rows of %d", len(imatrix), nPerRow)
	}
	if err := checkRows(t, len(src), nPerRow); err != nil {
		return nil, err
	}
	rowBytes := nPerRow / t.BlockSize() * t.TypeSize()
	nRows := len(src) / nPerRow
	dst := make([]byte, nRows*rowBytes)
	forRows(nRows, nPerRow, func(first, last int) {
		for r := first; r < last; r++ {
			enc(src[r*nPerRow:(r+1)*nPerRow], dst[r*rowBytes:(r+1)*rowBytes], imatrix)
		}
	})
	return dst, nil
}

// rowSigma2 is the row's mean square, which the 32-value types add to x*x
// before weighting.
func rowSigma2(row []float32) float32 { return sumSquares(row) / float32(len(row)) }

// eachWeightedBlock calls enc for every 32-value block of row with the
// block's bytes in dst and its importance weights (qw weighted by the
// values, with the row's mean square as ggml adds it).
func eachWeightedBlock(row []float32, dst []byte, blockBytes int, qw []float32, enc func(x []float32, b []byte, weight []float32)) {
	sigma2 := rowSigma2(row)
	var weight [32]float32
	for ib := 0; ib < len(row)/32; ib++ {
		x := row[32*ib : 32*ib+32]
		importanceWeights(weight[:], qw[32*ib:32*ib+32], x, sigma2)
		enc(x, dst[ib*blockBytes:(ib+1)*blockBytes], weight[:])
	}
}

func quantQ4_0Weighted(row []float32, dst []byte, qw []float32) {
	var L [32]int8
	eachWeightedBlock(row, dst, q4_0Bytes, qw, func(x []float32, b []byte, weight []float32) {
		putF16(b, makeQXQuants(8, x, L[:], weight))
		for j := 0; j < 16; j++ {
			b[2+j] = uint8(L[j]) | uint8(L[j+16])<<4
		}
	})
}

func quantQ4_1Weighted(row []float32, dst []byte, qw []float32) {
	var L, laux [32]uint8
	eachWeightedBlock(row, dst, q4_1Bytes, qw, func(x []float32, b []byte, weight []float32) {
		d, negMin := makeQKX2Quants(15, x, weight, L[:], laux[:], -0.9, 0.05, 36, false)
		putF16(b, d)
		putF16(b[2:], -negMin)
		for j := 0; j < 16; j++ {
			b[4+j] = L[j] | L[j+16]<<4
		}
	})
}

// packQ5 stores 5-bit levels as Q5_0/Q5_1 do: qh (4 bytes) then nibbles.
func packQ5(qh, qs []byte, lo, hi func(j int) uint8) {
	var h uint32
	for j := 0; j < 16; j++ {
		q0, q1 := lo(j), hi(j)
		qs[j] = q0&0xf | (q1&0xf)<<4
		h |= uint32(q0&0x10) >> 4 << j
		h |= uint32(q1&0x10) >> 4 << (j + 16)
	}
	binary.LittleEndian.PutUint32(qh, h)
}

func quantQ5_0Weighted(row []float32, dst []byte, qw []float32) {
	var L [32]int8
	eachWeightedBlock(row, dst, q5_0Bytes, qw, func(x []float32, b []byte, weight []float32) {
		putF16(b, makeQXQuants(16, x, L[:], weight))
		packQ5(b[2:6], b[6:22], func(j int) uint8 { return uint8(L[j]) }, func(j int) uint8 { return uint8(L[j+16]) })
	})
}

func quantQ5_1Weighted(row []float32, dst []byte, qw []float32) {
	var L, laux [32]uint8
	eachWeightedBlock(row, dst, q5_1Bytes, qw, func(x []float32, b []byte, weight []float32) {
		d, negMin := makeQKX2Quants(31, x, weight, L[:], laux[:], -0.9, 0.05, 36, false)
		putF16(b, d)
		putF16(b[2:], -negMin)
		packQ5(b[4:8], b[8:24], func(j int) uint8 { return L[j] }, func(j int) uint8 { return L[j+16] })
	})
}

func quantQ2_KWeighted(row []float32, dst []byte, qw []float32) {
	var (
		L            [QK_K]uint8
		laux         [16]uint8
		weight       [16]float32
		scales, mins [16]float32
		sw           [16]float32
		ls, lm       [16]uint8
	)
	for i := 0; i < len(row)/QK_K; i++ {
		x := row[i*QK_K : (i+1)*QK_K]
		b := dst[i*q2KBytes : (i+1)*q2KBytes]
		sigma2 := sumSquares(x) / QK_K
		for j := 0; j < 16; j++ {
			xs := x[16*j : 16*j+16]
			importanceWeights(weight[:], qw[QK_K*i+16*j:QK_K*i+16*j+16], xs, sigma2)
			sw[j] = sum(weight[:])
			scales[j], mins[j] = makeQKX2Quants(3, xs, weight[:], L[16*j:16*j+16], laux[:], -0.9, 0.05, 36, false)
		}
		dm := makeQPQuants(15, scales[:], ls[:], sw[:])
		mm := makeQPQuants(15, mins[:], lm[:], sw[:])
		putF16(b[80:], dm)
		putF16(b[82:], mm)
		for j := 0; j < 16; j++ {
			b[j] = ls[j] | lm[j]<<4
		}
		q2Finish(x, b, &L)
	}
}

func quantQ3_KWeighted(row []float32, dst []byte, qw []float32) {
	var (
		L          [QK_K]int8
		weight     [16]float32
		scales, sw [16]float32
		ls         [16]int8
	)
	for i := 0; i < len(row)/QK_K; i++ {
		x := row[i*QK_K : (i+1)*QK_K]
		b := dst[i*q3KBytes : (i+1)*q3KBytes]
		sigma2 := 2 * sumSquares(x) / QK_K
		for j := 0; j < 16; j++ {
			xs := x[16*j : 16*j+16]
			importanceWeights(weight[:], qw[QK_K*i+16*j:QK_K*i+16*j+16], xs, sigma2)
			sw[j] = sum(weight[:])
			scales[j] = makeQXQuants(4, xs, L[16*j:16*j+16], weight[:])
		}
		sb := b[96:108]
		for j := range sb {
			sb[j] = 0
		}
		dBlock := makeQXQuants(32, scales[:], ls[:], sw[:])
		for j := 0; j < 16; j++ {
			l := uint8(ls[j])
			if j < 8 {
				sb[j] = l & 0xf
			} else {
				sb[j-8] |= (l & 0xf) << 4
			}
			sb[j%4+8] |= (l >> 4) << (2 * (j / 4))
		}
		putF16(b[108:], dBlock)
		q3Finish(x, b, &L)
	}
}

// kSubScalesWeighted is the imatrix version of kSubScales: weights from
// the importance matrix, make_qkx3_quants' parameters, and each
// sub-block's weight total for the second-level fit.
func kSubScalesWeighted(x, qw []float32, nmax int32, L *[QK_K]uint8, scales, mins, sw *[8]float32) {
	var weight [32]float32
	var laux [32]uint8
	sigma2 := 2 * sumSquares(x) / QK_K
	for j := 0; j < 8; j++ {
		xs := x[32*j : 32*j+32]
		importanceWeights(weight[:], qw[32*j:32*j+32], xs, sigma2)
		sw[j] = sum(weight[:])
		scales[j], mins[j] = makeQKX2Quants(nmax, xs, weight[:], L[32*j:32*j+32], laux[:], -0.9, 0.05, 36, false)
	}
}

func quantQ4_KWeighted(row []float32, dst []byte, qw []float32) {
	var (
		L                [QK_K]uint8
		scales, mins, sw [8]float32
		ls, lm           [8]uint8
	)
	for i := 0; i < len(row)/QK_K; i++ {
		x := row[i*QK_K : (i+1)*QK_K]
		b := dst[i*q4KBytes : (i+1)*q4KBytes]
		kSubScalesWeighted(x, qw[QK_K*i:QK_K*(i+1)], 15, &L, &scales, &mins, &sw)
		dBlock := makeQPQuants(63, scales[:], ls[:], sw[:])
		mBlock := makeQPQuants(63, mins[:], lm[:], sw[:])
		putKScaleMin(b[4:16], &ls, &lm)
		putF16(b, dBlock)
		putF16(b[2:], mBlock)
		kRequantize(x, b, 15, &L)
		packQ4K(b[16:144], &L)
	}
}

func quantQ5_KWeighted(row []float32, dst []byte, qw []float32) {
	var (
		L                [QK_K]uint8
		scales, mins, sw [8]float32
		ls, lm           [8]uint8
	)
	for i := 0; i < len(row)/QK_K; i++ {
		x := row[i*QK_K : (i+1)*QK_K]
		b := dst[i*q5KBytes : (i+1)*q5KBytes]
		kSubScalesWeighted(x, qw[QK_K*i:QK_K*(i+1)], 31, &L, &scales, &mins, &sw)
		dBlock := makeQPQuants(63, scales[:], ls[:], sw[:])
		mBlock := makeQPQuants(63, mins[:], lm[:], sw[:])
		for j := range ls {
			ls[j], lm[j] = min(63, ls[j]), min(63, lm[j]) // Q5_K clamps, Q4_K does not
		}
		putKScaleMin(b[4:16], &ls, &lm)
		putF16(b, dBlock)
		putF16(b[2:], mBlock)
		kRequantize(x, b, 31, &L)
		packQ5K(b[16:48], b[48:176], &L)
	}
}

func quantQ6_KWeighted(row []float32, dst []byte, qw []float32) {
	var (
		L      [QK_K]int8
		scales [16]float32
	)
	for i := 0; i < len(row)/QK_K; i++ {
		x := row[i*QK_K : (i+1)*QK_K]
		b := dst[i*q6KBytes : (i+1)*q6KBytes]
		var maxScale, maxAbsScale float32
		for ib := 0; ib < 16; ib++ {
			// Q6_K passes the raw imatrix weights, without the sigma2 term.
			w := qw[QK_K*i+16*ib : QK_K*i+16*ib+16]
			scales[ib] = makeQXQuants(32, x[16*ib:16*ib+16], L[16*ib:16*ib+16], w)
			if a := fabsf(scales[ib]); a > maxAbsScale {
				maxAbsScale, maxScale = a, scales[ib]
			}
		}
		q6Finish(x, b, &L, &scales, maxScale, maxAbsScale)
	}
}

// iq4Weights is quantize_row_iq4_nl_impl's weighting: sigma2 is twice the
// mean square over the whole (super-)block x.
func iq4Weights(w, qw, x []float32) {
	sigma2 := sumSquares(x) * (2 / float32(len(x)))
	importanceWeights(w, qw, x, sigma2)
}

func quantIQ4_NLWeighted(row []float32, dst []byte, qw []float32) {
	var (
		L      [32]uint8
		weight [32]float32
	)
	for i := 0; i < len(row)/32; i++ {
		x := row[i*32 : (i+1)*32]
		iq4Weights(weight[:], qw[32*i:32*i+32], x)
		iq4NLBlock(x, dst[i*iq4NLBytes:(i+1)*iq4NLBytes], weight[:], L[:])
	}
}

func quantIQ4_XSWeighted(row []float32, dst []byte, qw []float32) {
	var weight [QK_K]float32
	for i := 0; i < len(row)/QK_K; i++ {
		x := row[i*QK_K : (i+1)*QK_K]
		iq4Weights(weight[:], qw[QK_K*i:QK_K*(i+1)], x)
		iq4XSBlock(x, dst[i*iq4XSBytes:(i+1)*iq4XSBytes], weight[:])
	}
}
