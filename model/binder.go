package model

import (
	"errors"
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/quant"
)

// Binder turns named checkpoint tensors into backend tensors, checking each
// shape against the config. It collects every problem instead of stopping
// at the first, so one load reports all missing or misshapen tensors.
type Binder struct {
	Backend compute.Backend
	Weights Weights
	errs    []error
}

// Matrix binds a [rows, cols] weight (a Linear's [out, in]) in its stored
// type: the backend keeps it as is, quantized or not.
func (b *Binder) Matrix(name string, rows, cols int) compute.Tensor {
	info, data, ok := b.lookup(name, rows, cols)
	if !ok {
		return nil
	}
	t, err := b.Backend.Weight(info.Type, rows, cols, data)
	if err != nil {
		b.errs = append(b.errs, tensorErr(b.Weights.Describe(name), err))
		return nil
	}
	return t
}

// Vector binds a 1-D weight of n values (norm scale or bias) as F32.
func (b *Binder) Vector(name string, n int) compute.Tensor {
	info, data, ok := b.lookup(name, n)
	if !ok {
		return nil
	}
	v := make([]float32, n)
	if err := quant.Dequantize(info.Type, data, v); err != nil {
		b.errs = append(b.errs, tensorErr(b.Weights.Describe(name), err))
		return nil
	}
	return b.Backend.Upload(1, n, v)
}

// Has reports whether the checkpoint holds a tensor.
func (b *Binder) Has(name string) bool {
	_, ok := b.Weights.Info(name)
	return ok
}

// Fail records a problem found by the model's own checks.
func (b *Binder) Fail(err error) { b.errs = append(b.errs, err) }

// maxBindErrors bounds the problems Err lists: a checkpoint of another
// architecture misses every tensor, hundreds of lines that say one thing.
const maxBindErrors = 12

// Err joins the problems recorded (the first maxBindErrors, then a count).
func (b *Binder) Err() error {
	if len(b.errs) <= maxBindErrors {
		return errors.Join(b.errs...)
	}
	errs := append(b.errs[:maxBindErrors:maxBindErrors], fmt.Errorf("... and %d more problems", len(b.errs)-maxBindErrors))
	return errors.Join(errs...)
}

func (b *Binder) lookup(name string, shape ...int) (WeightInfo, []byte, bool) {
	info, ok := b.Weights.Info(name)
	if !ok {
		b.errs = append(b.errs, fmt.Errorf("tensor %s is missing (expected shape %v)", b.Weights.Describe(name), shape))
		return info, nil, false
	}
	if !info.Type.Known() {
		b.errs = append(b.errs, fmt.Errorf("tensor %s has element type %s; weights must be F32, F16, BF16 or a GGUF block type", b.Weights.Describe(name), info.FileType))
		return info, nil, false
	}
	if !sameShape(info.Shape, shape) {
		b.errs = append(b.errs, fmt.Errorf("tensor %s has shape %v, expected %v", b.Weights.Describe(name), info.Shape, shape))
		return info, nil, false
	}
	data, err := b.Weights.Data(name)
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("tensor %s: %w", b.Weights.Describe(name), err))
		return info, nil, false
	}
	return info, data, true
}

// sameShape accepts [n] for a vector stored as [1, n] and the reverse.
func sameShape(have []int64, want []int) bool {
	trim := func(s []int64) []int64 {
		for len(s) > 1 && s[0] == 1 {
			s = s[1:]
		}
		return s
	}
	w := make([]int64, len(want))
	for i, v := range want {
		w[i] = int64(v)
	}
	h, w := trim(have), trim(w)
	if len(h) != len(w) {
		return false
	}
	for i := range h {
		if h[i] != w[i] {
			return false
		}
	}
	return true
}

// tensorErr names the tensor an error is about; an unsupported type reads
// "unsupported quantization type X in tensor Y", the wording every loader uses.
func tensorErr(tensor string, err error) error {
	if errors.Is(err, quant.ErrUnsupported) {
		return quant.InTensor(err, tensor)
	}
	return fmt.Errorf("tensor %s: %w", tensor, err)
}
