package convert

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model/bert"
	"github.com/ferrum-go/ferrum/quant"
)

// isBERT reports whether config.json is a BERT-family encoder (bert,
// roberta, xlm-roberta), which llama.cpp writes as arch bert.
func isBERT(raw []byte) bool {
	var probe struct {
		ModelType string `json:"model_type"`
	}
	return json.Unmarshal(raw, &probe) == nil && bert.Supported(probe.ModelType)
}

// llamaPooling is llama.cpp's pooling_type for a sentence-transformers
// pooling mode. It has no max or weighted-mean pooling: such models are
// written without the key (embed then needs --pooling).
var llamaPooling = map[compute.PoolMode]uint32{compute.PoolMean: 1, compute.PoolCLS: 2, compute.PoolLastToken: 3}

// openBERT reads an encoder folder the way convert_hf_to_gguf.py's
// BertModel (and its RoBERTa/XLM-R subclasses) does: arch bert, pooling
// from the sentence-transformers modules, RoBERTa's unused position rows
// dropped, pooler and MLM heads skipped.
func openBERT(dir, name string, raw []byte) (*source, error) {
	cfg, err := bert.ParseHFConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	layout, err := embed.ReadLayout(dir, false)
	if err != nil {
		return nil, err
	}
	pooling, hasPooling := llamaPooling[layout.Pooling]
	meta := []kv{{"general.architecture", "bert"}, {"general.type", "model"}, {"general.name", name}}
	for _, e := range bert.GGUFMetadata(cfg, pooling) {
		if e.Key == "general.architecture" || (e.Key == "bert.pooling_type" && !hasPooling) {
			continue
		}
		meta = append(meta, kv{e.Key, e.Value})
	}
	meta = append(meta, kv{"tokenizer.ggml.token_type_count", uint32(cfg.TypeVocabSize)})
	voc, err := encoderVocab(dir, cfg.VocabSize)
	if err != nil {
		return nil, err
	}
	meta = append(meta, voc...)

	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	src := &source{meta: meta, close: ck.Close,
		shape: Shape{Arch: "bert", NumLayers: cfg.NumLayers, NumHeads: cfg.NumHeads, NumKVHeads: cfg.NumHeads}}
	if err := addBERTTensors(src, ck, cfg); err != nil {
		ck.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return src, nil
}

// skippedBERT are checkpoint tensors an embedding GGUF has no use for.
func skippedBERT(name string) bool {
	return strings.HasPrefix(name, "pooler.") || strings.HasPrefix(name, "cls.") || strings.HasPrefix(name, "lm_head.") ||
		strings.HasSuffix(name, "position_ids") || strings.HasSuffix(name, "rotary_emb.inv_freq")
}

func addBERTTensors(src *source, ck *safetensors.Checkpoint, cfg *bert.Config) error {
	for _, full := range ck.Names() {
		name := full
		for _, p := range []string{"bert.", "roberta.", "model."} {
			name = strings.TrimPrefix(name, p)
		}
		if skippedBERT(name) {
			continue
		}
		info, _ := ck.Info(full)
		typ, ok := hfTypes[info.DType]
		if !ok {
			return fmt.Errorf("tensor %s has dtype %s; only F32, F16 and BF16 convert", full, info.DType)
		}
		if len(info.Shape) == 0 || len(info.Shape) > 2 {
			return fmt.Errorf("tensor %s has shape %v; want a vector or a matrix", full, info.Shape)
		}
		gname, ok := bert.HFToGGUF(name)
		if !ok {
			return fmt.Errorf("tensor %s has no GGUF name for arch bert", full)
		}
		rows := info.Shape[0]
		if name == "embeddings.position_embeddings.weight" && cfg.PositionOffset > 0 {
			// RoBERTa numbers positions from padding_idx+1; GGUF from 0.
			if int64(cfg.PositionOffset) >= rows || len(info.Shape) != 2 {
				return fmt.Errorf("tensor %s: cannot drop %d of %d rows", full, cfg.PositionOffset, rows)
			}
			rows -= int64(cfg.PositionOffset)
		}
		dims := []int64{rows}
		if len(info.Shape) == 2 {
			dims = []int64{info.Shape[1], rows}
		}
		keep := typ
		if nDims(dims) < 2 || alwaysF32(gname) {
			keep = quant.F32
		}
		full, name, shape := full, name, info.Shape
		src.tensors = append(src.tensors, srcTensor{name: gname, dims: dims, typ: typ, keep: keep,
			read: func() ([]byte, error) {
				data, err := ck.Data(full)
				if err != nil {
					return nil, err
				}
				_, _, data, err = bert.GGUFTensor(cfg, name, shape, typ, data)
				return data, err
			}})
	}
	return nil
}
