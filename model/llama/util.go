package llama

import (
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

func dequantize(info model.WeightInfo, data []byte, dst []float32) error {
	return quant.Dequantize(info.Type, data, dst)
}
