package quant_test

import (
	"errors"
	"fmt"

	"github.com/ferrum-go/ferrum/quant"
)

func ExampleQuantizeRows() {
	// Two rows of 64 values, encoded as Q8_0 (blocks of 32 values, 34 bytes).
	x := make([]float32, 128)
	for i := range x {
		x[i] = float32(i%64-32) / 8
	}
	q, err := quant.QuantizeRows(quant.Q8_0, x, 64)
	if err != nil {
		panic(err)
	}
	y := make([]float32, len(x))
	if err := quant.Dequantize(quant.Q8_0, q, y); err != nil {
		panic(err)
	}
	fmt.Printf("%d bytes; %v decodes as %.4f\n", len(q), x[33], y[33])
	// Output: 136 bytes; 0.125 decodes as 0.1221
}

func ExampleInTensor() {
	// IQ2_XXS decodes, but its encoder needs an importance matrix.
	err := quant.Quantize(quant.IQ2_XXS, make([]float32, 256), make([]byte, 66))
	err = quant.InTensor(err, "blk.0.attn_q.weight")
	fmt.Println(err)
	fmt.Println(errors.Is(err, quant.ErrUnsupported))
	// Output:
	// unsupported quantization type IQ2_XXS in tensor blk.0.attn_q.weight
	// true
}
