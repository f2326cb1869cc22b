package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// TestWriteMatchesReferenceLayout compares against bytes laid out by hand
// from the format description and the reference writer's conventions
// (compact JSON, __metadata__ first, dtype/shape/data_offsets order, space
// padding to 8), for the call save_file({"a": zeros(2, 2) f32, "b": u8[3]},
// metadata={"format": "pt"}).
func TestWriteMatchesReferenceLayout(t *testing.T) {
	header := `{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"U8","shape":[3],"data_offsets":[16,19]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	want := rawFile(header, append(make([]byte, 16), 1, 2, 3))
	var buf bytes.Buffer
	err := Write(&buf, []Tensor{
		{Name: "a", DType: F32, Shape: []int64{2, 2}, Data: make([]byte, 16)},
		{Name: "b", DType: U8, Shape: []int64{3}, Data: []byte{1, 2, 3}},
	}, map[string]string{"format": "pt"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("got\n%q\nwant\n%q", buf.Bytes(), want)
	}
	if (8+len(header))%8 != 0 {
		t.Fatal("data region not 8-aligned")
	}
}

func TestWriteEscapesLikeSerde(t *testing.T) {
	var buf bytes.Buffer
	name := "a\"b\\c\n\x01<&>\u2028é"
	if err := Write(&buf, []Tensor{{Name: name, DType: U8, Shape: []int64{0}}}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"a\"b\\c\n\u0001<&>`+"\u2028é\"") {
		t.Fatalf("escaping: %q", buf.String())
	}
	f, err := Parse("x", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Info(name); !ok {
		t.Fatalf("name did not round-trip: %+v", f.Tensors())
	}
}

func TestRoundTripAllDTypes(t *testing.T) {
	ts := sampleTensors()
	md := map[string]string{"format": "pt", "note": "ünïcode \"quoted\""}
	p := writeTemp(t, t.TempDir(), "all.safetensors", ts, md)
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !reflect.DeepEqual(f.Metadata(), md) {
		t.Fatalf("metadata %v", f.Metadata())
	}
	infos := f.Tensors()
	if len(infos) != len(ts) {
		t.Fatalf("%d tensors, want %d", len(infos), len(ts))
	}
	var offset int64
	for i, info := range infos {
		want := ts[i]
		if info.Name != want.Name || info.DType != want.DType || !reflect.DeepEqual(info.Shape, want.Shape) {
			t.Fatalf("tensor %d: %+v, want %s %s %v", i, info, want.Name, want.DType, want.Shape)
		}
		if info.Begin != offset || info.End != offset+int64(len(want.Data)) {
			t.Fatalf("%s: offsets [%d,%d] not contiguous from %d", info.Name, info.Begin, info.End, offset)
		}
		offset = info.End
		data, err := f.Data(info.Name)
		if err != nil || !bytes.Equal(data, want.Data) {
			t.Fatalf("%s: data %v err %v", info.Name, data, err)
		}
		if info.NumElements()*int64(info.DType.Size()) != int64(len(data)) {
			t.Fatalf("%s: NumElements %d", info.Name, info.NumElements())
		}
		if len(data) > 0 {
			// Zero copy: the slice points into the mapping.
			base := uintptr(unsafe.Pointer(unsafe.SliceData(f.m.Bytes())))
			at := uintptr(unsafe.Pointer(&data[0]))
			if at != base+uintptr(f.DataOffset()+info.Begin) {
				t.Fatalf("%s: Data is not a slice of the mapping", info.Name)
			}
		}
		if info.DType.IsFloat() {
			if _, err := f.Float32(info.Name); err != nil {
				t.Fatalf("%s: %v", info.Name, err)
			}
		} else if _, err := f.Float32(info.Name); err == nil {
			t.Fatalf("%s: Float32 of a non-float dtype succeeded", info.Name)
		}
	}
	if f.DataOffset()%8 != 0 {
		t.Fatalf("data offset %d", f.DataOffset())
	}
	if st, _ := os.Stat(p); st.Size() != f.DataOffset()+offset {
		t.Fatalf("file has %d bytes, want %d", st.Size(), f.DataOffset()+offset)
	}
}

func TestRoundTripValues(t *testing.T) {
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -2.5, 65504, 1e-7, float32(math.Inf(1)), float32(math.Inf(-1))}
	f32 := make([]byte, 4*len(vals))
	f16 := make([]byte, 2*len(vals))
	bf16 := make([]byte, 2*len(vals))
	f64 := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(f32[4*i:], math.Float32bits(v))
		binary.LittleEndian.PutUint16(f16[2*i:], Float32ToFloat16(v))
		binary.LittleEndian.PutUint16(bf16[2*i:], Float32ToBFloat16(v))
		binary.LittleEndian.PutUint64(f64[8*i:], math.Float64bits(float64(v)))
	}
	shape := []int64{int64(len(vals))}
	ts := []Tensor{{"f32", F32, shape, f32}, {"f16", F16, shape, f16}, {"bf16", BF16, shape, bf16}, {"f64", F64, shape, f64}}
	var buf bytes.Buffer
	if err := Write(&buf, ts, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Parse("mem", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Metadata()) != 0 || strings.Contains(buf.String(), metadataKey) {
		t.Fatal("nil metadata should not be written")
	}
	for _, tt := range ts {
		got, err := f.Float32(tt.Name)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			want := v
			switch tt.DType {
			case F16:
				want = Float16ToFloat32(Float32ToFloat16(v))
			case BF16:
				want = BFloat16ToFloat32(Float32ToBFloat16(v))
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Errorf("%s[%d] = %v, want %v", tt.Name, i, got[i], want)
			}
		}
	}
	if got, _ := f.Float32("f16"); got[4] != 65504 || got[5] == 0 {
		t.Errorf("f16 max/subnormal lost: %v", got)
	}
}

func TestWriteRejects(t *testing.T) {
	ok := Tensor{Name: "ok", DType: F32, Shape: []int64{1}, Data: make([]byte, 4)}
	cases := []struct {
		name string
		ts   []Tensor
		md   map[string]string
		want string
	}{
		{"duplicate", []Tensor{ok, ok}, nil, `tensor "ok": duplicate name`},
		{"reserved", []Tensor{{Name: metadataKey, DType: U8, Shape: []int64{0}}}, nil, "reserved"},
		{"dtype", []Tensor{{Name: "x", DType: "F4", Shape: []int64{2}, Data: []byte{0}}}, nil, `tensor "x": unknown dtype "F4"`},
		{"size", []Tensor{{Name: "x", DType: F32, Shape: []int64{2}, Data: make([]byte, 4)}}, nil, `tensor "x": shape [2] of F32 needs 8 bytes, have 4`},
		{"negative", []Tensor{{Name: "x", DType: F32, Shape: []int64{-1}}}, nil, "negative dimension"},
		{"overflow", []Tensor{{Name: "x", DType: F32, Shape: []int64{1 << 31, 1 << 31, 1 << 31}}}, nil, "overflows"},
		{"utf8 name", []Tensor{{Name: "\xff", DType: U8, Shape: []int64{0}}}, nil, "UTF-8"},
		{"utf8 meta", []Tensor{ok}, map[string]string{"k": "\xff"}, `metadata key "k"`},
	}
	for _, c := range cases {
		err := Write(&bytes.Buffer{}, c.ts, c.md)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	// A failed WriteFile leaves nothing behind.
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "bad.safetensors"), []Tensor{ok, ok}, nil); err == nil {
		t.Fatal("WriteFile accepted duplicates")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %v behind", ents)
	}
}

func TestWriteEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	if want := rawFile("{}      ", nil); !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("%q", buf.Bytes())
	}
	f, err := Parse("empty", buf.Bytes())
	if err != nil || len(f.Tensors()) != 0 {
		t.Fatalf("%v %v", f, err)
	}
}
