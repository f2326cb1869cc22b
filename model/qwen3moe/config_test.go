package qwen3moe

import (
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model"
)

func TestSparseLayers(t *testing.T) {
	c := &MoEConfig{NumExperts: 8, NumExpertsPerTok: 2, MoEIntermediateSize: 4, DecoderSparseStep: 2, MLPOnlyLayers: []int{3}}
	var got []int
	for l := 0; l < 6; l++ {
		if c.Sparse(l) {
			got = append(got, l)
		}
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 5 {
		t.Errorf("sparse layers %v, want [1 5]", got)
	}
	bad := &MoEConfig{NumExperts: 4, NumExpertsPerTok: 5, MLPOnlyLayers: []int{9}}
	err := bad.Validate(4)
	for _, want := range []string{"num_experts_per_tok (5)", "moe_intermediate_size", "mlp_only_layers names layer 9"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v, want it to mention %q", err, want)
		}
	}
}

// A checkpoint missing an expert is an error naming the tensor.
func TestMissingExpert(t *testing.T) {
	dir := writeSyntheticMoE(t, 4, 2, 1)
	be := cpu.New(1)
	defer be.Close()
	cfg, err := model.LoadHFConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	moe := &MoEConfig{NumExperts: 5, NumExpertsPerTok: 2, MoEIntermediateSize: 32, DecoderSparseStep: 1}
	ws := openWeights(t, dir)
	defer ws.Close()
	_, err = NewWithMoE(cfg, moe, ws, be, model.Options{})
	if err == nil || !strings.Contains(err.Error(), "mlp.experts.4.gate_proj.weight is missing") || !strings.Contains(err.Error(), "model.layers.0.mlp.gate.weight has shape [4 64], expected [5 64]") {
		t.Errorf("error %v", err)
	}
}

func FuzzParseHFMoEConfig(f *testing.F) {
	f.Add([]byte(`{"num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 48, "norm_topk_prob": true, "mlp_only_layers": [0], "decoder_sparse_step": 1}`))
	f.Add([]byte(`{"mlp_only_layers": "x"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseHFMoEConfig(data)
		if err != nil {
			return
		}
		if c.Validate(4) == nil {
			for l := 0; l < 4; l++ {
				c.Sparse(l)
			}
		}
	})
}
