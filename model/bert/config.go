package bert

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/model"
)

// Config is a BERT-family encoder's hyperparameters, named as in
// config.json.
type Config struct {
	ModelType             string  `json:"model_type"` // bert, roberta, xlm-roberta
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	NumLayers             int     `json:"num_hidden_layers"`
	NumHeads              int     `json:"num_attention_heads"`
	IntermediateSize      int     `json:"intermediate_size"`
	HiddenAct             string  `json:"hidden_act"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	TypeVocabSize         int     `json:"type_vocab_size"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	PadTokenID            *int    `json:"pad_token_id"`
	PositionEmbeddingType string  `json:"position_embedding_type"`

	// PositionOffset is added to each token's index in its sequence to
	// find its position embedding: RoBERTa and XLM-R number positions from
	// padding_idx+1 (HF's create_position_ids_from_input_ids); BERT from 0,
	// as does every GGUF (llama.cpp's converter drops the unused rows).
	PositionOffset int `json:"-"`
}

// Supported reports whether ModelType is an encoder this package runs.
func Supported(modelType string) bool {
	switch modelType {
	case "bert", "roberta", "xlm-roberta":
		return true
	}
	return false
}

// LoadHFConfig reads dir/config.json.
func LoadHFConfig(dir string) (*Config, error) { return model.ReadConfigJSON(dir, ParseHFConfig) }

// ParseHFConfig decodes a BertModel / RobertaModel / XLMRobertaModel
// config.json with transformers' defaults.
func ParseHFConfig(data []byte) (*Config, error) {
	c := &Config{HiddenAct: "gelu", TypeVocabSize: 2, LayerNormEps: 1e-12, PositionEmbeddingType: "absolute"}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if c.ModelType == "roberta" || c.ModelType == "xlm-roberta" {
		pad := 1
		if c.PadTokenID != nil {
			pad = *c.PadTokenID
		}
		c.PositionOffset = pad + 1
	}
	return c, c.Validate()
}

// Validate names every bad field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !Supported(c.ModelType) {
		bad("model_type %q is not a supported encoder (bert, roberta, xlm-roberta)", c.ModelType)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumLayers},
		{"num_attention_heads", c.NumHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}} {
		if f.v <= 0 {
			bad("%s must be positive, got %d", f.name, f.v)
		}
	}
	if c.NumLayers > 1<<12 {
		bad("num_hidden_layers %d is too large", c.NumLayers)
	}
	if c.NumHeads > 0 && c.HiddenSize%c.NumHeads != 0 {
		bad("hidden_size (%d) is not a multiple of num_attention_heads (%d)", c.HiddenSize, c.NumHeads)
	}
	if c.TypeVocabSize < 0 {
		bad("type_vocab_size must not be negative, got %d", c.TypeVocabSize)
	}
	if !(c.LayerNormEps > 0) {
		bad("layer_norm_eps must be positive, got %g", c.LayerNormEps)
	}
	switch c.HiddenAct {
	case "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
	default:
		bad("hidden_act %q is not supported (gelu, gelu_new, gelu_pytorch_tanh)", c.HiddenAct)
	}
	if c.PositionEmbeddingType != "" && c.PositionEmbeddingType != "absolute" {
		bad("position_embedding_type %q is not supported (absolute)", c.PositionEmbeddingType)
	}
	if c.PositionOffset < 0 || c.PositionOffset >= c.MaxPositionEmbeddings && c.MaxPositionEmbeddings > 0 {
		bad("position offset %d (pad_token_id + 1) leaves no positions of %d", c.PositionOffset, c.MaxPositionEmbeddings)
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return nil
}

// MaxTokens is the longest sequence the position table allows.
func (c *Config) MaxTokens() int { return c.MaxPositionEmbeddings - c.PositionOffset }

// TanhGELU reports whether hidden_act is one of the tanh approximations.
func (c *Config) TanhGELU() bool { return c.HiddenAct != "gelu" }

// ConfigFromGGUF reads llama.cpp's bert keys. GGUF records no activation;
// the erf GELU that BERT checkpoints use is assumed unless bert.hidden_act
// (written by this package's converter) says otherwise.
func ConfigFromGGUF(f *gguf.File) (*Config, error) {
	md := f.Metadata
	arch, err := md.String("general.architecture")
	if err != nil {
		return nil, err
	}
	if arch != "bert" {
		return nil, fmt.Errorf("%s: GGUF architecture %q is not an encoder (bert)", f.Path, arch)
	}
	var errs []error
	u := func(key string, def int) int {
		v, err := md.Uint(arch + "." + key)
		if err != nil {
			if errors.Is(err, gguf.ErrKeyNotFound) && def >= 0 {
				return def
			}
			errs = append(errs, err)
			return 0
		}
		return int(v)
	}
	c := &Config{
		ModelType:             "bert",
		HiddenSize:            u("embedding_length", -1),
		NumLayers:             u("block_count", -1),
		NumHeads:              u("attention.head_count", -1),
		IntermediateSize:      u("feed_forward_length", -1),
		MaxPositionEmbeddings: u("context_length", -1),
		HiddenAct:             "gelu",
		PositionEmbeddingType: "absolute",
		LayerNormEps:          1e-12,
	}
	if v, err := md.Float(arch + ".attention.layer_norm_epsilon"); err == nil {
		c.LayerNormEps = v
	}
	if v, err := md.String(arch + ".hidden_act"); err == nil {
		c.HiddenAct = v
	}
	if t, ok := f.Tensor("token_embd.weight"); ok && len(t.Dims) == 2 {
		c.VocabSize = int(t.Dims[1])
	}
	if t, ok := f.Tensor("token_types.weight"); ok && len(t.Dims) == 2 {
		c.TypeVocabSize = int(t.Dims[1])
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", f.Path, errors.Join(errs...))
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return c, nil
}
