package gguf

import (
	"bytes"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ferrum-go/ferrum/quant"
)

var update = flag.Bool("update", false, "rewrite testdata/gguf/ferrum_written.gguf (then re-run ggml's check, see README)")

// pseudoRandom returns n deterministic bytes; any bit pattern is a valid
// payload for loading, which is all the fixture needs.
func pseudoRandom(n int, seed uint32) []byte {
	b := make([]byte, n)
	x := seed*2654435761 + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

// writerFixture holds every scalar and (non-nested) array type, since ggml
// reads no arrays of arrays, and tensors of several types with a custom
// alignment of 16.
func writerFixture(t testing.TB) *Writer {
	w := NewWriter()
	set := func(k string, v any) {
		if err := w.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	set("general.architecture", "qwen3")
	set("general.alignment", uint32(16))
	set("general.name", "ferrum writer fixture")
	set("qwen3.context_length", uint32(40960))
	set("qwen3.block_count", uint32(1))
	set("w.u8", uint8(7))
	set("w.i8", int8(-7))
	set("w.u16", uint16(700))
	set("w.i16", int16(-700))
	set("w.u32", uint32(70000))
	set("w.i32", int32(-70000))
	set("w.f32", float32(-0.125))
	set("w.bool", true)
	set("w.str", "Grüße, 世界\t\"q\"")
	set("w.u64", uint64(1)<<40)
	set("w.i64", int64(-1)<<40)
	set("w.f64", math.Pi)
	set("w.arr_u8", []uint8{1, 2})
	set("w.arr_i8", []int8{-1, 2})
	set("w.arr_u16", []uint16{65535})
	set("w.arr_i16", []int16{-2, -3})
	set("w.arr_u32", []uint32{})
	set("w.arr_i32", []int32{5, -6, 7})
	set("w.arr_f32", []float32{float32(math.NaN()), float32(math.Inf(-1)), 1.5})
	set("w.arr_bool", []bool{false, true})
	set("w.arr_str", []string{"", "ab", "\u2581x"})
	set("w.arr_u64", []uint64{math.MaxUint64})
	set("w.arr_i64", []int64{math.MinInt64, 0})
	set("w.arr_f64", []float64{2.5, -1e300})
	set("tokenizer.ggml.tokens", []string{"<unk>", "a", "b"})
	add := func(name string, typ quant.Type, dims ...int64) {
		n := int64(1)
		for _, d := range dims {
			n *= d
		}
		size, err := quant.RowBytes(typ, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(name, typ, dims, pseudoRandom(int(size), uint32(len(name)))); err != nil {
			t.Fatal(err)
		}
	}
	add("token_embd.weight", quant.F16, 8, 3)
	add("blk.0.attn_norm.weight", quant.F32, 7)
	add("blk.0.attn_q.weight", quant.Q8_0, 32, 2)
	add("blk.0.attn_k.weight", quant.Q4_K, 256)
	add("blk.0.attn_v.weight", quant.Q4_0, 32, 1, 2)
	add("blk.0.ffn_up.weight", quant.BF16, 8)
	add("blk.0.ffn_down.weight", quant.Q5_1, 32)
	add("t.i16", quant.I16, 3)
	add("t.4d", quant.F32, 1, 2, 1, 2)
	add("t.empty", quant.F32, 0, 4)
	return w
}

// The committed ferrum_written.gguf was checked with ggml's reader (its dump
// is ferrum_written.ggml.txt, compared in TestReadMatchesGGML); the writer
// must keep producing exactly those bytes.
func TestWriterFixture(t *testing.T) {
	var buf bytes.Buffer
	if _, err := writerFixture(t).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(fixtures, "ferrum_written.gguf")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("writer output (%d bytes) differs from %s (%d bytes)", buf.Len(), path, len(want))
	}
}

func TestRoundTrip(t *testing.T) {
	w := writerFixture(t)
	nested := []Value{
		mustValue(t, []Value{mustValue(t, []string{"x", "y"}), mustValue(t, []int32{})}),
		mustValue(t, []float64{1, 2}),
		mustValue(t, []Value{}),
	}
	if err := w.Set("w.nested", nested); err != nil {
		t.Fatal(err)
	}
	if err := w.Set("w.nul", "a\x00b"); err != nil { // ggml's C API would cut this at the NUL; the file format doesn't
		t.Fatal(err)
	}
	if err := w.Set("w.int", 42); err != nil { // plain int: int64
		t.Fatal(err)
	}
	if err := w.Set("w.u8", uint8(9)); err != nil { // replaced in place
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rt.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Alignment != 16 || f.Version != 3 {
		t.Fatalf("alignment %d version %d", f.Alignment, f.Version)
	}
	wantKVs := w.Metadata().KVs()
	gotKVs := f.Metadata.KVs()
	if len(gotKVs) != len(wantKVs) {
		t.Fatalf("%d keys, want %d", len(gotKVs), len(wantKVs))
	}
	for i := range wantKVs {
		g, w := gotKVs[i], wantKVs[i]
		if g.Key != w.Key || g.Value.Type() != w.Value.Type() || g.Value.ElemType() != w.Value.ElemType() ||
			!sameValue(g.Value.Any(), w.Value.Any()) {
			t.Errorf("kv %d: got %s=%s (%s), want %s=%s (%s)", i, g.Key, g.Value, g.Value.TypeName(), w.Key, w.Value, w.Value.TypeName())
		}
	}
	mustEqual(t, "w.u8 position", f.Metadata.Keys()[5], "w.u8")
	mustEqual(t, "w.u8", must(f.Metadata.Uint("w.u8")), uint64(9))
	mustEqual(t, "w.int", must(f.Metadata.Int("w.int")), int64(42))
	nv, _ := f.Metadata.Get("w.nested")
	mustEqual(t, "nested type", nv.TypeName(), "array[array]")
	inner, _ := nv.Index(0)
	innermost, _ := inner.Index(0)
	mustEqual(t, "nested[0][0]", innermost.String(), `["x", "y"]`)

	for _, wt := range w.tensors {
		ti, ok := f.Tensor(wt.info.Name)
		if !ok {
			t.Fatalf("tensor %q missing", wt.info.Name)
		}
		if ti.Type != wt.info.Type || !reflect.DeepEqual(ti.Dims, wt.info.Dims) || ti.Size != wt.info.Size || ti.Offset%16 != 0 {
			t.Errorf("tensor %q: got %+v, want %+v", ti.Name, *ti, wt.info)
		}
		var want bytes.Buffer
		wt.write(&want)
		if !bytes.Equal(f.Data(ti), want.Bytes()) {
			t.Errorf("tensor %q: data differs", ti.Name)
		}
	}
}

// sameValue compares decoded values, treating NaN as equal to NaN.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case []float32:
		b := b.([]float32)
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	case []Value:
		b := b.([]Value)
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i].typ != b[i].typ || a[i].elem != b[i].elem || !sameValue(a[i].v, b[i].v) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func mustValue(t *testing.T, x any) Value {
	t.Helper()
	v, err := NewValue(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWriterRejects(t *testing.T) {
	w := NewWriter()
	wantErr(t, w.Set("general.alignment", uint32(48)), "general.alignment", "power of two")
	wantErr(t, w.Set("general.alignment", 64), "general.alignment", "want uint32")
	wantErr(t, w.Set("", uint8(1)), "empty")
	wantErr(t, w.Set("k", struct{}{}), `"k"`, "struct")
	wantErr(t, w.Set("k", []Value{{typ: TypeUint8, v: uint8(1)}}), `"k"`, "element 0")
	wantErr(t, w.Set("k", Value{}), `"k"`, "malformed")
	wantErr(t, w.Set("k", Value{typ: TypeArray, elem: TypeString, v: []int32{1}}), `"k"`, "malformed")
	wantErr(t, w.Set("k", []Value{{typ: TypeArray}}), `"k"`, "element 0", "malformed")
	data := make([]byte, 34)
	wantErr(t, w.AddTensor("a", quant.Q8_0, []int64{16, 2}, data), `"a"`, "block size 32")
	wantErr(t, w.AddTensor("a", quant.Q8_0, []int64{32}, data[:30]), `"a"`, "30 bytes", "34")
	wantErr(t, w.AddTensor("a", quant.Type(99), []int64{32}, data), `"a"`, "unknown tensor type id 99")
	wantErr(t, w.AddTensor("a", quant.F32, []int64{1, 1, 1, 1, 1}, data[:4]), `"a"`, "5 dimensions")
	wantErr(t, w.AddTensor("a", quant.F32, nil, data[:4]), `"a"`, "0 dimensions")
	wantErr(t, w.AddTensor("a", quant.F32, []int64{-1}, nil), `"a"`, "negative")
	wantErr(t, w.AddTensor("a", quant.F32, []int64{math.MaxInt64, 2}, nil), `"a"`, "overflows")
	wantErr(t, w.AddTensor(string(make([]byte, 64)), quant.F32, []int64{1}, data[:4]), "64 bytes")
	if err := w.AddTensor("a", quant.Q8_0, []int64{32}, data); err != nil {
		t.Fatal(err)
	}
	wantErr(t, w.AddTensor("a", quant.Q8_0, []int64{32}, data), `duplicate tensor name "a"`)
	// A producer that writes the wrong number of bytes fails the write.
	if err := w.AddTensorFunc("b", quant.F32, []int64{2}, func(io.Writer) error { return nil }, 8); err != nil {
		t.Fatal(err)
	}
	_, err := w.WriteTo(io.Discard)
	wantErr(t, err, `"b"`, "wrote 0 bytes, want 8")
}
