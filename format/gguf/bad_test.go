package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// raw builds GGUF bytes by hand, so tests can write what no writer would.
type raw struct{ bytes.Buffer }

func (r *raw) u8(x uint8) *raw   { r.WriteByte(x); return r }
func (r *raw) u32(x uint32) *raw { r.Write(binary.LittleEndian.AppendUint32(nil, x)); return r }
func (r *raw) u64(x uint64) *raw { r.Write(binary.LittleEndian.AppendUint64(nil, x)); return r }
func (r *raw) str(s string) *raw { r.u64(uint64(len(s))); r.WriteString(s); return r }

// header starts a v3 file.
func header(nTensors, nKV uint64) *raw {
	r := &raw{}
	r.WriteString("GGUF")
	return r.u32(3).u64(nTensors).u64(nKV)
}

// tensor appends a tensor info.
func (r *raw) tensor(name string, typ uint32, off uint64, dims ...uint64) *raw {
	r.str(name).u32(uint32(len(dims)))
	for _, d := range dims {
		r.u64(d)
	}
	return r.u32(typ).u64(off)
}

// data pads to 32 and appends n bytes of tensor data.
func (r *raw) data(n int) *raw {
	for r.Len()%32 != 0 {
		r.u8(0)
	}
	r.Write(make([]byte, n))
	return r
}

type badCase struct {
	what  string
	file  []byte
	wants []string
}

func badInputs() []badCase {
	return []badCase{
		{"empty file", nil, []string{"not a GGUF file", "truncated"}},
		{"wrong magic", []byte("GGML\x03\x00\x00\x00"), []string{"magic is \"GGML\""}},
		{"version 1", append([]byte("GGUF"), 1, 0, 0, 0), []string{"version 1 is not supported"}},
		{"big endian", append([]byte("GGUF"), 0, 0, 0, 3), []string{"big-endian"}},
		{"version 4", append([]byte("GGUF"), 4, 0, 0, 0), []string{"version 4 is not supported"}},
		{"version 0", append([]byte("GGUF"), 0, 0, 0, 0), []string{"version 0 is not supported"}},
		{"truncated header", append([]byte("GGUF"), 3, 0, 0, 0, 1), []string{"truncated", "tensor count"}},
		{"absurd tensor count", header(1<<62, 0).Bytes(), []string{"tensor count 4611686018427387904", "impossible"}},
		{"absurd kv count", header(0, math.MaxUint64).Bytes(), []string{"metadata key count", "impossible"}},
		{"absurd key length", header(0, 1).u64(1 << 40).u32(0).u8(0).Bytes(), []string{"metadata entry 0", "metadata key length 1099511627776", "exceeds"}},
		{"empty key", header(0, 1).str("").u32(0).u8(0).Bytes(), []string{"entry 0 has an empty key"}},
		{"duplicate key", header(0, 2).str("a.b").u32(0).u8(1).str("a.b").u32(0).u8(2).Bytes(), []string{`duplicate metadata key "a.b"`}},
		{"unknown value type", header(0, 1).str("k.x").u32(13).u64(0).Bytes(), []string{`"k.x"`, "unknown value type 13"}},
		{"unknown array element type", header(0, 1).str("k.x").u32(9).u32(77).u64(0).Bytes(), []string{`"k.x"`, "unknown value type 77"}},
		{"absurd array length", header(0, 1).str("k.arr").u32(9).u32(4).u64(1 << 60).Bytes(), []string{`"k.arr"`, "array length 1152921504606846976", "impossible"}},
		{"absurd string array", header(0, 1).str("k.arr").u32(9).u32(8).u64(1 << 30).u64(0).Bytes(), []string{`"k.arr"`, "array length", "impossible"}},
		{"string past end", header(0, 1).str("k.s").u32(8).u64(100).Bytes(), []string{`"k.s"`, "string length 100", "exceeds"}},
		{"string element past end", header(0, 1).str("k.a").u32(9).u32(8).u64(2).str("ok").u64(50).Bytes(), []string{`"k.a"`, "element 1", "string length 50"}},
		{"bad bool", header(0, 1).str("k.b").u32(7).u8(2).Bytes(), []string{`"k.b"`, "bool", "is 2"}},
		{"truncated scalar", header(0, 1).str("k.u").u32(10).u32(0).Bytes(), []string{`"k.u"`, "truncated", "uint64"}},
		{"nesting too deep", nestedArrays(100), []string{`"deep"`, "nested more than 64"}},
		{"alignment type", header(0, 1).str("general.alignment").u32(10).u64(32).Bytes(), []string{"general.alignment", "is uint64, want uint32"}},
		{"alignment not power of two", header(0, 1).str("general.alignment").u32(4).u32(48).Bytes(), []string{"general.alignment", "is 48", "power of two"}},
		{"alignment zero", header(0, 1).str("general.alignment").u32(4).u32(0).Bytes(), []string{"general.alignment", "is 0"}},
		{"empty tensor name", header(1, 0).tensor("", 0, 0, 1).data(4).Bytes(), []string{"tensor 0 has an empty name"}},
		{"tensor name past end", header(1, 0).u64(1 << 50).data(64).Bytes(), []string{"tensor 0", "tensor name length", "exceeds"}},
		{"duplicate tensor", header(2, 0).tensor("w", 0, 0, 8).tensor("w", 0, 32, 8).data(64).Bytes(), []string{`duplicate tensor name "w"`, "tensors 0 and 1"}},
		{"too many dims", header(1, 0).tensor("w", 0, 0, 1, 1, 1, 1, 1).data(4).Bytes(), []string{`tensor "w"`, "5 dimensions"}},
		{"negative dim", header(1, 0).tensor("w", 0, 0, 4, math.MaxUint64).data(4).Bytes(), []string{`tensor "w"`, "dimension 1 is negative"}},
		{"element overflow", header(1, 0).tensor("w", 0, 0, 1<<32, 1<<32).data(4).Bytes(), []string{`tensor "w"`, "overflows"}},
		{"byte size overflow", header(1, 0).tensor("w", 0, 0, 1<<31, 1<<31).data(4).Bytes(), []string{`tensor "w"`, "byte size", "overflows"}},
		{"unknown tensor type", header(1, 0).tensor("w", 99, 0, 32).data(32).Bytes(), []string{`tensor "w"`, "unknown tensor type id 99"}},
		{"block size", header(1, 0).tensor("blk.0.w", 2, 0, 16, 2).data(64).Bytes(), []string{`tensor "blk.0.w"`, "first dimension 16", "Q4_0", "block size 32"}},
		{"misaligned", header(1, 0).tensor("w", 0, 4, 2).data(64).Bytes(), []string{`tensor "w"`, "offset 4", "alignment 32"}},
		{"offset past end", header(1, 0).tensor("w", 0, 1<<40, 2).data(64).Bytes(), []string{`tensor "w"`, "past the end of the file"}},
		{"offset out of int64", header(1, 0).tensor("w", 0, math.MaxUint64, 2).data(64).Bytes(), []string{`tensor "w"`, "data offset", "out of range"}},
		{"size past end", header(1, 0).tensor("w", 0, 0, 100).data(64).Bytes(), []string{`tensor "w"`, "+400", "past the end of the file"}},
		{"overlap", header(2, 0).tensor("a", 0, 0, 16).tensor("b", 0, 32, 16).data(128).Bytes(), []string{`"a" [0, 64)`, `"b" [32, 96)`, "overlap"}},
		{"data section past end", header(1, 0).tensor("w", 0, 0, 0).Bytes(), []string{"data section would start at offset 64", "past the end"}},
		{"truncated tensor info", header(1, 0).str("w").u32(2).u64(4).Bytes(), []string{`tensor "w"`, "truncated", "dimension"}},
	}
}

func TestBadInput(t *testing.T) {
	const name = "bad.gguf"
	for _, c := range badInputs() {
		t.Run(c.what, func(t *testing.T) {
			_, err := Parse(name, c.file)
			wantErr(t, err, append([]string{name}, c.wants...)...)
		})
	}
}

func nestedArrays(depth int) []byte {
	r := header(0, 1).str("deep").u32(uint32(TypeArray))
	for i := 0; i < depth; i++ {
		r.u32(uint32(TypeArray)).u64(1)
	}
	return r.u32(uint32(TypeUint8)).u64(0).Bytes()
}

// Overlap is checked in offset order, whatever the order of the infos, and
// tensors stored out of order but apart are fine.
func TestLayoutOrder(t *testing.T) {
	f, err := Parse("x", header(2, 0).tensor("a", 0, 64, 16).tensor("b", 0, 0, 16).data(128).Bytes())
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "a offset", f.Tensors[0].Offset, int64(64))
	_, err = Parse("x", header(2, 0).tensor("a", 0, 32, 16).tensor("b", 0, 0, 16).data(128).Bytes())
	wantErr(t, err, `"b" [0, 64)`, `"a" [32, 96)`, "overlap")
}

func TestVersion2(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "ggml_align64.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	b[4] = 2
	f, err := Parse("v2.gguf", b)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "version", f.Version, uint32(2))
	mustEqual(t, "alignment", f.Alignment, 64)
}

// Every prefix of a valid file is either an error or, once all tensor data
// is present (only trailing padding cut), a complete file.
func TestTruncation(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtures, "ggml_types.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	full, err := Parse("full", b)
	if err != nil {
		t.Fatal(err)
	}
	end := int64(0)
	for _, ti := range full.Tensors {
		end = max(end, full.DataOffset+ti.Offset+ti.Size)
	}
	for n := 0; n < len(b); n++ {
		f, err := Parse("cut.gguf", b[:n])
		if int64(n) < end {
			if err == nil {
				t.Fatalf("prefix of %d bytes parsed", n)
			}
			if !strings.Contains(err.Error(), "cut.gguf") {
				t.Fatalf("error %q does not name the file", err)
			}
		} else if err != nil || len(f.Tensors) != len(full.Tensors) {
			t.Fatalf("prefix of %d bytes (all data present): %v", n, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "missing.gguf"))
	wantErr(t, err, "missing.gguf")
	dir := t.TempDir()
	_, err = Open(dir)
	wantErr(t, err, dir, "not a regular file")
	p := filepath.Join(dir, "empty.gguf")
	os.WriteFile(p, nil, 0o644)
	_, err = Open(p)
	wantErr(t, err, "empty.gguf", "not a GGUF file")
}
