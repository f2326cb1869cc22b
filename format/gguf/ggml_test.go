package gguf

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/quant"
)

const fixtures = "../../testdata/gguf"

var ggmlFixtures = []string{"ggml_types", "ggml_align64", "ggml_notensors"}

// Our reader's view of files written by ggml must equal ggml's own view,
// recorded by the C program described in testdata/gguf/README.md.
func TestReadMatchesGGML(t *testing.T) {
	for _, name := range append(ggmlFixtures, "ferrum_written") {
		t.Run(name, func(t *testing.T) {
			f, err := Open(filepath.Join(fixtures, name+".gguf"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want, err := os.ReadFile(filepath.Join(fixtures, name+".ggml.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got := dump(f)
			if got != string(want) {
				diffLines(t, got, string(want))
			}
		})
	}
}

func diffLines(t *testing.T, got, want string) {
	t.Helper()
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("line %d:\n ours: %s\n ggml: %s", i+1, gl, wl)
		}
	}
}

// Spot checks of the typed getters against the values the C program set.
func TestGGMLFixtureValues(t *testing.T) {
	f, err := Open(filepath.Join(fixtures, "ggml_types.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := f.Metadata
	mustEqual(t, "architecture", must(m.String("general.architecture")), "llama")
	mustEqual(t, "context_length", must(m.Uint("llama.context_length")), uint64(4096))
	mustEqual(t, "u8", must(m.Uint("test.u8")), uint64(255))
	mustEqual(t, "i8", must(m.Int("test.i8")), int64(-128))
	mustEqual(t, "u16", must(m.Uint("test.u16")), uint64(65535))
	mustEqual(t, "i16", must(m.Int("test.i16")), int64(-32768))
	mustEqual(t, "u32", must(m.Uint("test.u32")), uint64(math.MaxUint32))
	mustEqual(t, "i32", must(m.Int("test.i32")), int64(math.MinInt32))
	mustEqual(t, "u64", must(m.Uint("test.u64")), uint64(math.MaxUint64))
	mustEqual(t, "i64", must(m.Int("test.i64")), int64(math.MinInt64))
	mustEqual(t, "f32", must(m.Float("test.f32")), float64(float32(3.14159274)))
	mustEqual(t, "f64", must(m.Float("test.f64")), -2.718281828459045)
	mustEqual(t, "bool", must(m.Bool("test.bool_true")), true)
	mustEqual(t, "bool", must(m.Bool("test.bool_false")), false)
	mustEqual(t, "str_empty", must(m.String("test.str_empty")), "")
	mustEqual(t, "str_utf8", must(m.String("test.str_utf8")), "héllo 世界 😀 \"q\" \\ tab\there\nnl")
	mustEqual(t, "arr_i8", fmt.Sprint(must(m.Ints("test.arr_i8"))), "[-128 -1 0 127]")
	mustEqual(t, "arr_u64 len", must(m.ArrayLen("test.arr_u64")), 2)
	mustEqual(t, "arr_empty", len(must(m.Ints("test.arr_empty_i32"))), 0)
	mustEqual(t, "arr_f32[3]", must(m.Floats("test.arr_f32"))[3], math.Inf(1))
	strs := must(m.Strings("test.arr_str"))
	mustEqual(t, "arr_str", strings.Join(strs, "|"), "|a|世界")
	tokens := must(m.Strings("tokenizer.ggml.tokens"))
	mustEqual(t, "tokens", len(tokens), 8)
	mustEqual(t, "token 3", tokens[3], "\u2581the")
	bools, _ := m.Get("test.arr_bool")
	mustEqual(t, "arr_bool", bools.Any().([]bool)[0], true)

	// Wrong types name the key and the type found.
	_, err = m.Uint("general.architecture")
	wantErr(t, err, "general.architecture", "is string")
	_, err = m.Strings("test.arr_i32")
	wantErr(t, err, "test.arr_i32", "array[int32]", "want array[string]")
	_, err = m.Uint("test.i8")
	wantErr(t, err, "test.i8", "-128", "non-negative")
	_, err = m.Int("test.u64")
	wantErr(t, err, "test.u64", "too large")
	_, err = m.String("no.such.key")
	wantErr(t, err, "no.such.key", "not found")

	if len(f.Tensors) != 13 {
		t.Fatalf("%d tensors, want 13", len(f.Tensors))
	}
	emb, ok := f.Tensor("token_embd.weight")
	if !ok || emb.Type != quant.F32 || len(emb.Dims) != 2 || emb.Dims[0] != 64 || emb.Dims[1] != 8 || emb.Size != 64*8*4 {
		t.Fatalf("token_embd.weight = %+v", emb)
	}
	// The C program filled F32 tensors with sin(0.37 i + seed) * (1 + 0.01 (i mod 17)); seed 1 here.
	data := f.Data(emb)
	for i := 0; i < 64*8; i++ {
		got := math.Float32frombits(uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24)
		want := math.Sin(float64(float32(0.37)*float32(i)+1)) * float64(float32(1)+float32(0.01)*float32(i%17))
		if math.Abs(float64(got)-want) > 1e-6 {
			t.Fatalf("token_embd.weight[%d] = %g, want %g", i, got, want)
		}
	}
	q6, _ := f.Tensor("blk.0.ffn_down.weight")
	mustEqual(t, "Q6_K type", q6.Type, quant.Q6_K)
	mustEqual(t, "Q6_K size", q6.Size, int64(210))
	exps, _ := f.Tensor("blk.0.ffn_gate_exps.weight")
	mustEqual(t, "3-D dims", len(exps.Dims), 3)
	mustEqual(t, "3-D elements", exps.Elements(), int64(32*2*3))
}

// Copying a ggml-written file through our writer must reproduce it byte for
// byte: same layout, same padding, same encoding of every value type.
func TestWriterReproducesGGML(t *testing.T) {
	for _, name := range ggmlFixtures {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(fixtures, name+".gguf")
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(path, orig)
			if err != nil {
				t.Fatal(err)
			}
			w := NewWriter()
			for _, kv := range f.Metadata.KVs() {
				if err := w.Set(kv.Key, kv.Value); err != nil {
					t.Fatal(err)
				}
			}
			for i := range f.Tensors {
				ti := &f.Tensors[i]
				if err := w.AddTensor(ti.Name, ti.Type, ti.Dims, f.Data(ti)); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if _, err := w.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), orig) {
				i := 0
				for i < len(orig) && i < buf.Len() && orig[i] == buf.Bytes()[i] {
					i++
				}
				t.Fatalf("output differs from ggml's at byte %d (ours %d bytes, ggml %d)", i, buf.Len(), len(orig))
			}
		})
	}
}
