package embed

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// TestDecoderGGUF: the Qwen3 decoder embedder from a GGUF (the same
// weights, converted from testdata/models/qwen3 through model's mapping)
// embeds like the sentence-transformers folder.
func TestDecoderGGUF(t *testing.T) {
	dir, ref := loadRef(t, "qwen3")
	src := "../testdata/models/qwen3"
	cfg, err := model.LoadHFConfig(src)
	if err != nil {
		t.Skip(err)
	}
	ck, err := safetensors.OpenCheckpoint(src)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	w := gguf.NewWriter()
	kvs, err := model.GGUFMetadata(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range kvs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	names := ck.Names()
	sort.Strings(names)
	for _, n := range names {
		info, _ := ck.Info(n)
		vals, err := ck.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := quant.QuantizeRows(quant.F32, vals, int(info.Shape[len(info.Shape)-1]))
		if err != nil {
			t.Fatal(err)
		}
		g, dims, data, err := model.GGUFTensor(cfg, n, info.Shape, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(g, quant.F32, dims, data); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "qwen3.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	e := open(t, path, Options{Tokenizer: dir, MaxTokens: 32})
	if e.Info().Pooling != "lasttoken" || !e.Info().Normalize {
		t.Errorf("GGUF decoder defaults: %+v", e.Info())
	}
	got, _, err := e.Embed(context.Background(), textInputs(ref.Texts))
	if err != nil {
		t.Fatal(err)
	}
	want := variant(t, ref, "lasttoken", true)
	worst := 1.0
	for i := range want {
		worst = math.Min(worst, cosine(got[i], want[i]))
	}
	if worst < 0.9999 {
		t.Errorf("min cosine %.7f with sentence-transformers", worst)
	}
}
