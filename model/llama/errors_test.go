package llama

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/modeltest"
)

func loadErr(t *testing.T, path string) error {
	t.Helper()
	be := cpu.New(1)
	defer be.Close()
	m, err := model.Load(path, be, model.Options{})
	if err == nil {
		m.Close()
	}
	return err
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		overrides map[string]any
		want      []string
	}{
		{"missing tensor", map[string]any{"_drop": "model.layers.1.mlp.up_proj.weight"},
			[]string{"tensor model.layers.1.mlp.up_proj.weight is missing (expected shape [48 32])"}},
		{"misshapen tensor", map[string]any{"_transpose": "model.layers.0.self_attn.q_proj.weight"},
			[]string{"tensor model.layers.0.self_attn.q_proj.weight has shape [32 64], expected [64 32]"}},
		{"missing q norm", map[string]any{"_drop": "model.layers.0.self_attn.k_norm.weight"},
			[]string{"model.layers.0.self_attn.k_norm.weight is missing (expected shape [16])"}},
		{"unsupported architecture", map[string]any{"architectures": []string{"GPT2LMHeadModel"}},
			[]string{`architecture "GPT2LMHeadModel" is not supported (supported: `, "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := loadErr(t, writeSynthetic(t, c.overrides))
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}

	// A GGUF of an unknown architecture lists the supported ones.
	w := gguf.NewWriter()
	w.Set("general.architecture", "gpt2")
	p := filepath.Join(t.TempDir(), "x.gguf")
	if err := w.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	err := loadErr(t, p)
	if err == nil || !strings.Contains(err.Error(), `GGUF architecture "gpt2" is not supported (supported: llama, qwen2, qwen3`) {
		t.Errorf("gguf arch error: %v", err)
	}
	// A GGUF whose q weight is misshapen names both spellings of the tensor.
	dir := writeSynthetic(t, nil)
	g := modeltest.ToGGUF(t, dir, 0)
	gf, err := gguf.Open(g)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := model.ConfigFromGGUF(gf)
	gf.Close()
	cfg.HiddenSize = 40 // now every [.., hidden] tensor disagrees
	gf, _ = gguf.Open(g)
	be := cpu.New(1)
	defer be.Close()
	_, err = model.New(cfg, model.GGUFWeights{F: gf}, be, model.Options{})
	if err == nil || !strings.Contains(err.Error(), "tensor blk.0.attn_q.weight (model.layers.0.self_attn.q_proj.weight) has shape [64 32], expected [64 40]") {
		t.Errorf("gguf shape error: %v", err)
	}
	gf.Close()
}

// FuzzForward: any batch either fails Validate with an error or runs;
// bad input never panics a kernel.
func FuzzForward(f *testing.F) {
	f.Add([]byte{3, 1, 2, 5, 9, 0, 0, 1, 7})
	f.Add([]byte{0})
	f.Add([]byte{2, 200, 1, 1, 255, 3, 3, 3})
	dir := writeSynthetic(f, nil)
	be := cpu.New(1)
	m, err := model.Load(dir, be, model.Options{})
	if err != nil {
		f.Fatal(err)
	}
	cache, err := model.NewCache(be, m.Config(), 4, 4)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := batchFromBytes(data, cache)
		lg, err := m.Forward(context.Background(), b)
		if err == nil && len(lg.Data) != len(b.LogitRows)*m.Config().VocabSize {
			t.Fatalf("%d logits for %d rows", len(lg.Data), len(b.LogitRows))
		}
	})
}

// batchFromBytes decodes fuzz bytes into a batch: a count of sequences,
// then per sequence its row count, first position and blocks, then tokens.
func batchFromBytes(data []byte, cache *kvcache.Cache) *model.Batch {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		v := int(int8(data[0]))
		data = data[1:]
		return v
	}
	b := &model.Batch{Cache: cache}
	nseq := next() % 4
	row := 0
	for s := 0; s < nseq; s++ {
		n, start := next()%6, next()
		blocks := []int32{int32(next()), int32(next())}
		b.Seqs = append(b.Seqs, model.Seq{FirstRow: row, NumRows: n, Blocks: blocks})
		for i := 0; i < n; i++ {
			b.Tokens = append(b.Tokens, int32(next()))
			b.Positions = append(b.Positions, int32(start+i))
			b.LogitRows = append(b.LogitRows, row)
			row++
		}
	}
	if next()%5 == 0 && len(b.Tokens) > 0 {
		b.Tokens = b.Tokens[1:] // inconsistent lengths
	}
	return b
}
