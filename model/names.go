package model

import (
	"fmt"
	"strconv"
	"strings"
)

// The one mapping between HF tensor names and GGUF tensor names
// (invariant 3). Models bind weights by HF name; a GGUF file is read through
// this table, and `ferrum quantize` writes GGUF names through it.

// globalNames maps whole HF names to GGUF names.
var globalNames = [][2]string{
	{"model.embed_tokens.weight", "token_embd.weight"},
	{"model.norm.weight", "output_norm.weight"},
	{"lm_head.weight", "output.weight"},
}

// layerNames maps the part of a per-layer name after "model.layers.N." to
// the part after "blk.N.".
var layerNames = [][2]string{
	{"input_layernorm.weight", "attn_norm.weight"},
	{"self_attn.q_proj.weight", "attn_q.weight"},
	{"self_attn.q_proj.bias", "attn_q.bias"},
	{"self_attn.k_proj.weight", "attn_k.weight"},
	{"self_attn.k_proj.bias", "attn_k.bias"},
	{"self_attn.v_proj.weight", "attn_v.weight"},
	{"self_attn.v_proj.bias", "attn_v.bias"},
	{"self_attn.o_proj.weight", "attn_output.weight"},
	{"self_attn.o_proj.bias", "attn_output.bias"},
	{"self_attn.q_norm.weight", "attn_q_norm.weight"},
	{"self_attn.k_norm.weight", "attn_k_norm.weight"},
	{"post_attention_layernorm.weight", "ffn_norm.weight"},
	{"mlp.gate_proj.weight", "ffn_gate.weight"},
	{"mlp.gate_proj.bias", "ffn_gate.bias"},
	{"mlp.up_proj.weight", "ffn_up.weight"},
	{"mlp.up_proj.bias", "ffn_up.bias"},
	{"mlp.down_proj.weight", "ffn_down.weight"},
	{"mlp.down_proj.bias", "ffn_down.bias"},
}

// RopeFreqsName is the GGUF tensor llama.cpp's converter writes for llama3
// RoPE scaling: one divisor per rotation pair. It has no HF counterpart
// (HF computes the same factors from rope_scaling).
const RopeFreqsName = "rope_freqs.weight"

// HFToGGUF returns the GGUF name of an HF tensor name.
func HFToGGUF(name string) (string, bool) {
	for _, p := range globalNames {
		if p[0] == name {
			return p[1], true
		}
	}
	layer, rest, ok := splitLayer(name, "model.layers.")
	if !ok {
		return "", false
	}
	for _, p := range layerNames {
		if p[0] == rest {
			return "blk." + layer + "." + p[1], true
		}
	}
	return "", false
}

// GGUFToHF returns the HF name of a GGUF tensor name.
func GGUFToHF(name string) (string, bool) {
	for _, p := range globalNames {
		if p[1] == name {
			return p[0], true
		}
	}
	layer, rest, ok := splitLayer(name, "blk.")
	if !ok {
		return "", false
	}
	for _, p := range layerNames {
		if p[1] == rest {
			return "model.layers." + layer + "." + p[0], true
		}
	}
	return "", false
}

func splitLayer(name, prefix string) (layer, rest string, ok bool) {
	if !strings.HasPrefix(name, prefix) {
		return "", "", false
	}
	layer, rest, ok = strings.Cut(name[len(prefix):], ".")
	if !ok {
		return "", "", false
	}
	if _, err := strconv.Atoi(layer); err != nil {
		return "", "", false
	}
	return layer, rest, true
}

// LayerName is "model.layers.<l>.<suffix>".
func LayerName(l int, suffix string) string { return fmt.Sprintf("model.layers.%d.%s", l, suffix) }

// GGUFArchitectures maps GGUF general.architecture values to the HF
// architecture whose code runs them. Mistral GGUFs use arch "llama".
var GGUFArchitectures = map[string]string{
	"llama": "LlamaForCausalLM",
	"qwen2": "Qwen2ForCausalLM",
	"qwen3": "Qwen3ForCausalLM",
}

// GGUFArchFor is the GGUF general.architecture for an HF architecture.
func GGUFArchFor(hfArch string) (string, bool) {
	switch hfArch {
	case "LlamaForCausalLM", "MistralForCausalLM":
		return "llama", true
	case "Qwen2ForCausalLM":
		return "qwen2", true
	case "Qwen3ForCausalLM":
		return "qwen3", true
	}
	return "", false
}

// PermutesQK reports whether a GGUF arch stores q/k projection rows in
// llama.cpp's permuted order, with adjacent-pair RoPE.
func PermutesQK(ggufArch string) bool { return ggufArch == "llama" }

// PermuteQKRows reorders the rows of an HF q_proj or k_proj weight (or
// bias) the way llama.cpp's converter does for arch llama: within each head,
// row i of the first half and row i of the second half (a rotate_half pair)
// become rows 2i and 2i+1 (an adjacent pair). With partial rotary only the
// first rotDim rows of each head rotate, so only they are reordered
// (rotDim = head dim gives llama.cpp's permutation exactly). rowBytes is the
// byte length of one row; data holds heads*headDim rows.
func PermuteQKRows(data []byte, heads, rotDim, rowBytes int) ([]byte, error) {
	if heads <= 0 || rowBytes <= 0 || len(data)%(heads*rowBytes) != 0 {
		return nil, fmt.Errorf("permute q/k: %d bytes do not split into %d heads of rows of %d bytes", len(data), heads, rowBytes)
	}
	headDim := len(data) / (heads * rowBytes)
	if rotDim%2 != 0 || rotDim <= 0 || rotDim > headDim {
		return nil, fmt.Errorf("permute q/k: rotary dims %d must be even and within head dim %d", rotDim, headDim)
	}
	out := append([]byte(nil), data...)
	half := rotDim / 2
	for h := 0; h < heads; h++ {
		for i := 0; i < half; i++ {
			for j, src := range [2]int{i, i + half} {
				from := (h*headDim + src) * rowBytes
				to := (h*headDim + 2*i + j) * rowBytes
				copy(out[to:to+rowBytes], data[from:from+rowBytes])
			}
		}
	}
	return out, nil
}
