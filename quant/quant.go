package quant

import "fmt"

// A codec converts whole blocks of one type. The slices it gets are already
// checked to hold the same number of blocks.
type codec struct {
	dequantize func(src []byte, dst []float32)
	quantize   func(src []float32, dst []byte) // nil: decode only
}

var codecs = map[Type]codec{
	F32:    {dequantF32, quantF32},
	F16:    {dequantF16, quantF16},
	BF16:   {dequantBF16, quantBF16},
	Q4_0:   {dequantQ4_0, quantQ4_0},
	Q4_1:   {dequantQ4_1, quantQ4_1},
	Q5_0:   {dequantQ5_0, quantQ5_0},
	Q5_1:   {dequantQ5_1, quantQ5_1},
	Q8_0:   {dequantQ8_0, quantQ8_0},
	Q8_1:   {dequantQ8_1, quantQ8_1},
	Q2_K:   {dequantQ2_K, quantQ2_K},
	Q3_K:   {dequantQ3_K, quantQ3_K},
	Q4_K:   {dequantQ4_K, quantQ4_K},
	Q5_K:   {dequantQ5_K, quantQ5_K},
	Q6_K:   {dequantQ6_K, quantQ6_K},
	Q8_K:   {dequantQ8_K, quantQ8_K},
	IQ4_NL: {dequantIQ4_NL, quantIQ4_NL},
	IQ4_XS: {dequantIQ4_XS, quantIQ4_XS},
	Q1_0:   {dequantQ1_0, quantQ1_0},
	// decode only: their encoders need an importance matrix or are rarely used
	IQ2_XXS: {dequantIQ2_XXS, nil},
	IQ2_XS:  {dequantIQ2_XS, nil},
	IQ2_S:   {dequantIQ2_S, nil},
	IQ3_XXS: {dequantIQ3_XXS, nil},
	IQ3_S:   {dequantIQ3_S, nil},
	IQ1_S:   {dequantIQ1_S, nil},
	IQ1_M:   {dequantIQ1_M, nil},
	TQ1_0:   {dequantTQ1_0, nil},
	TQ2_0:   {dequantTQ2_0, nil},
	MXFP4:   {dequantMXFP4, nil},
	NVFP4:   {dequantNVFP4, nil},
}

// CanDequantize reports whether Dequantize handles t.
func CanDequantize(t Type) bool { return codecs[t].dequantize != nil }

// CanQuantize reports whether Quantize handles t.
func CanQuantize(t Type) bool { return codecs[t].quantize != nil }

// Dequantize decodes src, a whole number of blocks of type t, into dst,
// which must have room for exactly that many elements. The result is
// bit-identical to ggml's dequantize_row_* for the type (ggml has none for
// Q8_1, which decodes as d*q).
func Dequantize(t Type, src []byte, dst []float32) error {
	c := codecs[t]
	if c.dequantize == nil {
		return UnsupportedError{t}
	}
	bs, ts := t.BlockSize(), t.TypeSize()
	if len(src)%ts != 0 {
		return fmt.Errorf("quant: %d bytes is not a whole number of %s blocks of %d bytes", len(src), t, ts)
	}
	if n := len(src) / ts * bs; len(dst) != n {
		return fmt.Errorf("quant: %d bytes of %s decode to %d values, destination holds %d", len(src), t, n, len(dst))
	}
	c.dequantize(src, dst)
	return nil
}

// Quantize encodes src, whose length must be a multiple of t's block size,
// into dst, which must be exactly RowBytes(t, len(src)) long. The bytes are
// those ggml_quantize_chunk writes without an importance matrix, i.e. what
// llama-quantize puts in a GGUF file; for the activation formats Q8_1 and
// Q8_K, which that function does not take, those of quantize_row_*_ref.
func Quantize(t Type, src []float32, dst []byte) error {
	c := codecs[t]
	if c.quantize == nil {
		return UnsupportedError{t}
	}
	bs, ts := t.BlockSize(), t.TypeSize()
	if len(src)%bs != 0 {
		return fmt.Errorf("quant: %d values is not a multiple of %s's block size %d", len(src), t, bs)
	}
	if n := len(src) / bs * ts; len(dst) != n {
		return fmt.Errorf("quant: %d values of %s encode to %d bytes, destination holds %d", len(src), t, n, len(dst))
	}
	c.quantize(src, dst)
	return nil
}

// QuantizeRows encodes a matrix of rows of nPerRow values each and returns
// the rows' bytes back to back. nPerRow must be a multiple of the block
// size; blocks never straddle rows. Large matrices are encoded on several
// goroutines; the bytes are the same either way.
func QuantizeRows(t Type, src []float32, nPerRow int) ([]byte, error) {
	if !CanQuantize(t) {
		return nil, UnsupportedError{t}
	}
	if err := checkRows(t, len(src), nPerRow); err != nil {
		return nil, err
	}
	// Without an importance matrix every ggml encoder works block by block,
	// so a matrix encodes the same as one long row, and rows can go in
	// parallel.
	rowBytes := nPerRow / t.BlockSize() * t.TypeSize()
	nRows := len(src) / nPerRow
	dst := make([]byte, nRows*rowBytes)
	quantize := codecs[t].quantize
	forRows(nRows, nPerRow, func(first, last int) {
		quantize(src[first*nPerRow:last*nPerRow], dst[first*rowBytes:last*rowBytes])
	})
	return dst, nil
}

// checkRows reports whether n values split into whole rows of nPerRow,
// each a whole number of t's blocks.
func checkRows(t Type, n, nPerRow int) error {
	if nPerRow <= 0 || nPerRow%t.BlockSize() != 0 {
		return fmt.Errorf("quant: row length %d is not a positive multiple of %s's block size %d", nPerRow, t, t.BlockSize())
	}
	if n%nPerRow != 0 {
		return fmt.Errorf("quant: %d values is not a whole number of rows of %d", n, nPerRow)
	}
	return nil
}
