package safetensors

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzOpen feeds arbitrary images to the parser. Whatever it accepts must
// be safe to read in full and must survive a write/read round trip.
func FuzzOpen(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, sampleTensors(), map[string]string{"format": "pt"})
	f.Add(buf.Bytes())
	buf.Reset()
	Write(&buf, []Tensor{u8("a", 1, 2), u8("b")}, nil)
	f.Add(buf.Bytes())
	for _, c := range badFiles {
		f.Add(c.buf)
	}
	f.Add(rawFile(`{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"e":{"dtype":"F32","shape":[0,9],"data_offsets":[1,1]}}`, []byte{7, 8, 9}))
	f.Add(rawFile(`{"a":{"dtype":"F8_E4M3","shape":[2,1],"data_offsets":[0,2],"x":[]},"__metadata__":{"\u00e9":"\ud800"}}`, []byte{0x7f, 0xff}))

	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("fuzz", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		var ts []Tensor
		for _, info := range file.Tensors() {
			data, err := file.Data(info.Name)
			if err != nil || int64(len(data)) != info.End-info.Begin {
				t.Fatalf("%s: %d bytes, %v", info.Name, len(data), err)
			}
			if info.DType.IsFloat() {
				x, err := file.Float32(info.Name)
				if err != nil || int64(len(x)) != info.NumElements() {
					t.Fatalf("%s: %d floats, %v", info.Name, len(x), err)
				}
			}
			ts = append(ts, Tensor{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: data})
		}
		var out bytes.Buffer
		if err := Write(&out, ts, file.Metadata()); err != nil {
			t.Fatalf("rewrite: %v", err)
		}
		again, err := Parse("again", out.Bytes())
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if len(again.Tensors()) != len(ts) || !reflect.DeepEqual(again.Metadata(), file.Metadata()) {
			t.Fatalf("round trip changed the header")
		}
		for i, info := range again.Tensors() {
			d, _ := again.Data(info.Name)
			if info.Name != ts[i].Name || info.DType != ts[i].DType ||
				!reflect.DeepEqual(info.Shape, ts[i].Shape) || !bytes.Equal(d, ts[i].Data) {
				t.Fatalf("round trip changed tensor %q", ts[i].Name)
			}
		}
	})
}
