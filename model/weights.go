package model

import (
	"fmt"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/quant"
)

// WeightInfo is a stored tensor's element type and shape in HF order
// (outermost first: a Linear weight is [out, in]).
type WeightInfo struct {
	Type  quant.Type
	Shape []int64
	// FileType names the stored type when Type is not one ferrum reads
	// (a safetensors I64 tensor, say), for the error message.
	FileType string
}

// Weights is a checkpoint seen through HF tensor names, whatever the file
// format: models bind every weight by its HF name (invariant 3).
type Weights interface {
	Info(hfName string) (WeightInfo, bool)
	// Data is the tensor's bytes in the file (mmap'd, read-only).
	Data(hfName string) ([]byte, error)
	// Describe names a tensor for error messages, as the file spells it.
	Describe(hfName string) string
	// Extra returns a tensor that has no HF name (GGUF's rope_freqs).
	Extra(name string) (WeightInfo, []byte, bool)
	Close() error
}

// SafetensorsWeights reads an HF checkpoint (one file or shards).
type SafetensorsWeights struct{ C *safetensors.Checkpoint }

var safetensorsTypes = map[safetensors.DType]quant.Type{
	safetensors.F32: quant.F32, safetensors.F16: quant.F16, safetensors.BF16: quant.BF16,
}

func (w SafetensorsWeights) Info(name string) (WeightInfo, bool) {
	ti, ok := w.C.Info(name)
	if !ok {
		return WeightInfo{}, false
	}
	t, ok := safetensorsTypes[ti.DType]
	if !ok {
		// An unknown Type makes Binder report FileType.
		t = quant.Type(^uint32(0))
	}
	return WeightInfo{Type: t, Shape: ti.Shape, FileType: string(ti.DType)}, true
}

func (w SafetensorsWeights) Data(name string) ([]byte, error) { return w.C.Data(name) }
func (w SafetensorsWeights) Describe(name string) string      { return name }
func (w SafetensorsWeights) Extra(string) (WeightInfo, []byte, bool) {
	return WeightInfo{}, nil, false
}
func (w SafetensorsWeights) Close() error { return w.C.Close() }

// GGUFWeights reads a GGUF file through the HF<->GGUF name mapping.
type GGUFWeights struct{ F *gguf.File }

func (w GGUFWeights) tensor(hfName string) (*gguf.TensorInfo, bool) {
	g, ok := HFToGGUF(hfName)
	if !ok {
		return nil, false
	}
	return w.F.Tensor(g)
}

func infoOf(t *gguf.TensorInfo) WeightInfo {
	shape := make([]int64, len(t.Dims))
	for i, d := range t.Dims {
		shape[len(t.Dims)-1-i] = d // ne order is innermost first
	}
	return WeightInfo{Type: t.Type, Shape: shape}
}

func (w GGUFWeights) Info(name string) (WeightInfo, bool) {
	t, ok := w.tensor(name)
	if !ok {
		return WeightInfo{}, false
	}
	return infoOf(t), true
}

func (w GGUFWeights) Data(name string) ([]byte, error) {
	t, ok := w.tensor(name)
	if !ok {
		return nil, fmt.Errorf("%s: no tensor %s", w.F.Path, w.Describe(name))
	}
	return w.F.Data(t), nil
}

func (w GGUFWeights) Describe(name string) string {
	if g, ok := HFToGGUF(name); ok {
		return g + " (" + name + ")"
	}
	return name
}

func (w GGUFWeights) Extra(name string) (WeightInfo, []byte, bool) {
	t, ok := w.F.Tensor(name)
	if !ok {
		return WeightInfo{}, nil, false
	}
	return infoOf(t), w.F.Data(t), true
}

func (w GGUFWeights) Close() error { return w.F.Close() }
