package model

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/quant"
)

// memWeights serves tensors from memory under their HF names.
type memWeights map[string]struct {
	info WeightInfo
	data []byte
}

func (m memWeights) Info(n string) (WeightInfo, bool)        { w, ok := m[n]; return w.info, ok }
func (m memWeights) Data(n string) ([]byte, error)           { return m[n].data, nil }
func (m memWeights) Describe(n string) string                { return n }
func (m memWeights) Extra(string) (WeightInfo, []byte, bool) { return WeightInfo{}, nil, false }
func (m memWeights) Close() error                            { return nil }

// A matrix stored in a type no kernel can read is refused in the words every
// loader uses: "unsupported quantization type X in tensor Y".
func TestBinderUnsupportedType(t *testing.T) {
	be := cpu.New(1)
	defer be.Close()
	w := memWeights{
		"a.weight": {WeightInfo{Type: quant.I32, Shape: []int64{2, 4}}, make([]byte, 2*4*4)},
		"b.weight": {WeightInfo{Type: quant.Q8_0, Shape: []int64{2, 32}}, make([]byte, 2*34)},
	}
	b := &Binder{Backend: be, Weights: w}
	if b.Matrix("a.weight", 2, 4) != nil {
		t.Fatal("an I32 matrix was bound")
	}
	if b.Matrix("b.weight", 2, 32) == nil {
		t.Fatalf("a Q8_0 matrix was refused: %v", b.Err())
	}
	err := b.Err()
	if err == nil || !errors.Is(err, quant.ErrUnsupported) ||
		!strings.Contains(err.Error(), "unsupported quantization type I32 in tensor a.weight") {
		t.Fatalf("error %v", err)
	}
}
