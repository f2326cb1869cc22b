package ref

import "github.com/ferrum-go/ferrum/quant"

// RoundF16 returns x with every value rounded to F16 (nearest even) and
// widened back: what an F16 KV pool holds after WriteKV, so that Attention
// over F16 pools is checked as Attention over RoundF16(k), RoundF16(v).
func RoundF16(x []float32) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = quant.F16ToF32(quant.F32ToF16(v))
	}
	return y
}
