package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
)

// badFiles are corrupt or hostile images and a fragment of the error each
// must produce. They double as fuzz seeds.
var badFiles = []struct {
	name string
	buf  []byte
	want string
}{
	{"empty file", nil, "too short"},
	{"7 bytes", []byte{2, 0, 0, 0, 0, 0, 0}, "too short"},
	{"absurd header length", binary.LittleEndian.AppendUint64(nil, 1<<62), "over the 100000000 limit"},
	{"header length over cap", binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1), "over the"},
	{"header past end", append(binary.LittleEndian.AppendUint64(nil, 200), "{}"...), "runs past the end"},
	{"zero header", binary.LittleEndian.AppendUint64(nil, 0), "does not start with '{'"},
	{"leading space", rawFile(" {}", nil), "does not start with '{'"},
	{"array", rawFile("[]", nil), "does not start with '{'"},
	{"bad utf8", rawFile("{\"\xff\":{}}", nil), "not valid UTF-8"},
	{"unterminated", rawFile(`{"a":`, nil), "bad JSON"},
	{"syntax", rawFile(`{"a" 1}`, nil), "bad JSON"},
	{"trailing garbage", rawFile(`{} x`, nil), "trailing data"},
	{"two objects", rawFile(`{}{}`, nil), "trailing data"},
	{"tensor not object", rawFile(`{"a":1}`, nil), `tensor "a": want '{', got number 1`},
	{"tensor null", rawFile(`{"a":null}`, nil), `tensor "a": want '{', got null`},
	{"unknown dtype", rawFile(`{"a":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}`, []byte{0}), `tensor "a": unknown dtype "F4"`},
	{"dtype not string", rawFile(`{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a" dtype: want a string`},
	{"no dtype", rawFile(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": no dtype`},
	{"no shape", rawFile(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": no shape`},
	{"no offsets", rawFile(`{"a":{"dtype":"F32","shape":[1]}}`, make([]byte, 4)), `tensor "a": no data_offsets`},
	{"three offsets", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, make([]byte, 8)), "has 3 numbers"},
	{"shape not array", rawFile(`{"a":{"dtype":"F32","shape":4,"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a" shape: want '['`},
	{"negative dim", rawFile(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a" shape[0]: -1 is not a non-negative`},
	{"fractional dim", rawFile(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, make([]byte, 4)), `shape[0]: 1.5 is not`},
	{"string dim", rawFile(`{"a":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, make([]byte, 4)), `shape[0]: want an integer`},
	{"huge offset", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,99999999999999999999]}}`, make([]byte, 4)), `data_offsets[1]: 99999999999999999999 is not`},
	{"begin after end", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, make([]byte, 8)), `tensor "a": data_offsets [8, 4] begin after end`},
	{"past data", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4)), `tensor "a": data_offsets [0, 8] past the 4-byte data region`},
	{"size mismatch", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 8)), `tensor "a": shape [2] of F32 needs 8 bytes but data_offsets [0, 4] hold 4`},
	{"shape overflow", rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,0]}}`, nil), `tensor "a": shape [4294967296 4294967296 4294967296] of F32 needs more bytes than`},
	{"shape wraps to size", rawFile(`{"a":{"dtype":"U8","shape":[4611686018427387904,4,1],"data_offsets":[0,0]}}`, nil), "needs more bytes than"},
	{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), `tensors "a" [0, 8] and "b" [4, 8] overlap`},
	{"same range", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), "overlap"},
	{"duplicate tensor", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, make([]byte, 2)), `header: duplicate key "a"`},
	{"duplicate field", rawFile(`{"a":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}}`, make([]byte, 1)), `tensor "a": duplicate key "dtype"`},
	{"duplicate metadata", rawFile(`{"__metadata__":{"k":"1","k":"2"}}`, nil), `__metadata__: duplicate key "k"`},
	{"two metadata", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), `duplicate key "__metadata__"`},
	{"metadata number", rawFile(`{"__metadata__":{"n":1}}`, nil), `__metadata__ key "n": want a string, got number 1`},
	{"metadata array", rawFile(`{"__metadata__":[]}`, nil), `__metadata__: want '{'`},
}

func TestParseRejects(t *testing.T) {
	for _, c := range badFiles {
		f, err := Parse("bad.safetensors", c.buf)
		if err == nil {
			t.Errorf("%s: accepted: %+v", c.name, f.Tensors())
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "bad.safetensors: ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, msg, c.want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	cases := []struct {
		name   string
		buf    []byte
		tensor string
	}{
		{"padded header", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}  `+"\n\t ", []byte{7}), "a"},
		{"unknown field", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":{"x":[1,null]}}}`, []byte{7}), "a"},
		{"scalar", rawFile(`{"a":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, []byte{7}), "a"},
		{"gap and trailing bytes", rawFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}`, []byte{0, 0, 7, 0}), "a"},
		{"empty tensor inside another", rawFile(`{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"e":{"dtype":"F32","shape":[0,9],"data_offsets":[1,1]}}`, []byte{7, 8, 9}), "a"},
		{"metadata only", rawFile(`{"__metadata__":{"format":"pt"}}`, nil), ""},
	}
	for _, c := range cases {
		f, err := Parse("ok", c.buf)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.tensor == "" {
			continue
		}
		if d, err := f.Data(c.tensor); err != nil || d[0] != 7 {
			t.Errorf("%s: data %v, %v", c.name, d, err)
		}
	}
}

func TestTensorsInDataOrder(t *testing.T) {
	// Header order differs from data order; Tensors follows the data.
	f, err := Parse("x", rawFile(`{"z":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2, 3}))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ti := range f.Tensors() {
		names = append(names, ti.Name)
	}
	if strings.Join(names, ",") != "z,a,b" {
		t.Fatalf("order %v", names)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	p := writeTemp(t, dir, "m.safetensors", sampleTensors(), nil)
	full, _ := os.ReadFile(p)

	// Truncated in the data region, then in the header.
	for _, cut := range []int{len(full) - 1, 20} {
		q := writeRaw(t, dir, "cut.safetensors", full[:cut])
		_, err := Open(q)
		if err == nil || !strings.HasPrefix(err.Error(), q+": ") || !strings.Contains(err.Error(), "truncated?") {
			t.Errorf("cut at %d: %v", cut, err)
		}
	}
	if _, err := Open(dir + "/missing.safetensors"); err == nil || !strings.Contains(err.Error(), "missing.safetensors") {
		t.Errorf("missing: %v", err)
	}

	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Data("nope"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `m.safetensors: tensor "nope"`) {
		t.Errorf("missing tensor: %v", err)
	}
	if _, ok := f.Info("nope"); ok {
		t.Error("Info found a missing tensor")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Data("t.F32"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("after close: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestDataIsCapped(t *testing.T) {
	var buf bytes.Buffer
	Write(&buf, []Tensor{{"a", U8, []int64{1}, []byte{1}}, {"b", U8, []int64{1}, []byte{2}}}, nil)
	f, _ := Parse("x", buf.Bytes())
	a, _ := f.Data("a")
	_ = append(a, 9) // must reallocate, not overwrite b
	if b, _ := f.Data("b"); b[0] != 2 {
		t.Fatal("append through Data overwrote the next tensor")
	}
}
