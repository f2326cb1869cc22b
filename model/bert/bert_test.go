package bert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/format/safetensors"
)

func TestConfigErrors(t *testing.T) {
	_, err := ParseHFConfig([]byte(`{"model_type": "bert", "vocab_size": 10, "hidden_size": 30, "num_hidden_layers": 1,
		"num_attention_heads": 4, "intermediate_size": 8, "max_position_embeddings": 8, "hidden_act": "relu"}`))
	for _, want := range []string{"hidden_size (30) is not a multiple of num_attention_heads (4)", `hidden_act "relu"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to mention %q", err, want)
		}
	}
	c, err := ParseHFConfig([]byte(`{"model_type": "xlm-roberta", "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1,
		"num_attention_heads": 2, "intermediate_size": 8, "max_position_embeddings": 12, "pad_token_id": 1}`))
	if err != nil || c.PositionOffset != 2 || c.MaxTokens() != 10 {
		t.Errorf("xlm-roberta: %+v %v", c, err)
	}
}

// A checkpoint with a missing and a misshapen tensor names both.
func TestLoadErrors(t *testing.T) {
	src := "../../testdata/embed/bert"
	ck, err := safetensors.OpenCheckpoint(src)
	if err != nil {
		t.Skip(err)
	}
	defer ck.Close()
	var ts []safetensors.Tensor
	for _, n := range ck.Names() {
		info, _ := ck.Info(n)
		data, _ := ck.Data(n)
		switch n {
		case "encoder.layer.1.output.dense.bias":
			continue
		case "encoder.layer.0.attention.self.key.weight":
			info.Shape = []int64{info.Shape[0] / 2, info.Shape[1] * 2}
		}
		ts = append(ts, safetensors.Tensor{Name: "bert." + n, DType: info.DType, Shape: info.Shape, Data: data})
	}
	dir := t.TempDir()
	raw, _ := os.ReadFile(filepath.Join(src, "config.json"))
	os.WriteFile(filepath.Join(dir, "config.json"), raw, 0o644)
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	be := cpu.New(1)
	defer be.Close()
	_, err = Load(dir, be)
	for _, want := range []string{"bert.encoder.layer.1.output.dense.bias is missing", "bert.encoder.layer.0.attention.self.key.weight has shape [32 128], expected [64 64]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to mention %q", err, want)
		}
	}
	if _, err := Load(src, be); err != nil {
		t.Errorf("the fixture itself: %v", err)
	}
}

func FuzzParseHFConfig(f *testing.F) {
	if data, err := os.ReadFile("../../testdata/embed/roberta/config.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"model_type": "bert", "num_attention_heads": 0, "hidden_size": 4}`))
	f.Add([]byte(`{"model_type": "roberta", "pad_token_id": 99999999999}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseHFConfig(data)
		if err == nil && (c.MaxTokens() <= 0 || c.HiddenSize%c.NumHeads != 0) {
			t.Errorf("accepted %+v", c)
		}
	})
}
