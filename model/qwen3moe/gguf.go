package qwen3moe

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
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

var expertName = regexp.MustCompile(`^model\.layers\.(\d+)\.mlp\.experts\.(\d+)\.(gate|up|down)_proj\.weight$`)

// ExpertStack is one GGUF 3-D expert tensor and the per-expert HF tensors
// it stacks, expert 0 first: its data is their data back to back, its dims
// (ne order) [cols, rows, len(Parts)].
type ExpertStack struct {
	GGUFName string
	Parts    []string
}

// GGUFExpertStacks groups a hub checkpoint's per-expert tensors
// (model.layers.L.mlp.experts.E.{gate,up,down}_proj.weight) into the GGUF
// tensors blk.L.ffn_{gate,up,down}_exps.weight, sorted by GGUF name; rest
// are the other names, for model.GGUFTensor. A gap in the expert numbers
// is an error naming the stack.
func GGUFExpertStacks(names []string) (stacks []ExpertStack, rest []string, err error) {
	parts := map[string]map[int]string{}
	for _, n := range names {
		m := expertName.FindStringSubmatch(n)
		if m == nil {
			rest = append(rest, n)
			continue
		}
		l, _ := strconv.Atoi(m[1])
		e, _ := strconv.Atoi(m[2])
		g := model.ExpertsGGUFName(l, m[3])
		if parts[g] == nil {
			parts[g] = map[int]string{}
		}
		parts[g][e] = n
	}
	for g, p := range parts {
		s := ExpertStack{GGUFName: g}
		for e := 0; e < len(p); e++ {
			n, ok := p[e]
			if !ok {
				return nil, nil, fmt.Errorf("%s: expert %d of %d is missing", g, e, len(p))
			}
			s.Parts = append(s.Parts, n)
		}
		stacks = append(stacks, s)
	}
	sort.Slice(stacks, func(i, j int) bool { return stacks[i].GGUFName < stacks[j].GGUFName })
	return stacks, rest, nil
}
