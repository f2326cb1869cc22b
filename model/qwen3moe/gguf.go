package qwen3moe

import (
	"strings"

	"github.com/ferrum-go/ferrum/model"
)

// GGUFMetadata returns the llama.cpp metadata of a Qwen3-MoE checkpoint
// (general.architecture qwen3moe): the dense Qwen3 keys model.GGUFMetadata
// writes, under the qwen3moe prefix, plus the expert keys. norm_topk_prob
// false travels as qwen3moe.expert_weights_norm = false (llama.cpp
// renormalises qwen3moe's top-k weights unless told otherwise).
func GGUFMetadata(cfg *model.Config, moe *MoEConfig) ([]model.MetaKV, error) {
	dense := *cfg
	dense.Architecture = "Qwen3ForCausalLM"
	kvs, err := model.GGUFMetadata(&dense)
	if err != nil {
		return nil, err
	}
	const arch = "qwen3moe"
	for i := range kvs {
		if kvs[i].Key == "general.architecture" {
			kvs[i].Value = arch
		} else if rest, ok := strings.CutPrefix(kvs[i].Key, "qwen3."); ok {
			kvs[i].Key = arch + "." + rest
		}
	}
	kvs = append(kvs,
		model.MetaKV{Key: arch + ".expert_count", Value: uint32(moe.NumExperts)},
		model.MetaKV{Key: arch + ".expert_used_count", Value: uint32(moe.NumExpertsPerTok)},
		model.MetaKV{Key: arch + ".expert_feed_forward_length", Value: uint32(moe.MoEIntermediateSize)},
	)
	if !moe.NormTopKProb {
		kvs = append(kvs, model.MetaKV{Key: arch + ".expert_weights_norm", Value: false})
	}
	return kvs, nil
}
