package model

import "fmt"

// Qwen3-MoE's entries in the one HF<->GGUF mapping (invariant 3), kept in
// their own file by the MoE work. The router is an ordinary 2-D tensor with
// a name on both sides. The experts are not: hub checkpoints store one
// matrix per expert (model.layers.L.mlp.experts.E.gate_proj.weight) while
// GGUF stacks all experts of a projection into one 3-D tensor
// (blk.L.ffn_gate_exps.weight, [n_expert, n_ff, n_embd] in HF order), so
// they are reached through Weights.Extra under ExpertsGGUFName.
func init() {
	layerNames = append(layerNames, [2]string{"mlp.gate.weight", "ffn_gate_inp.weight"})
	GGUFArchitectures["qwen3moe"] = "Qwen3MoeForCausalLM"
}

// ExpertsGGUFName is the GGUF name of layer l's stacked expert weights for
// proj "gate", "up" or "down".
func ExpertsGGUFName(l int, proj string) string {
	return fmt.Sprintf("blk.%d.ffn_%s_exps.weight", l, proj)
}
