package qwen3moe

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/model"
)

// MoEConfig is the mixture-of-experts part of a Qwen3-MoE config, with
// config.json's names. model.Config has no room for it, so it is read here
// from the same source the model.Config came from.
type MoEConfig struct {
	NumExperts          int   `json:"num_experts"`
	NumExpertsPerTok    int   `json:"num_experts_per_tok"`
	MoEIntermediateSize int   `json:"moe_intermediate_size"`
	NormTopKProb        bool  `json:"norm_topk_prob"`
	MLPOnlyLayers       []int `json:"mlp_only_layers"`
	DecoderSparseStep   int   `json:"decoder_sparse_step"`

	// UseSlidingWindow is read only to undo model.ParseHFConfig's default
	// for unknown model types, which would slide every layer whenever
	// sliding_window is set; Qwen3 slides only when this is true.
	UseSlidingWindow bool `json:"use_sliding_window"`
}

// Sparse reports whether layer l runs experts (transformers' rule: not in
// mlp_only_layers, and (l+1) a multiple of decoder_sparse_step).
func (c *MoEConfig) Sparse(l int) bool {
	if c.NumExperts <= 0 || slices.Contains(c.MLPOnlyLayers, l) {
		return false
	}
	step := max(c.DecoderSparseStep, 1)
	return (l+1)%step == 0
}

// Validate names every bad field.
func (c *MoEConfig) Validate(numLayers int) error {
	var errs []error
	if c.NumExperts <= 0 {
		errs = append(errs, fmt.Errorf("num_experts must be positive, got %d", c.NumExperts))
	}
	if c.NumExpertsPerTok <= 0 || c.NumExpertsPerTok > c.NumExperts {
		errs = append(errs, fmt.Errorf("num_experts_per_tok (%d) must be in 1..num_experts (%d)", c.NumExpertsPerTok, c.NumExperts))
	}
	if c.MoEIntermediateSize <= 0 {
		errs = append(errs, fmt.Errorf("moe_intermediate_size must be positive, got %d", c.MoEIntermediateSize))
	}
	if c.DecoderSparseStep < 0 {
		errs = append(errs, fmt.Errorf("decoder_sparse_step must not be negative, got %d", c.DecoderSparseStep))
	}
	for _, l := range c.MLPOnlyLayers {
		if l < 0 || l >= numLayers {
			errs = append(errs, fmt.Errorf("mlp_only_layers names layer %d of %d", l, numLayers))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return nil
}

// ParseHFMoEConfig reads the MoE fields of a Qwen3-MoE config.json, with
// transformers' defaults for absent ones (decoder_sparse_step 1,
// norm_topk_prob false).
func ParseHFMoEConfig(data []byte) (*MoEConfig, error) {
	c := &MoEConfig{DecoderSparseStep: 1}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// moeConfigFromGGUF reads llama.cpp's qwen3moe keys. llama.cpp has no
// mlp_only_layers: which layers are sparse follows from which hold a router
// (ffn_gate_inp). llama.cpp always renormalises the top-k weights for
// qwen3moe; <arch>.expert_weights_norm, when present, says otherwise
// (our converter writes it for norm_topk_prob false).
func moeConfigFromGGUF(f *gguf.File, numLayers int) (*MoEConfig, error) {
	arch, err := f.Metadata.String("general.architecture")
	if err != nil {
		return nil, err
	}
	u := func(key string) (int, error) {
		v, err := f.Metadata.Uint(arch + "." + key)
		return int(v), err
	}
	c := &MoEConfig{DecoderSparseStep: 1, NormTopKProb: true}
	var errs []error
	if c.NumExperts, err = u("expert_count"); err != nil {
		errs = append(errs, err)
	}
	if c.NumExpertsPerTok, err = u("expert_used_count"); err != nil {
		errs = append(errs, err)
	}
	if c.MoEIntermediateSize, err = u("expert_feed_forward_length"); err != nil {
		errs = append(errs, err)
	}
	if f.Metadata.Has(arch + ".expert_weights_norm") {
		if c.NormTopKProb, err = f.Metadata.Bool(arch + ".expert_weights_norm"); err != nil {
			errs = append(errs, err)
		}
	}
	for l := 0; l < numLayers; l++ {
		if _, ok := f.Tensor(fmt.Sprintf("blk.%d.ffn_gate_inp.weight", l)); !ok {
			c.MLPOnlyLayers = append(c.MLPOnlyLayers, l)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", f.Path, errors.Join(errs...))
	}
	return c, nil
}

// ConfigSource is what a model.Weights implementation other than the two
// built-in ones can offer so that its MoE fields can be read.
type ConfigSource interface {
	MoEConfig(numLayers int) (*MoEConfig, error)
}

// moeConfigFor finds the MoE fields for the checkpoint behind w: GGUF
// metadata, or the config.json beside the safetensors files.
func moeConfigFor(w model.Weights, numLayers int) (*MoEConfig, error) {
	switch w := w.(type) {
	case ConfigSource:
		return w.MoEConfig(numLayers)
	case model.GGUFWeights:
		return moeConfigFromGGUF(w.F, numLayers)
	case model.SafetensorsWeights:
		files := w.C.Files()
		if len(files) == 0 {
			return nil, fmt.Errorf("qwen3moe: checkpoint has no files")
		}
		path := filepath.Join(filepath.Dir(files[0].Path()), "config.json")
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("qwen3moe: the MoE fields come from config.json: %w", err)
		}
		c, err := ParseHFMoEConfig(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("qwen3moe: cannot find the MoE config of %T weights (implement qwen3moe.ConfigSource)", w)
}
