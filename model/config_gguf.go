package model

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ferrum-go/ferrum/format/gguf"
)

// ConfigFromGGUF builds a Config from a GGUF file's metadata (llama.cpp's
// key names) and, for what GGUF does not record as metadata (biases, tied
// embeddings, q/k norm), from which tensors the file holds.
func ConfigFromGGUF(f *gguf.File) (*Config, error) {
	md := f.Metadata
	arch, err := md.String("general.architecture")
	if err != nil {
		return nil, err
	}
	hfArch, ok := GGUFArchitectures[arch]
	if !ok {
		return nil, fmt.Errorf("%s: GGUF architecture %q is not supported (supported: %s)", f.Path, arch, strings.Join(sortedKeys(GGUFArchitectures), ", "))
	}
	r := ggufReader{md: md, arch: arch}
	c := &Config{
		Architecture:          hfArch,
		ModelType:             arch,
		HiddenSize:            r.int("embedding_length", 0, true),
		IntermediateSize:      r.int("feed_forward_length", 0, true),
		NumLayers:             r.int("block_count", 0, true),
		NumHeads:              r.int("attention.head_count", 0, true),
		MaxPositionEmbeddings: r.int("context_length", 0, false),
		RMSNormEps:            r.float("attention.layer_norm_rms_epsilon", 1e-5),
		RopeTheta:             r.float("rope.freq_base", 10000),
		HiddenAct:             "silu",
		RopeNeoX:              !PermutesQK(arch),
		QKNorm:                has(f, "blk.0.attn_q_norm.weight"),
		AttentionBias:         has(f, "blk.0.attn_q.bias"),
		OutputBias:            has(f, "blk.0.attn_output.bias"),
		MLPBias:               has(f, "blk.0.ffn_up.bias"),
		TieWordEmbeddings:     !has(f, "output.weight"),
		BOSTokenID:            -1,
	}
	c.NumKVHeads = r.int("attention.head_count_kv", c.NumHeads, false)
	if c.NumHeads > 0 {
		c.HeadDim = r.int("attention.key_length", c.HiddenSize/c.NumHeads, false)
	}
	if v := r.int("attention.value_length", c.HeadDim, false); v != c.HeadDim {
		r.errs = append(r.errs, fmt.Sprintf("%s.attention.value_length (%d) differs from key_length (%d)", arch, v, c.HeadDim))
	}
	c.RotaryDim = r.int("rope.dimension_count", c.HeadDim, false)
	c.VocabSize = r.int("vocab_size", 0, false)
	if c.VocabSize == 0 {
		if n, err := md.ArrayLen("tokenizer.ggml.tokens"); err == nil {
			c.VocabSize = n
		} else if t, ok := f.Tensor("token_embd.weight"); ok && len(t.Dims) == 2 {
			c.VocabSize = int(t.Dims[1])
		}
	}
	if id, err := md.Uint("tokenizer.ggml.bos_token_id"); err == nil {
		c.BOSTokenID = int(id)
	}
	if id, err := md.Uint("tokenizer.ggml.eos_token_id"); err == nil {
		c.EOSTokenIDs = []int{int(id)}
	}
	switch typ, _ := md.String(arch + ".rope.scaling.type"); typ {
	case "", "none":
	case "linear", "yarn":
		c.RopeScaling = RopeScaling{
			Type:                          typ,
			Factor:                        r.float("rope.scaling.factor", 0),
			OriginalMaxPositionEmbeddings: r.int("rope.scaling.original_context_length", 0, false),
			AttentionFactor:               r.float("rope.scaling.attn_factor", 0),
			BetaFast:                      r.float("rope.scaling.yarn_beta_fast", 0),
			BetaSlow:                      r.float("rope.scaling.yarn_beta_slow", 0),
		}
	default:
		r.errs = append(r.errs, fmt.Sprintf("%s.rope.scaling.type %q is not supported (none, linear, yarn)", arch, typ))
	}
	if c.NumLayers > maxLayers {
		r.errs = append(r.errs, fmt.Sprintf("%s.block_count %d is more than %d", arch, c.NumLayers, maxLayers))
	}
	if w := r.int("attention.sliding_window", 0, false); w > 0 && c.NumLayers <= maxLayers {
		c.SlidingWindow = w
		c.LayerSliding = make([]bool, c.NumLayers)
		// A per-layer pattern (bool array) when only some layers slide.
		if v, ok := md.Get(arch + ".attention.sliding_window_pattern"); ok && v.IsArray() {
			for i := 0; i < v.Len() && i < c.NumLayers; i++ {
				e, _ := v.Index(i)
				b, _ := e.Any().(bool)
				c.LayerSliding[i] = b
			}
		} else {
			for i := range c.LayerSliding {
				c.LayerSliding[i] = true
			}
		}
	}
	if len(r.errs) > 0 {
		for i, e := range r.errs { // the metadata's errors name the file already
			r.errs[i] = strings.TrimPrefix(e, f.Path+": ")
		}
		return nil, fmt.Errorf("%s: %s", f.Path, strings.Join(r.errs, "; "))
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return c, nil
}

type ggufReader struct {
	md   *gguf.Metadata
	arch string
	errs []string
}

func (r *ggufReader) int(key string, def int, required bool) int {
	full := r.arch + "." + key
	v, err := r.md.Uint(full)
	if err != nil {
		if errors.Is(err, gguf.ErrKeyNotFound) && !required {
			return def
		}
		r.errs = append(r.errs, err.Error())
		return def
	}
	if v > math.MaxInt32 {
		r.errs = append(r.errs, fmt.Sprintf("%s is %d, too large", full, v))
		return def
	}
	return int(v)
}

func (r *ggufReader) float(key string, def float64) float64 {
	v, err := r.md.Float(r.arch + "." + key)
	if err != nil {
		if !errors.Is(err, gguf.ErrKeyNotFound) {
			r.errs = append(r.errs, err.Error())
		}
		return def
	}
	return v
}

func has(f *gguf.File, name string) bool { _, ok := f.Tensor(name); return ok }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
