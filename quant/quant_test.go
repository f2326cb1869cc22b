package quant

import (
	"errors"
	"fmt"
	"testing"
)

var fixtureNames = []string{
	"q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q8_1",
	"q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "q8_k", "iq4_nl", "iq4_xs", "q1_0",
	"iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq1_s", "iq1_m",
	"tq1_0", "tq2_0", "mxfp4", "nvfp4",
}

// TestMatchesGGML checks every fixture case: our encoding against ggml's
// (ggml_quantize_chunk and the _ref row function), our decoding of ggml's
// bytes against ggml's floats.
func TestMatchesGGML(t *testing.T) {
	for _, name := range fixtureNames {
		fx := loadQuantFixture(t, name+".bin.gz")
		typ := fx.typ
		t.Run(typ.String(), func(t *testing.T) {
			for ci, c := range fx.cases {
				label := fmt.Sprintf("case %d (%d×%d)", ci, c.nRows, c.nPerRow)
				// IQ4_NL's _ref differs from the chunk path by design (see iq4_quant.go).
				if c.chunk != nil && c.ref != nil && string(c.chunk) != string(c.ref) && typ != IQ4_NL {
					t.Errorf("%s: ggml's chunk and _ref encodings differ", label)
				}
				if CanQuantize(typ) && c.src != nil {
					got, err := QuantizeRowsWeighted(typ, c.src, c.nPerRow, c.imatrix)
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					for _, want := range []struct {
						name string
						b    []byte
					}{{"ggml_quantize_chunk", c.chunk}, {"quantize_row_ref", c.ref}} {
						if want.b == nil || (typ == IQ4_NL && want.name == "quantize_row_ref") {
							continue
						}
						if d := firstByteDiff(got, want.b, typ.TypeSize()); d != "" {
							t.Errorf("%s: encoding differs from %s: %s", label, want.name, d)
						}
					}
				}
				enc := c.chunk
				if enc == nil {
					enc = c.ref
				}
				if enc == nil {
					enc = c.raw
				}
				if c.deq == nil && c.deqHash == 0 {
					continue
				}
				got := make([]float32, c.nPerRow*c.nRows)
				if err := Dequantize(typ, enc, got); err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				if c.deq == nil {
					if h := hashFloats(got); h != c.deqHash {
						t.Errorf("%s: decoding of %d random blocks differs from ggml (hash %#x, want %#x)",
							label, len(enc)/typ.TypeSize(), h, c.deqHash)
					}
				} else if d := firstFloatDiff(got, c.deq); d != "" {
					t.Errorf("%s: decoding differs from ggml: %s", label, d)
				}
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	err := Dequantize(I32, make([]byte, 4), make([]float32, 1))
	var ue UnsupportedError
	if !errors.As(err, &ue) || ue.Type != I32 {
		t.Fatalf("got %v, want UnsupportedError{I32}", err)
	}
	if got, want := err.Error(), "unsupported quantization type I32"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	wrapped := InTensor(err, "blk.0.ffn_up.weight")
	if got, want := wrapped.Error(), "unsupported quantization type I32 in tensor blk.0.ffn_up.weight"; got != want {
		t.Errorf("InTensor: %q, want %q", got, want)
	}
	if !errors.Is(wrapped, ErrUnsupported) || !errors.As(wrapped, &ue) {
		t.Errorf("InTensor result does not unwrap to the UnsupportedError")
	}
	if InTensor(nil, "x") != nil {
		t.Errorf("InTensor(nil) != nil")
	}
	if err := Quantize(IQ2_XXS, make([]float32, 256), make([]byte, 66)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Quantize(IQ2_XXS) = %v, want unsupported", err)
	}
	if _, err := QuantizeRows(Type(99), make([]float32, 32), 32); !errors.Is(err, ErrUnsupported) {
		t.Errorf("QuantizeRows(99) = %v, want unsupported", err)
	}
}

func TestSizeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"partial block", Dequantize(Q4_0, make([]byte, 17), make([]float32, 32))},
		{"short dst", Dequantize(Q4_0, make([]byte, 36), make([]float32, 32))},
		{"ragged src", Quantize(Q8_0, make([]float32, 33), make([]byte, 34))},
		{"wrong dst", Quantize(Q8_0, make([]float32, 32), make([]byte, 35))},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := QuantizeRows(Q4_K, make([]float32, 512), 128); err == nil {
		t.Errorf("row not a multiple of the block: no error")
	}
	if _, err := QuantizeRows(Q4_0, make([]float32, 96), 64); err == nil {
		t.Errorf("ragged rows: no error")
	}
	if _, err := QuantizeRows(Q4_0, make([]float32, 96), 0); err == nil {
		t.Errorf("zero row length: no error")
	}
	if _, err := QuantizeRowsWeighted(Q4_K, make([]float32, 512), 256, make([]float32, 255)); err == nil {
		t.Errorf("short imatrix: no error")
	}
	if _, err := QuantizeRowsWeighted(Q4_K, make([]float32, 500), 250, make([]float32, 250)); err == nil {
		t.Errorf("row not a multiple of the block (weighted): no error")
	}
	if _, err := QuantizeRowsWeighted(Q6_K, make([]float32, 384), 256, make([]float32, 256)); err == nil {
		t.Errorf("ragged rows (weighted): no error")
	}
	// Q8_0 ignores the matrix, as ggml does.
	x := benchRows(64)
	a, _ := QuantizeRows(Q8_0, x, 64)
	b, err := QuantizeRowsWeighted(Q8_0, x, 64, make([]float32, 64))
	if err != nil || string(a) != string(b) {
		t.Errorf("Q8_0 with an imatrix: %v / differs", err)
	}
}

// TestParallelRowsMatchSerial: the goroutine split must not change bytes.
func TestParallelRowsMatchSerial(t *testing.T) {
	const nPerRow, nRows = 512, 160 // above parallelMinValues
	x := benchRows(nPerRow * nRows)
	imatrix := benchRows(nPerRow)
	for i := range imatrix {
		imatrix[i] = imatrix[i]*imatrix[i] + 0.01
	}
	for _, typ := range []Type{Q4_0, Q4_K, Q6_K, IQ4_XS} {
		got, err := QuantizeRows(typ, x, nPerRow)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, len(got))
		if err := Quantize(typ, x, want); err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%v: QuantizeRows differs from Quantize", typ)
		}
		gotW, err := QuantizeRowsWeighted(typ, x, nPerRow, imatrix)
		if err != nil {
			t.Fatal(err)
		}
		rowBytes := len(got) / nRows
		for r := 0; r < nRows; r += 37 {
			one, _ := QuantizeRowsWeighted(typ, x[r*nPerRow:(r+1)*nPerRow], nPerRow, imatrix)
			if string(one) != string(gotW[r*rowBytes:(r+1)*rowBytes]) {
				t.Errorf("%v: weighted row %d differs when encoded alone", typ, r)
			}
		}
	}
}
