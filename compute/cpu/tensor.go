package cpu

import (
	"fmt"
	"unsafe"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/quant"
)

// tensor is the CPU backend's storage: F32 values for activations (and for
// F32 weights whose bytes are aligned), raw block bytes for everything else.
type tensor struct {
	dtype      quant.Type
	rows, cols int
	f32        []float32 // F32 tensors: rows*cols values
	raw        []byte    // other weights: rows*rowBytes bytes, read-only
	f16        []uint16  // F16 KV pools (AllocKV): rows*cols values
	rowBytes   int
	deq        func(src []byte, dst []float32) // non-F32 weights
}

func (t *tensor) DType() quant.Type { return t.dtype }
func (t *tensor) Rows() int         { return t.rows }
func (t *tensor) Cols() int         { return t.cols }

func (t *tensor) row(r int) []float32 { return t.f32[r*t.cols : (r+1)*t.cols] }

func (t *tensor) rawRow(r int) []byte { return t.raw[r*t.rowBytes : (r+1)*t.rowBytes] }

// f32Of unwraps a tensor of this backend holding F32 values.
func f32Of(t compute.Tensor) *tensor {
	ct, ok := t.(*tensor)
	if !ok {
		panic(fmt.Sprintf("cpu: tensor of another backend (%T)", t))
	}
	if ct.f32 == nil && ct.rows*ct.cols != 0 {
		panic(fmt.Sprintf("cpu: op needs an F32 tensor, got %v", ct.dtype))
	}
	return ct
}

func anyOf(t compute.Tensor) *tensor {
	ct, ok := t.(*tensor)
	if !ok {
		panic(fmt.Sprintf("cpu: tensor of another backend (%T)", t))
	}
	return ct
}

func (b *Backend) Alloc(rows, cols int) compute.Tensor {
	return &tensor{dtype: quant.F32, rows: rows, cols: cols, f32: make([]float32, rows*cols)}
}

func (b *Backend) Upload(rows, cols int, data []float32) compute.Tensor {
	if len(data) != rows*cols {
		panic(fmt.Sprintf("cpu: Upload of %d values as %dx%d", len(data), rows, cols))
	}
	t := b.Alloc(rows, cols).(*tensor)
	copy(t.f32, data)
	return t
}

// Weight keeps data as is. F32 data that is 4-byte aligned is viewed as
// []float32 in place; unaligned F32 data (possible in safetensors files) is
// copied once.
func (b *Backend) Weight(t quant.Type, rows, cols int, data []byte) (compute.Tensor, error) {
	if !t.Known() {
		return nil, fmt.Errorf("unknown tensor type %v", t)
	}
	rb, err := quant.RowBytes(t, int64(cols))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != rb*int64(rows) {
		return nil, fmt.Errorf("%v tensor %dx%d needs %d bytes, have %d", t, rows, cols, rb*int64(rows), len(data))
	}
	deq, ok := dequantizerFor(t)
	if !ok && t != quant.F32 {
		return nil, quant.UnsupportedError{Type: t}
	}
	w := &tensor{dtype: t, rows: rows, cols: cols, rowBytes: int(rb)}
	if t == quant.F32 {
		n := rows * cols
		if n == 0 {
			w.f32 = []float32{}
		} else if uintptr(unsafe.Pointer(&data[0]))%4 == 0 {
			w.f32 = unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), n)
		} else {
			w.f32 = make([]float32, n)
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&w.f32[0])), 4*n), data)
		}
		return w, nil
	}
	w.raw = data
	w.deq = deq
	return w, nil
}

func (b *Backend) Download(t compute.Tensor, rows []int, dst []float32) {
	ct := f32Of(t)
	if rows == nil {
		copy(dst, ct.f32)
		return
	}
	for i, r := range rows {
		copy(dst[i*ct.cols:(i+1)*ct.cols], ct.row(r))
	}
}

func (b *Backend) Reshape(t compute.Tensor, rows, cols int) compute.Tensor {
	ct := f32Of(t)
	if rows*cols != ct.rows*ct.cols {
		panic(fmt.Sprintf("cpu: Reshape %dx%d to %dx%d", ct.rows, ct.cols, rows, cols))
	}
	return &tensor{dtype: quant.F32, rows: rows, cols: cols, f32: ct.f32}
}
