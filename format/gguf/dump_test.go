package gguf

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
)

// dump prints a file in the exact format of the throw-away C program that
// printed ggml's view of the fixtures (testdata/gguf/*.ggml.txt), so the
// two readers can be compared line by line.
func dump(f *File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version %d\nalignment %d\ndata_offset %d\nkv_count %d\n", f.Version, f.Alignment, f.DataOffset, f.Metadata.Len())
	for _, kv := range f.Metadata.KVs() {
		b.WriteString("kv ")
		dumpStr(&b, kv.Key)
		v := kv.Value
		fmt.Fprintf(&b, " %s ", ggmlTypeName(v.Type()))
		if v.IsArray() {
			fmt.Fprintf(&b, "%s %d [", ggmlTypeName(v.ElemType()), v.Len())
			for i := 0; i < v.Len(); i++ {
				if i > 0 {
					b.WriteByte(' ')
				}
				e, _ := v.Index(i)
				dumpScalar(&b, e)
			}
			b.WriteByte(']')
		} else {
			dumpScalar(&b, v)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "tensor_count %d\n", len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		ne := [4]int64{1, 1, 1, 1}
		copy(ne[:], t.Dims)
		h := fnv.New64a()
		h.Write(f.Data(t))
		b.WriteString("tensor ")
		dumpStr(&b, t.Name)
		fmt.Fprintf(&b, " type=%d ne=[%d %d %d %d] offset=%d size=%d fnv1a=%016x\n",
			uint32(t.Type), ne[0], ne[1], ne[2], ne[3], t.Offset, t.Size, h.Sum64())
	}
	return b.String()
}

func ggmlTypeName(t ValueType) string {
	return [...]string{"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "arr", "u64", "i64", "f64"}[t]
}

func dumpStr(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\\' && c != '"' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(b, "\\x%02x", c)
		}
	}
	b.WriteByte('"')
}

func dumpScalar(b *strings.Builder, v Value) {
	switch x := v.Any().(type) {
	case string:
		dumpStr(b, x)
	case float32:
		fmt.Fprintf(b, "0x%08x", math.Float32bits(x))
	case float64:
		fmt.Fprintf(b, "0x%016x", math.Float64bits(x))
	default:
		fmt.Fprint(b, x)
	}
}
