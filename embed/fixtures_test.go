package embed

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model/bert"
	"github.com/ferrum-go/ferrum/model/modeltest"
	"github.com/ferrum-go/ferrum/quant"
)

// Fixtures: tiny encoders saved by sentence-transformers with its
// embeddings, written by tools/refgen/embeddings.py.
const fixturesDir = "../testdata/embed"

type reference struct {
	Base         string    `json:"base"`
	MaxSeqLength int       `json:"max_seq_length"`
	Texts        []string  `json:"texts"`
	InputIDs     [][]int32 `json:"input_ids"`
	Default      struct {
		Pooling   string `json:"pooling"`
		Normalize bool   `json:"normalize"`
	} `json:"default"`
	Variants []struct {
		Pooling    string      `json:"pooling"`
		Normalize  bool        `json:"normalize"`
		Embeddings [][]float32 `json:"embeddings"`
	} `json:"variants"`
}

var bases = []string{"bert", "bert_tanh", "roberta", "xlmr", "qwen3"}

func loadRef(t *testing.T, base string) (string, *reference) {
	t.Helper()
	return loadFixture[reference](t, base)
}

// loadFixture reads fixturesDir/name/reference.json as a T, skipping the
// test when the fixture is absent.
func loadFixture[T any](t *testing.T, name string) (string, *T) {
	t.Helper()
	dir := filepath.Join(fixturesDir, name)
	data, err := os.ReadFile(filepath.Join(dir, "reference.json"))
	if err != nil {
		t.Skipf("no fixture: %v", err)
	}
	var r T
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return dir, &r
}

func maxAbs(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func open(t *testing.T, path string, opts Options) *Embedder {
	t.Helper()
	if opts.Threads == 0 {
		opts.Threads = 2
	}
	e, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func textInputs(texts []string) []Input {
	in := make([]Input, len(texts))
	for i, s := range texts {
		in[i] = Input{Text: s, Truncate: true}
	}
	return in
}

// TestDefaultLayout: each folder as sentence-transformers saved it (its
// modules.json, pooling, Normalize, max length), from text: our tokenizer
// gives sentence-transformers' ids (after truncation) and the vectors have
// cosine >= 0.9999 with its embeddings.
func TestDefaultLayout(t *testing.T) {
	for _, base := range bases {
		t.Run(base, func(t *testing.T) {
			dir, ref := loadRef(t, base)
			e := open(t, dir, Options{})
			info := e.Info()
			if info.Pooling != ref.Default.Pooling || info.Normalize != ref.Default.Normalize || info.MaxTokens != ref.MaxSeqLength {
				t.Errorf("layout read as %+v, saved as %+v max %d", info, ref.Default, ref.MaxSeqLength)
			}
			for i, text := range ref.Texts {
				in := Input{Text: text, Truncate: true}
				ids, err := e.tokens(i, in)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids, ref.InputIDs[i]) {
					t.Errorf("text %d: ids %v, sentence-transformers %v", i, ids, ref.InputIDs[i])
				}
			}
			got, usage, err := e.Embed(context.Background(), textInputs(ref.Texts))
			if err != nil {
				t.Fatal(err)
			}
			want := variant(t, ref, ref.Default.Pooling, ref.Default.Normalize)
			n := 0
			for _, ids := range ref.InputIDs {
				n += len(ids)
			}
			if usage.PromptTokens != n || usage.TotalTokens != n {
				t.Errorf("usage %+v, want %d tokens", usage, n)
			}
			worst := 1.0
			for i := range want {
				c := modeltest.Cosine(got[i], want[i])
				worst = math.Min(worst, c)
				if c < 0.9999 {
					t.Errorf("text %d: cosine %.6f with sentence-transformers", i, c)
				}
			}
			t.Logf("%s (%s, normalize %v): min cosine %.8f", base, info.Pooling, info.Normalize, worst)
		})
	}
}

func variant(t *testing.T, ref *reference, pooling string, normalize bool) [][]float32 {
	t.Helper()
	for _, v := range ref.Variants {
		if v.Pooling == pooling && v.Normalize == normalize {
			return v.Embeddings
		}
	}
	t.Fatalf("no reference for %s/%v", pooling, normalize)
	return nil
}

// TestEveryVariant: every pooling mode, normalized or not, for every base,
// from sentence-transformers' token ids: cosine >= 0.9999 and, for the
// unnormalized vectors, the same scale (max abs error 1e-4 of the largest).
func TestEveryVariant(t *testing.T) {
	for _, base := range bases {
		t.Run(base, func(t *testing.T) {
			dir, ref := loadRef(t, base)
			worst, worstRel := 1.0, 0.0
			for _, v := range ref.Variants {
				norm := v.Normalize
				e := open(t, dir, Options{Pooling: v.Pooling, Normalize: &norm})
				in := make([]Input, len(ref.InputIDs))
				for i, ids := range ref.InputIDs {
					in[i] = Input{Tokens: ids}
				}
				got, _, err := e.Embed(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				for i := range got {
					c := modeltest.Cosine(got[i], v.Embeddings[i])
					worst = math.Min(worst, c)
					var scale float64
					for _, x := range v.Embeddings[i] {
						scale = math.Max(scale, math.Abs(float64(x)))
					}
					worstRel = math.Max(worstRel, maxAbs(got[i], v.Embeddings[i])/scale)
					if c < 0.9999 || maxAbs(got[i], v.Embeddings[i]) > 1e-4*scale {
						t.Errorf("%s normalize=%v text %d: cosine %.7f, max abs diff %.3g (scale %.3g)", v.Pooling, v.Normalize, i, c, maxAbs(got[i], v.Embeddings[i]), scale)
					}
				}
			}
			t.Logf("%s: %d variants, 1 - min cosine %.3g, max abs error %.3g of the vector scale", base, len(ref.Variants), 1-worst, worstRel)
		})
	}
}

// TestBatchEqualsSingle: one padding-free batch of mixed lengths gives the
// vectors each input gives alone, and a tiny MaxBatchTokens (one forward
// per input) too.
func TestBatchEqualsSingle(t *testing.T) {
	for _, base := range bases {
		t.Run(base, func(t *testing.T) {
			dir, ref := loadRef(t, base)
			e := open(t, dir, Options{Pooling: "weightedmean"})
			batch, _, err := e.Embed(context.Background(), textInputs(ref.Texts))
			if err != nil {
				t.Fatal(err)
			}
			split := open(t, dir, Options{Pooling: "weightedmean", MaxBatchTokens: 1})
			split2, _, err := split.Embed(context.Background(), textInputs(ref.Texts))
			if err != nil {
				t.Fatal(err)
			}
			for i, text := range ref.Texts {
				one, _, err := e.Embed(context.Background(), textInputs([]string{text}))
				if err != nil {
					t.Fatal(err)
				}
				if d := maxAbs(one[0], batch[i]); d > 1e-6 {
					t.Errorf("text %d: alone vs batched differ by %g", i, d)
				}
				if d := maxAbs(split2[i], batch[i]); d > 1e-6 {
					t.Errorf("text %d: one forward per input vs one batch differ by %g", i, d)
				}
			}
		})
	}
}

// TestTruncation: an input over the limit is rejected unless truncation is
// asked; truncated, it keeps [CLS] ... [SEP].
func TestTruncation(t *testing.T) {
	dir, ref := loadRef(t, "bert")
	e := open(t, dir, Options{})
	long := ref.Texts[4]
	_, _, err := e.Embed(context.Background(), []Input{{Text: "short"}, {Text: long}})
	if !IsTooLong(err) {
		t.Fatalf("over-long input: error %v, want a TooLongError", err)
	}
	if tl := err.(*TooLongError); tl.Index != 1 || tl.Max != 32 || tl.Tokens <= 32 {
		t.Errorf("TooLongError %+v", tl)
	}
	ids, err := e.tokens(0, Input{Text: long, Truncate: true})
	if err != nil {
		t.Fatal(err)
	}
	cls, _ := e.Tokenizer().TokenToID("[CLS]")
	sep, _ := e.Tokenizer().TokenToID("[SEP]")
	if len(ids) != 32 || ids[0] != int32(cls) || ids[31] != int32(sep) {
		t.Errorf("truncated ids %v", ids)
	}
	small := open(t, dir, Options{MaxTokens: 5})
	ids, err = small.tokens(0, Input{Text: long, Truncate: true})
	if err != nil || len(ids) != 5 || ids[4] != int32(sep) {
		t.Errorf("MaxTokens 5: %v %v", ids, err)
	}
}

// TestGGUF: the BERT and RoBERTa fixtures converted to GGUF (arch bert,
// RoBERTa's position rows dropped as llama.cpp does) embed like the
// safetensors, in F32 exactly and in Q8_0 closely.
func TestGGUF(t *testing.T) {
	for _, base := range []string{"bert", "bert_tanh", "roberta", "xlmr"} {
		t.Run(base, func(t *testing.T) {
			dir, ref := loadRef(t, base)
			want, _, err := open(t, dir, Options{Pooling: "mean"}).Embed(context.Background(), textInputs(ref.Texts))
			if err != nil {
				t.Fatal(err)
			}
			for _, typ := range []quant.Type{quant.F32, quant.Q8_0} {
				path := bertToGGUF(t, dir, typ)
				e := open(t, path, Options{Tokenizer: dir, MaxTokens: 32})
				if e.Info().Pooling != "mean" {
					t.Errorf("GGUF pooling_type read as %s", e.Info().Pooling)
				}
				got, _, err := e.Embed(context.Background(), textInputs(ref.Texts))
				if err != nil {
					t.Fatal(err)
				}
				worst := 1.0
				for i := range want {
					worst = math.Min(worst, modeltest.Cosine(got[i], want[i]))
				}
				bound := 0.999999
				if typ != quant.F32 {
					bound = 0.999
				}
				if worst < bound {
					t.Errorf("%v: min cosine with safetensors %.7f", typ, worst)
				}
				t.Logf("%s GGUF %v: min cosine with safetensors %.8f", base, typ, worst)
			}
		})
	}
}

func bertToGGUF(t *testing.T, dir string, typ quant.Type) string {
	t.Helper()
	cfg, err := bert.LoadHFConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ck.Close()
	w := gguf.NewWriter()
	for _, kv := range bert.GGUFMetadata(cfg, 1) {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	names := ck.Names()
	sort.Strings(names)
	for _, n := range names {
		if _, ok := bert.HFToGGUF(n); !ok {
			continue // the pooler
		}
		info, _ := ck.Info(n)
		vals, err := ck.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		tt := quant.F32
		cols := int(info.Shape[len(info.Shape)-1])
		if len(info.Shape) == 2 && cols%typ.BlockSize() == 0 && n != "embeddings.position_embeddings.weight" {
			tt = typ
		}
		raw, err := quant.QuantizeRows(tt, vals, cols)
		if err != nil {
			t.Fatal(err)
		}
		g, dims, data, err := bert.GGUFTensor(cfg, n, info.Shape, tt, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(g, tt, dims, data); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "bert-"+typ.String()+".gguf")
	if err := w.WriteFile(out); err != nil {
		t.Fatal(err)
	}
	return out
}
