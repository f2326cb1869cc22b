package embed

import (
	"context"
	"math"
	"testing"

	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

// TestDecoderGGUF: the Qwen3 decoder embedder from a GGUF (the same
// weights, converted from testdata/models/qwen3 through model's mapping)
// embeds like the sentence-transformers folder.
func TestDecoderGGUF(t *testing.T) {
	dir, ref := loadRef(t, "qwen3")
	src := "../testdata/models/qwen3"
	if _, err := model.LoadHFConfig(src); err != nil {
		t.Skip(err)
	}
	path := modeltest.ToGGUF(t, src, quant.F32)
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
		worst = math.Min(worst, modeltest.Cosine(got[i], want[i]))
	}
	if worst < 0.9999 {
		t.Errorf("min cosine %.7f with sentence-transformers", worst)
	}
}
