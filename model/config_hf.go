package model

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// hfConfig mirrors the config.json fields decoder models use. Pointers tell
// "absent" from zero where the default depends on the model type.
type hfConfig struct {
	Architectures         []string        `json:"architectures"`
	ModelType             string          `json:"model_type"`
	VocabSize             int             `json:"vocab_size"`
	HiddenSize            int             `json:"hidden_size"`
	IntermediateSize      int             `json:"intermediate_size"`
	NumHiddenLayers       int             `json:"num_hidden_layers"`
	NumAttentionHeads     int             `json:"num_attention_heads"`
	NumKeyValueHeads      *int            `json:"num_key_value_heads"`
	HeadDim               *int            `json:"head_dim"`
	MaxPositionEmbeddings int             `json:"max_position_embeddings"`
	RMSNormEps            *float64        `json:"rms_norm_eps"`
	HiddenAct             string          `json:"hidden_act"`
	RopeTheta             *float64        `json:"rope_theta"`
	RopeScaling           json.RawMessage `json:"rope_scaling"`
	RopeParameters        json.RawMessage `json:"rope_parameters"` // transformers 5
	PartialRotaryFactor   *float64        `json:"partial_rotary_factor"`
	TieWordEmbeddings     *bool           `json:"tie_word_embeddings"`
	AttentionBias         *bool           `json:"attention_bias"`
	MLPBias               bool            `json:"mlp_bias"`
	SlidingWindow         *int            `json:"sliding_window"`
	UseSlidingWindow      *bool           `json:"use_sliding_window"`
	MaxWindowLayers       *int            `json:"max_window_layers"`
	LayerTypes            []string        `json:"layer_types"`
	BOSTokenID            *int            `json:"bos_token_id"`
	EOSTokenID            json.RawMessage `json:"eos_token_id"` // int or list
}

type hfRope struct {
	RopeType                      string   `json:"rope_type"`
	Type                          string   `json:"type"` // older spelling
	RopeTheta                     *float64 `json:"rope_theta"`
	PartialRotaryFactor           *float64 `json:"partial_rotary_factor"`
	Factor                        float64  `json:"factor"`
	OriginalMaxPositionEmbeddings int      `json:"original_max_position_embeddings"`
	LowFreqFactor                 float64  `json:"low_freq_factor"`
	HighFreqFactor                float64  `json:"high_freq_factor"`
	AttentionFactor               float64  `json:"attention_factor"`
	BetaFast                      float64  `json:"beta_fast"`
	BetaSlow                      float64  `json:"beta_slow"`
	MScale                        float64  `json:"mscale"`
	MScaleAllDim                  float64  `json:"mscale_all_dim"`
	Truncate                      *bool    `json:"truncate"`
}

// LoadHFConfig reads dir/config.json.
func LoadHFConfig(dir string) (*Config, error) { return ReadConfigJSON(dir, ParseHFConfig) }

// ReadConfigJSON reads dir/config.json and decodes it with parse (each
// architecture family has its own Config); a decoding error names the file.
func ReadConfigJSON[C any](dir string, parse func([]byte) (C, error)) (C, error) {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		var zero C
		return zero, err
	}
	c, err := parse(data)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseHFConfig decodes a transformers config.json (4.x or 5.x spelling of
// the RoPE fields) and validates it.
func ParseHFConfig(data []byte) (*Config, error) {
	var h hfConfig
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c := &Config{
		ModelType:             h.ModelType,
		VocabSize:             h.VocabSize,
		HiddenSize:            h.HiddenSize,
		IntermediateSize:      h.IntermediateSize,
		NumLayers:             h.NumHiddenLayers,
		NumHeads:              h.NumAttentionHeads,
		NumKVHeads:            h.NumAttentionHeads,
		MaxPositionEmbeddings: h.MaxPositionEmbeddings,
		RMSNormEps:            1e-6,
		HiddenAct:             h.HiddenAct,
		RopeTheta:             10000,
		RopeNeoX:              true,
		MLPBias:               h.MLPBias,
		QKNorm:                h.ModelType == "qwen3",
		AttentionBias:         h.ModelType == "qwen2", // Qwen2 always has q/k/v biases
		BOSTokenID:            -1,
	}
	if len(h.Architectures) > 0 {
		c.Architecture = h.Architectures[0]
	} else if a, ok := archForModelType[h.ModelType]; ok {
		c.Architecture = a
	}
	if c.HiddenAct == "" {
		c.HiddenAct = "silu"
	}
	if h.NumKeyValueHeads != nil {
		c.NumKVHeads = *h.NumKeyValueHeads
	}
	if h.HeadDim != nil && *h.HeadDim > 0 {
		c.HeadDim = *h.HeadDim
	} else if c.NumHeads > 0 {
		if c.HiddenSize%c.NumHeads != 0 {
			return nil, fmt.Errorf("config: hidden_size (%d) is not a multiple of num_attention_heads (%d) and head_dim is not set", c.HiddenSize, c.NumHeads)
		}
		c.HeadDim = c.HiddenSize / c.NumHeads
	}
	if h.RMSNormEps != nil {
		c.RMSNormEps = *h.RMSNormEps
	}
	if h.TieWordEmbeddings != nil {
		c.TieWordEmbeddings = *h.TieWordEmbeddings
	}
	// Qwen2 always has q/k/v biases and never an o_proj bias; Llama and
	// Qwen3 put attention_bias on all four projections; Mistral on none.
	switch h.ModelType {
	case "qwen2":
	case "mistral":
		c.AttentionBias = false
	default:
		if h.AttentionBias != nil {
			c.AttentionBias = *h.AttentionBias
			c.OutputBias = *h.AttentionBias
		}
	}
	if h.BOSTokenID != nil {
		c.BOSTokenID = *h.BOSTokenID
	}
	if len(h.EOSTokenID) > 0 && string(h.EOSTokenID) != "null" {
		var one int
		if json.Unmarshal(h.EOSTokenID, &one) == nil {
			c.EOSTokenIDs = []int{one}
		} else if err := json.Unmarshal(h.EOSTokenID, &c.EOSTokenIDs); err != nil {
			return nil, fmt.Errorf("config: eos_token_id: %w", err)
		}
	}

	if err := c.parseRope(&h); err != nil {
		return nil, err
	}
	if c.NumLayers < 0 || c.NumLayers > maxLayers {
		return nil, fmt.Errorf("config: num_hidden_layers %d is outside 0..%d", c.NumLayers, maxLayers)
	}
	c.parseSliding(&h)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// maxLayers bounds num_hidden_layers so a corrupt config cannot make the
// loader allocate without limit.
const maxLayers = 1 << 12

var archForModelType = map[string]string{
	"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM",
	"qwen2": "Qwen2ForCausalLM", "qwen3": "Qwen3ForCausalLM",
}

func (c *Config) parseRope(h *hfConfig) error {
	partial := 1.0
	if h.PartialRotaryFactor != nil {
		partial = *h.PartialRotaryFactor
	}
	if h.RopeTheta != nil {
		c.RopeTheta = *h.RopeTheta
	}
	// transformers 5 folds rope_theta and the scaling into rope_parameters;
	// 4.x has rope_theta at the top and rope_scaling beside it.
	for _, raw := range []json.RawMessage{h.RopeScaling, h.RopeParameters} {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var r hfRope
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("config: rope_scaling/rope_parameters: %w", err)
		}
		if r.RopeTheta != nil {
			c.RopeTheta = *r.RopeTheta
		}
		if r.PartialRotaryFactor != nil {
			partial = *r.PartialRotaryFactor
		}
		typ := r.RopeType
		if typ == "" {
			typ = r.Type
		}
		if typ == "default" {
			typ = ""
		}
		c.RopeScaling = RopeScaling{
			Type: typ, Factor: r.Factor, OriginalMaxPositionEmbeddings: r.OriginalMaxPositionEmbeddings,
			LowFreqFactor: r.LowFreqFactor, HighFreqFactor: r.HighFreqFactor,
			AttentionFactor: r.AttentionFactor, BetaFast: r.BetaFast, BetaSlow: r.BetaSlow,
			MScale: r.MScale, MScaleAllDim: r.MScaleAllDim, Truncate: r.Truncate,
		}
	}
	c.RotaryDim = int(float64(c.HeadDim) * partial)
	if !(partial > 0 && partial <= 1) {
		return fmt.Errorf("config: partial_rotary_factor must be in (0, 1], got %g", partial)
	}
	return nil
}

// parseSliding follows transformers: an explicit layer_types list wins;
// otherwise Mistral slides on every layer when sliding_window is set, and
// Qwen2/Qwen3 only with use_sliding_window, from layer max_window_layers on.
func (c *Config) parseSliding(h *hfConfig) {
	if h.SlidingWindow == nil || *h.SlidingWindow <= 0 {
		return
	}
	c.SlidingWindow = *h.SlidingWindow
	c.LayerSliding = make([]bool, c.NumLayers)
	switch {
	case len(h.LayerTypes) > 0:
		c.LayerSliding = make([]bool, len(h.LayerTypes)) // Validate compares the length
		for i, t := range h.LayerTypes {
			c.LayerSliding[i] = t == "sliding_attention"
		}
	case c.ModelType == "qwen2" || c.ModelType == "qwen3":
		if h.UseSlidingWindow == nil || !*h.UseSlidingWindow {
			break
		}
		first := 0
		if h.MaxWindowLayers != nil {
			first = max(*h.MaxWindowLayers, 0)
		}
		for i := first; i < c.NumLayers; i++ {
			c.LayerSliding[i] = true
		}
	case c.ModelType == "llama":
		// Llama has no sliding window; the field is ignored as transformers does.
	default:
		for i := range c.LayerSliding {
			c.LayerSliding[i] = true
		}
	}
}
