package safetensors

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// rawFile builds a file image from a literal header, for tests that need
// headers the writer would refuse to produce.
func rawFile(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

// sampleTensors has one tensor of every dtype with varied shapes (scalar,
// empty, 3-D) and deterministic random bytes.
func sampleTensors() []Tensor {
	rng := rand.New(rand.NewPCG(7, 11))
	dtypes := []DType{F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, F8_E4M3, F8_E5M2, F8_E8M0, U16, U32, U64, C64}
	shapes := [][]int64{{2, 3}, {4}, {}, {3, 1, 2}, {0, 5}, {5}}
	var ts []Tensor
	for i, dt := range dtypes {
		shape := shapes[i%len(shapes)]
		n, _ := numBytes(dt, shape, 1<<20)
		data := make([]byte, n)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		if dt == BOOL {
			for j := range data {
				data[j] &= 1
			}
		}
		ts = append(ts, Tensor{Name: "t." + string(dt), DType: dt, Shape: shape, Data: data})
	}
	return ts
}

func writeTemp(t *testing.T, dir, name string, ts []Tensor, md map[string]string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := WriteFile(p, ts, md); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeRaw(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
