package bert

import (
	"fmt"

	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// GGUFMetadata returns llama.cpp's arch bert keys for cfg, plus
// bert.hidden_act (not a llama.cpp key) so the activation survives.
func GGUFMetadata(cfg *Config, pooling uint32) []model.MetaKV {
	k := func(s string) string { return "bert." + s }
	return []model.MetaKV{
		{Key: "general.architecture", Value: "bert"},
		{Key: k("context_length"), Value: uint32(cfg.MaxTokens())},
		{Key: k("embedding_length"), Value: uint32(cfg.HiddenSize)},
		{Key: k("feed_forward_length"), Value: uint32(cfg.IntermediateSize)},
		{Key: k("block_count"), Value: uint32(cfg.NumLayers)},
		{Key: k("attention.head_count"), Value: uint32(cfg.NumHeads)},
		{Key: k("attention.layer_norm_epsilon"), Value: float32(cfg.LayerNormEps)},
		{Key: k("attention.causal"), Value: false},
		{Key: k("pooling_type"), Value: pooling},
		{Key: k("hidden_act"), Value: cfg.HiddenAct},
	}
}

// GGUFTensor maps one BertModel tensor (HF name and shape, data in any
// element type) to its GGUF name, dims (innermost first) and data. RoBERTa's
// position table loses its first PositionOffset rows, as llama.cpp's
// converter does, so GGUF positions always start at 0.
func GGUFTensor(cfg *Config, name string, shape []int64, t quant.Type, data []byte) (string, []int64, []byte, error) {
	g, ok := HFToGGUF(name)
	if !ok {
		return "", nil, nil, fmt.Errorf("tensor %s has no GGUF name", name)
	}
	if name == "embeddings.position_embeddings.weight" && cfg.PositionOffset > 0 && len(shape) == 2 {
		rb, err := quant.RowBytes(t, shape[1])
		if err != nil {
			return "", nil, nil, err
		}
		off := int64(cfg.PositionOffset)
		if off >= shape[0] || int64(len(data)) != rb*shape[0] {
			return "", nil, nil, fmt.Errorf("tensor %s: cannot drop %d of %d rows", name, off, shape[0])
		}
		data = data[off*rb:]
		shape = []int64{shape[0] - off, shape[1]}
	}
	dims := make([]int64, len(shape))
	for i, d := range shape {
		dims[len(shape)-1-i] = d
	}
	return g, dims, data, nil
}
