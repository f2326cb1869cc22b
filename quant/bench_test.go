package quant

import (
	"math/rand/v2"
	"testing"
)

var benchTypes = []Type{F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS,
	IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M, MXFP4}

func benchRows(n int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64()) * 0.02
	}
	return x
}

// benchBlocks encodes typical weights; decode-only types get random blocks
// with a sane scale.
func benchBlocks(b *testing.B, t Type, x []float32) []byte {
	if CanQuantize(t) {
		q, err := QuantizeRows(t, x, len(x))
		if err != nil {
			b.Fatal(err)
		}
		return q
	}
	r := rand.New(rand.NewPCG(3, 4))
	q := make([]byte, len(x)/t.BlockSize()*t.TypeSize())
	for i := range q {
		q[i] = byte(r.Uint32())
	}
	if offs, ok := f16ScaleOffsets[t]; ok {
		for i := 0; i < len(q); i += t.TypeSize() {
			putF16(q[i+offs[0]:], 0.001)
		}
	}
	return q
}

// BenchmarkDequantize reports throughput in source bytes per second and in
// decoded values per second (Mvals/s).
func BenchmarkDequantize(b *testing.B) {
	const n = 1 << 18
	x := benchRows(n)
	dst := make([]float32, n)
	for _, t := range benchTypes {
		q := benchBlocks(b, t, x)
		b.Run(t.String(), func(b *testing.B) {
			b.SetBytes(int64(len(q)))
			for b.Loop() {
				if err := Dequantize(t, q, dst); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvals/s")
		})
	}
}

func BenchmarkQuantize(b *testing.B) {
	const n = 1 << 16
	x := benchRows(n)
	for _, t := range []Type{Q4_0, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K} {
		dst := make([]byte, n/t.BlockSize()*t.TypeSize())
		b.Run(t.String(), func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				if err := Quantize(t, x, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
