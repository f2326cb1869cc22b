package modeltest

import (
	"path/filepath"
	"sort"
	"testing"
	"unsafe"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// Stack is one GGUF 3-D tensor made of HF tensors laid back to back
// (Qwen3-MoE's per-expert matrices), first part first.
type Stack struct {
	GGUFName string
	Parts    []string
}

// GGUFLayout says how ToGGUFWith lays out an architecture that needs more
// than model's dense mapping. Nil fields take the dense defaults.
type GGUFLayout struct {
	// Metadata returns the GGUF keys (default model.GGUFMetadata).
	Metadata func(cfg *model.Config) ([]model.MetaKV, error)
	// Stacks picks out the tensors to stack; rest go through
	// model.GGUFTensor one by one (default: no stacks).
	Stacks func(names []string) (stacks []Stack, rest []string, err error)
}

// ToGGUF converts an HF folder to a GGUF file the way llama.cpp's converter
// lays it out (names, metadata, llama q/k row permutation, rope_freqs),
// through model's mapping. Matrices become typ where their rows split into
// whole blocks (F32 otherwise, as llama.cpp falls back); vectors stay F32.
func ToGGUF(t testing.TB, dir string, typ quant.Type) string {
	t.Helper()
	return ToGGUFWith(t, dir, typ, GGUFLayout{})
}

// ToGGUFWith is ToGGUF with an architecture's own metadata and stacks.
func ToGGUFWith(t testing.TB, dir string, typ quant.Type, layout GGUFLayout) string {
	t.Helper()
	cfg, err := model.LoadHFConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	w := gguf.NewWriter()
	meta := layout.Metadata
	if meta == nil {
		meta = model.GGUFMetadata
	}
	kvs, err := meta(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range kvs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	encode := func(name string) (quant.Type, []int64, []byte) {
		info, _ := ck.Info(name)
		vals, err := ck.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		tt := quant.F32
		cols := int(info.Shape[len(info.Shape)-1])
		if len(info.Shape) == 2 && cols%typ.BlockSize() == 0 {
			tt = typ
		}
		data, err := quant.QuantizeRows(tt, vals, cols)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return tt, info.Shape, data
	}
	names := ck.Names()
	sort.Strings(names)
	var stacks []Stack
	rest := names
	if layout.Stacks != nil {
		if stacks, rest, err = layout.Stacks(names); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range rest {
		tt, shape, raw := encode(n)
		gname, dims, data, err := model.GGUFTensor(cfg, n, shape, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(gname, tt, dims, data); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range stacks {
		var all []byte
		var tt quant.Type
		var shape []int64
		for _, p := range s.Parts {
			var data []byte
			tt, shape, data = encode(p)
			all = append(all, data...)
		}
		dims := []int64{shape[1], shape[0], int64(len(s.Parts))}
		if err := w.AddTensor(s.GGUFName, tt, dims, all); err != nil {
			t.Fatal(err)
		}
	}
	ff, err := model.GGUFRopeFreqs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ff != nil {
		raw := unsafe.Slice((*byte)(unsafe.Pointer(&ff[0])), 4*len(ff))
		if err := w.AddTensor(model.RopeFreqsName, quant.F32, []int64{int64(len(ff))}, raw); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "model-"+typ.String()+".gguf")
	if err := w.WriteFile(out); err != nil {
		t.Fatal(err)
	}
	return out
}
