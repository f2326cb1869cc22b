package convert

import (
	"fmt"

	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/model/qwen3moe"
)

const moeArch = "Qwen3MoeForCausalLM"

// moeConfig reads the MoE fields of a Qwen3-MoE config.json. Like the
// model's own loader it undoes model.ParseHFConfig's sliding default:
// Qwen3 slides only with use_sliding_window, and a stray sliding_window
// must not reach the GGUF header.
func moeConfig(cfg *model.Config, raw []byte) (*qwen3moe.MoEConfig, error) {
	moe, err := qwen3moe.ParseHFMoEConfig(raw)
	if err != nil {
		return nil, err
	}
	if err := moe.Validate(cfg.NumLayers); err != nil {
		return nil, err
	}
	if !moe.UseSlidingWindow {
		cfg.SlidingWindow, cfg.LayerSliding = 0, nil
	}
	return moe, nil
}

// addHFExperts lists the stacked expert tensors (blk.L.ffn_*_exps, one
// expert's matrix after another, as convert_hf_to_gguf.py stacks them) and
// returns the checkpoint names left for addHFTensors. Each stack is read
// one expert at a time while it is written.
func addHFExperts(src *source, ck *safetensors.Checkpoint, names []string) ([]string, error) {
	stacks, rest, err := qwen3moe.GGUFExpertStacks(names)
	if err != nil {
		return nil, err
	}
	for _, s := range stacks {
		first, _ := ck.Info(s.Parts[0])
		if len(first.Shape) != 2 {
			return nil, fmt.Errorf("tensor %s has shape %v; want a matrix", s.Parts[0], first.Shape)
		}
		typ, ok := hfTypes[first.DType]
		if !ok {
			return nil, fmt.Errorf("tensor %s has dtype %s; only F32, F16 and BF16 convert", s.Parts[0], first.DType)
		}
		t := srcTensor{name: s.GGUFName, typ: typ, keep: typ,
			dims: []int64{first.Shape[1], first.Shape[0], int64(len(s.Parts))}}
		for _, part := range s.Parts {
			info, _ := ck.Info(part)
			if info.DType != first.DType || len(info.Shape) != 2 || info.Shape[0] != first.Shape[0] || info.Shape[1] != first.Shape[1] {
				return nil, fmt.Errorf("tensor %s is %s %v; the other experts of %s are %s %v",
					part, info.DType, info.Shape, s.GGUFName, first.DType, first.Shape)
			}
			t.parts = append(t.parts, func() ([]byte, error) { return ck.Data(part) })
		}
		src.tensors = append(src.tensors, t)
	}
	return rest, nil
}
