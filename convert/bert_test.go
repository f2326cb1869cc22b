package convert

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/model/modeltest"
)

// embedAll embeds the fixture's reference texts with the model at path,
// also returning each text's token ids.
func embedAll(t *testing.T, path string, opts embed.Options, texts []string) ([]embed.Vector, [][]int32) {
	t.Helper()
	opts.Threads = 2
	e, err := embed.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	in := make([]embed.Input, len(texts))
	ids := make([][]int32, len(texts))
	for i, s := range texts {
		in[i] = embed.Input{Text: s, Truncate: true}
		for _, id := range e.Tokenizer().Encode(s, true) {
			ids[i] = append(ids[i], int32(id))
		}
	}
	v, _, err := e.Embed(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return v, ids
}

// TestEncodersToGGUF: the BERT, RoBERTa and XLM-R fixtures converted at
// F32 and F16 embed (through the GGUF's own vocabulary) as the safetensors
// folders do, with llama.cpp's header keys.
func TestEncodersToGGUF(t *testing.T) {
	for _, c := range []struct {
		name, tokModel string
		pooling        int64 // -1: not written
	}{
		{"bert", "bert", 1}, {"bert_tanh", "bert", 2}, {"roberta", "gpt2", -1}, {"xlmr", "t5", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("../testdata/embed", c.name)
			raw := modeltest.ReadMaybeGz(t, filepath.Join(dir, "reference.json"))
			var ref struct {
				Texts []string `json:"texts"`
			}
			if err := json.Unmarshal(raw, &ref); err != nil {
				t.Fatal(err)
			}
			layout, err := embed.ReadLayout(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			want, wantIDs := embedAll(t, dir, embed.Options{}, ref.Texts)
			for _, ft := range []FileType{AllF32, F16} {
				path, _ := convertTo(t, dir, ft)
				// GGUF keeps the position table's length, not
				// sentence-transformers' shorter max_seq_length.
				opts := embed.Options{MaxTokens: layout.MaxSeqLength}
				if c.pooling < 0 {
					opts.Pooling = "max" // llama.cpp has no max pooling
				}
				got, gotIDs := embedAll(t, path, opts, ref.Texts)
				worst := 1.0
				for i := range want {
					if !equalIDs(wantIDs[i], gotIDs[i]) {
						t.Errorf("%s text %d: GGUF tokens %v, tokenizer.json %v", ft, i, gotIDs[i], wantIDs[i])
					}
					worst = math.Min(worst, modeltest.Cosine(want[i], got[i]))
				}
				t.Logf("%s: worst cosine %.7f", ft, worst)
				if worst < 0.9999 {
					t.Errorf("%s: cosine %.6f < 0.9999", ft, worst)
				}
			}
			path, _ := convertTo(t, dir, Q8_0)
			f := readGGUF(t, path)
			md := f.Metadata
			if a, _ := md.String("general.architecture"); a != "bert" {
				t.Errorf("general.architecture = %q", a)
			}
			if m, _ := md.String("tokenizer.ggml.model"); m != c.tokModel {
				t.Errorf("tokenizer.ggml.model = %q, want %q", m, c.tokModel)
			}
			p, err := md.Uint("bert.pooling_type")
			if c.pooling < 0 && err == nil || c.pooling >= 0 && (err != nil || int64(p) != c.pooling) {
				t.Errorf("bert.pooling_type = %d (%v), want %d", p, err, c.pooling)
			}
			for _, name := range []string{"position_embd.weight", "token_types.weight"} {
				if ti, ok := f.Tensor(name); ok && ti.Type.String() != "F32" {
					t.Errorf("%s is %s, want F32", name, ti.Type)
				}
			}
		})
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
