package model

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ferrum-go/ferrum/nn"
)

// Config is one decoder's hyperparameters, whichever file they came from
// (HF config.json or GGUF metadata). Field names follow HF's config.json.
type Config struct {
	// Architecture is the HF class name ("LlamaForCausalLM", ...); GGUF
	// architectures are mapped to it, so the registry has one key space.
	Architecture string
	ModelType    string // HF model_type: "llama", "mistral", "qwen2", "qwen3"

	VocabSize             int
	HiddenSize            int
	IntermediateSize      int
	NumLayers             int
	NumHeads              int
	NumKVHeads            int
	HeadDim               int
	MaxPositionEmbeddings int
	RMSNormEps            float64
	HiddenAct             string

	RopeTheta float64
	// RotaryDim is the number of leading dims of each head that rotate
	// (HeadDim * partial_rotary_factor).
	RotaryDim   int
	RopeScaling RopeScaling
	// RopeNeoX: dims i and i+RotaryDim/2 form a rotation pair (HF's
	// rotate_half). GGUF files of arch llama store q/k rows permuted so that
	// adjacent dims pair instead; for them RopeNeoX is false.
	RopeNeoX bool

	TieWordEmbeddings bool
	AttentionBias     bool // q/k/v projections have biases
	OutputBias        bool // the attention output projection has a bias
	MLPBias           bool
	QKNorm            bool // Qwen3: RMSNorm over each q and k head before RoPE

	// SlidingWindow > 0 limits attention to the last SlidingWindow
	// positions on the layers marked in LayerSliding.
	SlidingWindow int
	LayerSliding  []bool

	BOSTokenID  int // -1 when unknown
	EOSTokenIDs []int
}

// RopeScaling is HF's rope_scaling / rope_parameters block. Type "" means
// plain RoPE.
type RopeScaling struct {
	Type   string // "", "linear", "dynamic", "yarn", "llama3"
	Factor float64
	// OriginalMaxPositionEmbeddings: llama3 and yarn.
	OriginalMaxPositionEmbeddings int
	LowFreqFactor, HighFreqFactor float64 // llama3
	// YaRN; zero values take transformers' defaults.
	AttentionFactor      float64
	BetaFast, BetaSlow   float64
	MScale, MScaleAllDim float64
	Truncate             *bool
}

// SupportedRopeTypes are the rope_scaling types Config accepts.
var SupportedRopeTypes = []string{"default", "linear", "dynamic", "yarn", "llama3"}

// Window returns the sliding window of layer l, 0 for full attention.
func (c *Config) Window(l int) int {
	if c.SlidingWindow > 0 && l < len(c.LayerSliding) && c.LayerSliding[l] {
		return c.SlidingWindow
	}
	return 0
}

// KVWidth is the width of one layer's K (and V) rows in the cache.
func (c *Config) KVWidth() int { return c.NumKVHeads * c.HeadDim }

// Validate reports every field that is missing or disagrees with another,
// naming them, e.g. "num_attention_heads (12) is not a multiple of
// num_key_value_heads (5)".
func (c *Config) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	for _, f := range []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumLayers}, {"num_attention_heads", c.NumHeads},
		{"num_key_value_heads", c.NumKVHeads}, {"head_dim", c.HeadDim},
	} {
		if f.v <= 0 {
			bad("%s must be positive, got %d", f.name, f.v)
		}
	}
	if c.NumLayers > maxLayers {
		bad("num_hidden_layers %d is more than %d", c.NumLayers, maxLayers)
	}
	if c.NumHeads > 0 && c.NumKVHeads > 0 && c.NumHeads%c.NumKVHeads != 0 {
		bad("num_attention_heads (%d) is not a multiple of num_key_value_heads (%d)", c.NumHeads, c.NumKVHeads)
	}
	if c.RotaryDim <= 0 || c.RotaryDim > c.HeadDim || c.RotaryDim%2 != 0 {
		bad("rotary dims (head_dim %d x partial_rotary_factor = %d) must be even and within head_dim", c.HeadDim, c.RotaryDim)
	}
	if !(c.RMSNormEps > 0) {
		bad("rms_norm_eps must be positive, got %g", c.RMSNormEps)
	}
	if !(c.RopeTheta > 0) {
		bad("rope_theta must be positive, got %g", c.RopeTheta)
	}
	if c.HiddenAct != "silu" && c.HiddenAct != "swish" {
		bad("hidden_act %q is not supported (silu)", c.HiddenAct)
	}
	if len(c.LayerSliding) != 0 && len(c.LayerSliding) != c.NumLayers {
		bad("layer_types has %d entries but num_hidden_layers is %d", len(c.LayerSliding), c.NumLayers)
	}
	if c.SlidingWindow < 0 {
		bad("sliding_window must not be negative, got %d", c.SlidingWindow)
	}
	rs := c.RopeScaling
	switch rs.Type {
	case "", "default":
	case "linear", "dynamic", "yarn":
		if !(rs.Factor > 0) {
			bad("rope_scaling of type %s needs a positive factor, got %g", rs.Type, rs.Factor)
		}
	case "llama3":
		if !(rs.Factor > 0) || rs.OriginalMaxPositionEmbeddings <= 0 || !(rs.HighFreqFactor > rs.LowFreqFactor) {
			bad("rope_scaling llama3 needs factor > 0, original_max_position_embeddings > 0 and high_freq_factor > low_freq_factor; got %g, %d, %g, %g",
				rs.Factor, rs.OriginalMaxPositionEmbeddings, rs.HighFreqFactor, rs.LowFreqFactor)
		}
	default:
		bad("rope_scaling type %q is not supported (supported: %s)", rs.Type, strings.Join(SupportedRopeTypes, ", "))
	}
	if len(errs) > 0 {
		return errors.New("config: " + strings.Join(errs, "; "))
	}
	return nil
}

// RoPEConfig is the rotary embedding the config describes.
func (c *Config) RoPEConfig() nn.RoPEConfig {
	rs := c.RopeScaling
	return nn.RoPEConfig{
		HeadDim: c.HeadDim, RotDim: c.RotaryDim, Theta: c.RopeTheta, NeoX: c.RopeNeoX,
		MaxPositions: c.MaxPositionEmbeddings,
		Scaling: nn.RoPEScaling{
			Type: rs.Type, Factor: rs.Factor, OriginalMaxPositions: rs.OriginalMaxPositionEmbeddings,
			LowFreqFactor: rs.LowFreqFactor, HighFreqFactor: rs.HighFreqFactor,
			AttentionFactor: rs.AttentionFactor, BetaFast: rs.BetaFast, BetaSlow: rs.BetaSlow,
			MScale: rs.MScale, MScaleAllDim: rs.MScaleAllDim, Truncate: rs.Truncate,
		},
	}
}
