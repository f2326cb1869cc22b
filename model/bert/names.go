package bert

import (
	"fmt"
	"strings"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/model"
)

// BERT's HF<->GGUF tensor names (llama.cpp's arch bert). They live here,
// not in model/names.go, because the HF side is a namespace of its own
// (embeddings.*, encoder.layer.N.*) that no decoder shares.
var globalNames = [][2]string{
	{"embeddings.word_embeddings.weight", "token_embd.weight"},
	{"embeddings.position_embeddings.weight", "position_embd.weight"},
	{"embeddings.token_type_embeddings.weight", "token_types.weight"},
	{"embeddings.LayerNorm.weight", "token_embd_norm.weight"},
	{"embeddings.LayerNorm.bias", "token_embd_norm.bias"},
}

var layerNames = [][2]string{
	{"attention.self.query.weight", "attn_q.weight"},
	{"attention.self.query.bias", "attn_q.bias"},
	{"attention.self.key.weight", "attn_k.weight"},
	{"attention.self.key.bias", "attn_k.bias"},
	{"attention.self.value.weight", "attn_v.weight"},
	{"attention.self.value.bias", "attn_v.bias"},
	{"attention.output.dense.weight", "attn_output.weight"},
	{"attention.output.dense.bias", "attn_output.bias"},
	{"attention.output.LayerNorm.weight", "attn_output_norm.weight"},
	{"attention.output.LayerNorm.bias", "attn_output_norm.bias"},
	{"intermediate.dense.weight", "ffn_up.weight"},
	{"intermediate.dense.bias", "ffn_up.bias"},
	{"output.dense.weight", "ffn_down.weight"},
	{"output.dense.bias", "ffn_down.bias"},
	{"output.LayerNorm.weight", "layer_output_norm.weight"},
	{"output.LayerNorm.bias", "layer_output_norm.bias"},
}

// LayerName is "encoder.layer.<l>.<suffix>".
func LayerName(l int, suffix string) string { return fmt.Sprintf("encoder.layer.%d.%s", l, suffix) }

// HFToGGUF maps a BertModel tensor name (without a bert./roberta. prefix).
func HFToGGUF(name string) (string, bool) {
	for _, p := range globalNames {
		if p[0] == name {
			return p[1], true
		}
	}
	rest, ok := strings.CutPrefix(name, "encoder.layer.")
	if !ok {
		return "", false
	}
	layer, suffix, ok := strings.Cut(rest, ".")
	if !ok {
		return "", false
	}
	for _, p := range layerNames {
		if p[0] == suffix {
			return "blk." + layer + "." + p[1], true
		}
	}
	return "", false
}

// ggufWeights reads a GGUF bert file through HFToGGUF.
type ggufWeights struct{ model.GGUFWeights }

func (w ggufWeights) Info(name string) (model.WeightInfo, bool) {
	g, ok := HFToGGUF(name)
	if !ok {
		return model.WeightInfo{}, false
	}
	info, _, ok := w.GGUFWeights.Extra(g)
	return info, ok
}

func (w ggufWeights) Data(name string) ([]byte, error) {
	g, ok := HFToGGUF(name)
	if ok {
		if _, data, ok := w.GGUFWeights.Extra(g); ok {
			return data, nil
		}
	}
	return nil, fmt.Errorf("%s: no tensor %s", w.F.Path, w.Describe(name))
}

func (w ggufWeights) Describe(name string) string {
	if g, ok := HFToGGUF(name); ok {
		return g + " (" + name + ")"
	}
	return name
}

// NewGGUFWeights wraps an open GGUF bert file.
func NewGGUFWeights(f *gguf.File) model.Weights { return ggufWeights{model.GGUFWeights{F: f}} }

// prefixed reads a checkpoint whose names carry a head model's prefix
// (bert., roberta.: BertForMaskedLM and friends) as BertModel names.
type prefixed struct {
	model.Weights
	prefix string
}

func (w prefixed) Info(name string) (model.WeightInfo, bool) { return w.Weights.Info(w.prefix + name) }
func (w prefixed) Data(name string) ([]byte, error)          { return w.Weights.Data(w.prefix + name) }
func (w prefixed) Describe(name string) string               { return w.Weights.Describe(w.prefix + name) }

// StripPrefix finds the prefix under which w holds the word embeddings
// ("", "bert.", "roberta.", "model.") and reads w without it.
func StripPrefix(w model.Weights) model.Weights {
	for _, p := range []string{"", "bert.", "roberta.", "model.", "xlm_roberta."} {
		if _, ok := w.Info(p + "embeddings.word_embeddings.weight"); ok {
			if p == "" {
				return w
			}
			return prefixed{w, p}
		}
	}
	return w
}
