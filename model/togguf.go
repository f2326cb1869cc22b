package model

import (
	"fmt"

	"github.com/ferrum-go/ferrum/nn"
)

// This file is the HF -> GGUF direction of the one name/metadata mapping,
// for converters (`ferrum quantize`) and tests. The reading direction is
// ConfigFromGGUF and GGUFWeights.

// MetaKV is one GGUF metadata entry; Value is a Go value gguf.Writer.Set takes.
type MetaKV struct {
	Key   string
	Value any
}

// GGUFMetadata returns the architecture metadata llama.cpp reads for cfg
// (general.architecture and the "<arch>.*" keys; tokenizer keys are the
// tokenizer's business). Counts are uint32 and floats float32, as
// llama.cpp's converter writes them.
func GGUFMetadata(cfg *Config) ([]MetaKV, error) {
	arch, ok := GGUFArchFor(cfg.Architecture)
	if !ok {
		return nil, fmt.Errorf("architecture %q has no GGUF mapping", cfg.Architecture)
	}
	k := func(s string) string { return arch + "." + s }
	u := func(v int) uint32 { return uint32(v) }
	kv := []MetaKV{
		{"general.architecture", arch},
		{k("vocab_size"), u(cfg.VocabSize)},
		{k("context_length"), u(cfg.MaxPositionEmbeddings)},
		{k("embedding_length"), u(cfg.HiddenSize)},
		{k("feed_forward_length"), u(cfg.IntermediateSize)},
		{k("block_count"), u(cfg.NumLayers)},
		{k("attention.head_count"), u(cfg.NumHeads)},
		{k("attention.head_count_kv"), u(cfg.NumKVHeads)},
		{k("attention.key_length"), u(cfg.HeadDim)},
		{k("attention.value_length"), u(cfg.HeadDim)},
		{k("attention.layer_norm_rms_epsilon"), float32(cfg.RMSNormEps)},
		{k("rope.freq_base"), float32(cfg.RopeTheta)},
		{k("rope.dimension_count"), u(cfg.RotaryDim)},
	}
	rs := cfg.RopeScaling
	switch rs.Type {
	case "", "default", "llama3": // llama3 travels as the rope_freqs tensor
	case "linear":
		kv = append(kv, MetaKV{k("rope.scaling.type"), "linear"}, MetaKV{k("rope.scaling.factor"), float32(rs.Factor)})
	case "yarn":
		orig := rs.OriginalMaxPositionEmbeddings
		if orig == 0 {
			orig = cfg.MaxPositionEmbeddings
		}
		kv = append(kv, MetaKV{k("rope.scaling.type"), "yarn"}, MetaKV{k("rope.scaling.factor"), float32(rs.Factor)},
			MetaKV{k("rope.scaling.original_context_length"), u(orig)})
		if rs.AttentionFactor != 0 {
			kv = append(kv, MetaKV{k("rope.scaling.attn_factor"), float32(rs.AttentionFactor)})
		}
		if rs.BetaFast != 0 {
			kv = append(kv, MetaKV{k("rope.scaling.yarn_beta_fast"), float32(rs.BetaFast)})
		}
		if rs.BetaSlow != 0 {
			kv = append(kv, MetaKV{k("rope.scaling.yarn_beta_slow"), float32(rs.BetaSlow)})
		}
	default:
		return nil, fmt.Errorf("rope_scaling type %q has no GGUF encoding", rs.Type)
	}
	if cfg.SlidingWindow > 0 {
		all, any := true, false
		for _, s := range cfg.LayerSliding {
			all, any = all && s, any || s
		}
		if any {
			kv = append(kv, MetaKV{k("attention.sliding_window"), u(cfg.SlidingWindow)})
			if !all {
				kv = append(kv, MetaKV{k("attention.sliding_window_pattern"), append([]bool(nil), cfg.LayerSliding...)})
			}
		}
	}
	if cfg.BOSTokenID >= 0 {
		kv = append(kv, MetaKV{"tokenizer.ggml.bos_token_id", u(cfg.BOSTokenID)})
	}
	if len(cfg.EOSTokenIDs) > 0 {
		kv = append(kv, MetaKV{"tokenizer.ggml.eos_token_id", u(cfg.EOSTokenIDs[0])})
	}
	return kv, nil
}

// GGUFTensor maps one HF tensor to GGUF: its name, its dims in ne order
// (innermost first), and its rows reordered where the GGUF arch wants
// (q/k projections of arch llama). shape is the HF shape; data holds
// rows of rowBytes bytes in any element type (rows never split a block).
func GGUFTensor(cfg *Config, hfName string, shape []int64, data []byte) (string, []int64, []byte, error) {
	name, ok := HFToGGUF(hfName)
	if !ok {
		return "", nil, nil, fmt.Errorf("tensor %s has no GGUF name", hfName)
	}
	dims := make([]int64, len(shape))
	for i, d := range shape {
		dims[len(shape)-1-i] = d
	}
	arch, _ := GGUFArchFor(cfg.Architecture)
	if PermutesQK(arch) && len(shape) > 0 {
		heads := 0
		switch {
		case hasSuffix(hfName, "self_attn.q_proj.weight"), hasSuffix(hfName, "self_attn.q_proj.bias"):
			heads = cfg.NumHeads
		case hasSuffix(hfName, "self_attn.k_proj.weight"), hasSuffix(hfName, "self_attn.k_proj.bias"):
			heads = cfg.NumKVHeads
		}
		if heads > 0 {
			rows := int(shape[0])
			if rows == 0 || len(data)%rows != 0 {
				return "", nil, nil, fmt.Errorf("tensor %s: %d bytes for %d rows", hfName, len(data), rows)
			}
			p, err := PermuteQKRows(data, heads, cfg.RotaryDim, len(data)/rows)
			if err != nil {
				return "", nil, nil, fmt.Errorf("tensor %s: %w", hfName, err)
			}
			data = p
		}
	}
	return name, dims, data, nil
}

// GGUFRopeFreqs returns the rope_freqs tensor (F32, one divisor per
// rotation pair) that encodes llama3 RoPE scaling in GGUF, or nil when cfg
// needs none.
func GGUFRopeFreqs(cfg *Config) ([]float32, error) {
	if cfg.RopeScaling.Type != "llama3" {
		return nil, nil
	}
	rc := cfg.RoPEConfig()
	scaled, err := nn.NewRoPE(rc)
	if err != nil {
		return nil, err
	}
	rc.Scaling = nn.RoPEScaling{}
	plain, err := nn.NewRoPE(rc)
	if err != nil {
		return nil, err
	}
	ff := make([]float32, len(plain.InvFreq()))
	for i := range ff {
		ff[i] = plain.InvFreq()[i] / scaled.InvFreq()[i]
	}
	return ff, nil
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }
