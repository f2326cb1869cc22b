package convert

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ferrum-go/ferrum/quant"
)

// Shape is what llama.cpp's type choice needs to know about a model.
type Shape struct {
	Arch       string // GGUF architecture ("llama", "qwen2", ...)
	NumLayers  int
	NumHeads   int
	NumKVHeads int
	NumExperts int // 0 or 1 for dense models
}

// gqa is hparams.n_gqa(): query heads per KV head.
func (s Shape) gqa() int {
	if s.NumKVHeads <= 0 {
		return 1
	}
	return s.NumHeads / s.NumKVHeads
}

// is70B mirrors llama.cpp's LLM_TYPE_70B guess, the one model size its
// recipes single out: a llama with 80 layers and grouped KV heads.
func (s Shape) is70B() bool {
	return s.Arch == "llama" && s.NumLayers == 80 && s.NumHeads != s.NumKVHeads
}

// TensorDesc is one tensor as the recipe sees it.
type TensorDesc struct {
	Name string
	Dims []int64    // ne order
	Keep quant.Type // the type it stays in when it is not quantized
}

// Choice is the recipe's decision for one tensor.
type Choice struct {
	Type quant.Type
	// FallbackFrom is the type the recipe wanted before the row length
	// forced another (0 with Fallback false when none).
	FallbackFrom quant.Type
	Fallback     bool
}

// Recipe picks each tensor's type for file type ft the way llama-quantize
// does (llama_tensor_get_type without an importance matrix or overrides).
// Results are in the order of tensors; the layer counters the _M/_L mixes
// use run in llama.cpp's tensor order (globals by name, then each block's
// tensors by name), whatever order tensors come in.
func Recipe(ft FileType, s Shape, tensors []TensorDesc) ([]Choice, error) {
	base := ft.BaseType()
	if _, ok := fileTypes[ft]; !ok {
		return nil, fmt.Errorf("unknown file type %d", uint32(ft))
	}
	r := recipeState{ft: ft, s: s, tied: true}
	for _, t := range tensors {
		switch category(t.Name) {
		case catAttnV:
			r.nAttnV++
		case catOutput:
			r.tied = false
		}
	}
	out := make([]Choice, len(tensors))
	for _, i := range llamaOrder(tensors) {
		t := tensors[i]
		if !quantizable(t) {
			out[i] = Choice{Type: t.Keep}
			continue
		}
		typ := base
		if !isQuantized(base) {
			out[i] = Choice{Type: typ}
			continue
		}
		typ = r.pick(typ, t)
		c, err := fallback(t, typ)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// keptWhole are the name parts of matrices llama.cpp never quantizes
// (tensor_allows_quantization): norms, MoE routers, and small or
// position-like tensors of other architectures.
var keptWhole = []string{
	"_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel",
	"per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight",
	"indexer.q_proj.weight", "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight",
	"time_mix_w2.weight", "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
	"time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight",
	"time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
	"time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.",
	"sam.net_", ".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
}

// quantizable is tensor_allows_quantization: matrices (and 3-D expert
// stacks) whose name ends in "weight", except the keptWhole ones and BERT's
// position and token-type embeddings.
func quantizable(t TensorDesc) bool {
	if nDims(t.Dims) < 2 || !strings.HasSuffix(t.Name, "weight") {
		return false
	}
	if t.Name == "position_embd.weight" || t.Name == "token_types.weight" {
		return false
	}
	for _, k := range keptWhole {
		if strings.Contains(t.Name, k) {
			return false
		}
	}
	return true
}

// nDims is ggml_n_dims: trailing dimensions of 1 do not count.
func nDims(dims []int64) int {
	for i := len(dims) - 1; i >= 1; i-- {
		if dims[i] > 1 {
			return i + 1
		}
	}
	return 1
}

type tensorCategory int

const (
	catOther tensorCategory = iota
	catTokenEmbd
	catOutput
	catAttnQ
	catAttnK
	catAttnV // attn_v and fused attn_qkv
	catAttnOutput
	catFFNUp
	catFFNGate
	catFFNDown
)

// category is tensor_get_category: substring tests in llama.cpp's order.
func category(name string) tensorCategory {
	switch {
	case name == "output.weight":
		return catOutput
	case name == "token_embd.weight":
		return catTokenEmbd
	case strings.Contains(name, "attn_qkv.weight"), strings.Contains(name, "attn_v.weight"):
		return catAttnV
	case strings.Contains(name, "attn_k.weight"):
		return catAttnK
	case strings.Contains(name, "attn_q.weight"):
		return catAttnQ
	case strings.Contains(name, "attn_output.weight"):
		return catAttnOutput
	case strings.Contains(name, "ffn_up"):
		return catFFNUp
	case strings.Contains(name, "ffn_gate"):
		return catFFNGate
	case strings.Contains(name, "ffn_down"):
		return catFFNDown
	}
	return catOther
}

type recipeState struct {
	ft             FileType
	s              Shape
	tied           bool // no output.weight: token_embd doubles as the output
	nAttnV, iAttnV int
	iFFNDown       int
}

// moreBits is llama.cpp's use_more_bits: the first and last eighth of the
// layers and every third one between get the larger type.
func moreBits(i, n int) bool { return i < n/8 || i >= 7*n/8 || (i-n/8)%3 == 2 }

// pick is llama_tensor_get_type_impl for the file types of this package.
func (r *recipeState) pick(typ quant.Type, t TensorDesc) quant.Type {
	ft := r.ft
	switch cat := category(t.Name); {
	case cat == catOutput || (r.tied && cat == catTokenEmbd):
		// The output projection is the most sensitive matrix: Q6_K unless the
		// file is Q8_0, or Q8_0 when rows do not split into the base blocks.
		if t.Dims[0]%int64(typ.BlockSize()) != 0 {
			return quant.Q8_0
		}
		if typ != quant.Q8_0 {
			return quant.Q6_K
		}
		return typ
	case cat == catTokenEmbd:
		return typ
	case cat == catAttnV:
		defer func() { r.iAttnV++ }()
		switch {
		case ft == Q2_K:
			if r.s.gqa() >= 4 {
				typ = quant.Q4_K
			} else {
				typ = quant.Q3_K
			}
		case ft == Q3_K_M:
			if r.iAttnV < 2 {
				typ = quant.Q5_K
			} else {
				typ = quant.Q4_K
			}
		case ft == Q3_K_L:
			typ = quant.Q5_K
		case (ft == IQ4_NL || ft == IQ4_XS) && r.s.gqa() >= 4:
			typ = quant.Q5_K
		case (ft == Q4_K_M || ft == Q5_K_M) && moreBits(r.iAttnV, r.nAttnV):
			typ = quant.Q6_K
		case ft == Q4_K_S && r.iAttnV < 4:
			typ = quant.Q5_K
		}
		if r.s.is70B() && (typ == quant.Q3_K || typ == quant.Q4_K) {
			typ = quant.Q5_K
		}
		if r.s.NumExperts == 8 {
			typ = quant.Q8_0 // llama.cpp: cheap for 8-expert models
		}
		return typ
	case cat == catAttnK:
		if r.s.NumExperts == 8 {
			return quant.Q8_0
		}
		return typ
	case cat == catFFNDown:
		i, n := r.iFFNDown, r.s.NumLayers
		r.iFFNDown++
		if r.s.NumExperts > 1 {
			// Expert tensors need not come one per layer: llama.cpp takes the
			// layer from the name.
			i = blockOf(t.Name)
		}
		switch {
		case ft == Q2_K:
			return quant.Q3_K
		case ft == Q3_K_M:
			if i < n/16 {
				return quant.Q5_K
			}
			return quant.Q4_K
		case ft == Q3_K_L:
			return quant.Q5_K
		case ft == Q4_K_M:
			if moreBits(i, n) {
				return quant.Q6_K
			}
		case i < n/8 && (ft == IQ4_NL || ft == IQ4_XS):
			return quant.Q5_K
		case ft == Q5_K_M && moreBits(i, n):
			return quant.Q6_K
		case ft == Q4_K_S && i < n/8:
			return quant.Q5_K
		}
		return typ
	case cat == catAttnOutput:
		if r.s.NumExperts == 8 {
			switch ft {
			case Q2_K, Q3_K_S, Q3_K_M, IQ4_NL, Q4_K_S, Q4_K_M, IQ4_XS:
				return quant.Q5_K
			}
			return typ
		}
		switch ft {
		case Q2_K:
			return quant.Q3_K
		case Q3_K_M:
			return quant.Q4_K
		case Q3_K_L:
			return quant.Q5_K
		}
	}
	return typ
}

// fallback is tensor_type_fallback: a row length the type's blocks do not
// divide takes a 32-wide type of similar size, or F16 when even that fails.
func fallback(t TensorDesc, typ quant.Type) (Choice, error) {
	cols := t.Dims[0]
	if cols%int64(typ.BlockSize()) == 0 {
		return Choice{Type: typ}, nil
	}
	var alt quant.Type
	switch typ {
	case quant.IQ4_XS:
		alt = quant.IQ4_NL
	case quant.Q2_K, quant.Q3_K:
		alt = quant.Q4_0
	case quant.Q4_K:
		alt = quant.Q5_0
	case quant.Q5_K:
		alt = quant.Q5_1
	case quant.Q6_K:
		alt = quant.Q8_0
	default:
		return Choice{}, fmt.Errorf("tensor %s: rows of %d values do not split into %s blocks of %d, and llama.cpp defines no fallback for %s",
			t.Name, cols, typ, typ.BlockSize(), typ)
	}
	if cols%int64(alt.BlockSize()) != 0 {
		alt = quant.F16
	}
	return Choice{Type: alt, FallbackFrom: typ, Fallback: true}, nil
}

// llamaOrder returns the indexes of tensors in llama.cpp's loader order
// (weight_name_comparer): tensors outside blocks first, then block by
// block, by name within each.
func llamaOrder(tensors []TensorDesc) []int {
	idx := make([]int, len(tensors))
	layer := make([]int, len(tensors))
	for i, t := range tensors {
		idx[i] = i
		layer[i] = blockOf(t.Name)
	}
	sort.SliceStable(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		if layer[i] != layer[j] {
			return layer[i] < layer[j]
		}
		return tensors[i].Name < tensors[j].Name
	})
	return idx
}

// blockOf is the N of "blk.N.", or -1.
func blockOf(name string) int {
	rest, ok := strings.CutPrefix(name, "blk.")
	if !ok {
		return -1
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil || end == len(rest) || rest[end] != '.' {
		return -1
	}
	return n
}
