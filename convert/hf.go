package convert

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/qwen3moe"
	"github.com/ferrum-go/ferrum/quant"
)

var hfTypes = map[safetensors.DType]quant.Type{
	safetensors.F32: quant.F32, safetensors.F16: quant.F16, safetensors.BF16: quant.BF16,
}

// openHF reads an HF folder: config.json, the safetensors checkpoint and
// the tokenizer files beside them.
func openHF(dir, name string) (*source, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = filepath.Base(filepath.Clean(dir))
	}
	if isBERT(raw) {
		return openBERT(dir, name, raw)
	}
	cfg, err := model.LoadHFConfig(dir)
	if err != nil {
		return nil, err
	}
	var moe *qwen3moe.MoEConfig
	if cfg.Architecture == moeArch {
		if moe, err = moeConfig(cfg, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	arch, ok := model.GGUFArchFor(cfg.Architecture)
	if moe != nil {
		arch, ok = "qwen3moe", true
	}
	if !ok {
		return nil, fmt.Errorf("%s: architecture %q cannot be converted to GGUF (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Qwen3MoeForCausalLM, BERT/RoBERTa/XLM-RoBERTa encoders)", dir, cfg.Architecture)
	}
	var explicit struct {
		HeadDim *int `json:"head_dim"`
	}
	_ = json.Unmarshal(raw, &explicit) // LoadHFConfig already parsed it
	var kvs []model.MetaKV
	if moe != nil {
		kvs, err = qwen3moe.GGUFMetadata(cfg, moe)
	} else {
		kvs, err = model.GGUFMetadata(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	meta := archMetadata(kvs, cfg, arch, name, explicit.HeadDim != nil)
	voc, err := vocabMetadata(dir, cfg.VocabSize)
	if err != nil {
		return nil, err
	}
	meta = append(meta, voc...)

	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	src := &source{meta: meta, close: ck.Close,
		shape: Shape{Arch: arch, NumLayers: cfg.NumLayers, NumHeads: cfg.NumHeads, NumKVHeads: cfg.NumKVHeads}}
	names := ck.Names()
	if moe != nil {
		src.shape.NumExperts = moe.NumExperts
		if names, err = addHFExperts(src, ck, names); err != nil {
			ck.Close()
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	if err := addHFTensors(src, ck, cfg, names); err != nil {
		ck.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return src, nil
}

// archMetadata is the general.* and <arch>.* part of the header, with the
// keys convert_hf_to_gguf.py writes: key/value_length only when the config
// names head_dim, rope.dimension_count and vocab_size for arch llama (and
// wherever partial rotary makes them necessary).
func archMetadata(kvs []model.MetaKV, cfg *model.Config, arch, name string, explicitHeadDim bool) []kv {
	meta := []kv{{"general.architecture", arch}, {"general.type", "model"}, {"general.name", name}}
	for _, e := range kvs {
		key := strings.TrimPrefix(e.Key, arch+".")
		switch {
		case e.Key == "general.architecture", strings.HasPrefix(e.Key, "tokenizer."):
			continue // written above / by the vocabulary
		case key == "attention.key_length" || key == "attention.value_length":
			if !explicitHeadDim && cfg.HeadDim == cfg.HiddenSize/cfg.NumHeads {
				continue
			}
		case key == "rope.dimension_count":
			if arch != "llama" && cfg.RotaryDim == cfg.HeadDim {
				continue
			}
		case key == "vocab_size":
			if arch != "llama" {
				continue
			}
		}
		meta = append(meta, kv{e.Key, e.Value})
	}
	return meta
}

// addHFTensors lists the checkpoint's tensors under GGUF names, plus the
// rope_freqs tensor llama3 scaling needs.
func addHFTensors(src *source, ck *safetensors.Checkpoint, cfg *model.Config, names []string) error {
	ff, err := model.GGUFRopeFreqs(cfg)
	if err != nil {
		return err
	}
	if ff != nil {
		data := make([]byte, 4*len(ff))
		if err := quant.Quantize(quant.F32, ff, data); err != nil {
			return err
		}
		src.tensors = append(src.tensors, srcTensor{name: model.RopeFreqsName, dims: []int64{int64(len(ff))},
			typ: quant.F32, keep: quant.F32, read: func() ([]byte, error) { return data, nil }})
	}
	if _, ok := ck.Info("lm_head.weight"); !ok && !cfg.TieWordEmbeddings {
		return fmt.Errorf("tensor lm_head.weight is missing and tie_word_embeddings is false")
	}
	for _, hfName := range names {
		if strings.HasSuffix(hfName, "rotary_emb.inv_freq") {
			continue // recomputed from the config, as llama.cpp's converter skips it
		}
		if hfName == "lm_head.weight" && cfg.TieWordEmbeddings {
			continue // tied: GGUF has no output.weight and reuses token_embd
		}
		info, _ := ck.Info(hfName)
		typ, ok := hfTypes[info.DType]
		if !ok {
			return fmt.Errorf("tensor %s has dtype %s; only F32, F16 and BF16 convert", hfName, info.DType)
		}
		gname, ok := model.HFToGGUF(hfName)
		if !ok {
			return fmt.Errorf("tensor %s has no GGUF name for %s", hfName, cfg.Architecture)
		}
		if len(info.Shape) == 0 || len(info.Shape) > 2 {
			return fmt.Errorf("tensor %s has shape %v; want a vector or a matrix", hfName, info.Shape)
		}
		dims := make([]int64, len(info.Shape))
		for i, d := range info.Shape {
			dims[len(dims)-1-i] = d
		}
		keep := typ
		if nDims(dims) < 2 || alwaysF32(gname) {
			keep = quant.F32 // the converter writes vectors (norms, biases) as F32
		}
		name, shape := hfName, info.Shape
		src.tensors = append(src.tensors, srcTensor{name: gname, dims: dims, typ: typ, keep: keep,
			read: func() ([]byte, error) {
				data, err := ck.Data(name)
				if err != nil {
					return nil, err
				}
				_, _, data, err = model.GGUFTensor(cfg, name, shape, data)
				return data, err
			}})
	}
	return nil
}

// alwaysF32 names the matrices convert_hf_to_gguf.py always writes as F32
// whatever the output type: MoE routers and BERT's position and token-type
// tables (the recipe never quantizes them either).
func alwaysF32(gguf string) bool {
	return strings.HasSuffix(gguf, "ffn_gate_inp.weight") || gguf == "position_embd.weight" || gguf == "token_types.weight"
}
