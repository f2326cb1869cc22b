package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseHFConfigErrorsNameFields(t *testing.T) {
	for _, c := range []struct {
		json string
		want []string
	}{
		{`{"architectures":["LlamaForCausalLM"],"model_type":"llama","vocab_size":10,"hidden_size":64,"intermediate_size":8,
		  "num_hidden_layers":1,"num_attention_heads":12,"num_key_value_heads":5,"head_dim":16}`,
			[]string{"num_attention_heads (12) is not a multiple of num_key_value_heads (5)"}},
		{`{"model_type":"llama","vocab_size":10,"hidden_size":60,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":8}`,
			[]string{"hidden_size (60) is not a multiple of num_attention_heads (8)"}},
		{`{"model_type":"qwen2","vocab_size":0,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":2,"num_attention_heads":4,
		  "sliding_window":4,"layer_types":["full_attention"]}`,
			[]string{"vocab_size must be positive", "layer_types has 1 entries but num_hidden_layers is 2"}},
		{`{"model_type":"llama","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":4,
		  "rope_scaling":{"rope_type":"longrope","factor":2}}`,
			[]string{`rope_scaling type "longrope" is not supported (supported: default, linear, dynamic, yarn, llama3)`}},
		{`{"model_type":"llama","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":4,
		  "partial_rotary_factor":0.2}`,
			[]string{"rotary dims (head_dim 16 x partial_rotary_factor = 3)"}},
	} {
		_, err := ParseHFConfig([]byte(c.json))
		if err == nil {
			t.Errorf("%s: no error", c.json)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}
}

func TestParseHFConfigRopeSpellings(t *testing.T) {
	v4 := `{"model_type":"llama","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":4,
	  "rope_theta":500000.0,"rope_scaling":{"type":"linear","factor":4.0}}`
	v5 := `{"model_type":"llama","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":4,
	  "rope_parameters":{"rope_type":"linear","factor":4.0,"rope_theta":500000.0}}`
	for _, s := range []string{v4, v5} {
		c, err := ParseHFConfig([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if c.RopeTheta != 500000 || c.RopeScaling.Type != "linear" || c.RopeScaling.Factor != 4 || c.Architecture != "LlamaForCausalLM" {
			t.Errorf("%s: got theta %g scaling %+v arch %s", s, c.RopeTheta, c.RopeScaling, c.Architecture)
		}
	}
}

func TestSlidingWindowLayers(t *testing.T) {
	base := `"vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":3,"num_attention_heads":4,"sliding_window":8`
	for _, c := range []struct {
		json string
		want []bool
	}{
		{`{"model_type":"mistral",` + base + `}`, []bool{true, true, true}},
		{`{"model_type":"qwen2",` + base + `,"use_sliding_window":false}`, nil},
		{`{"model_type":"qwen2",` + base + `,"use_sliding_window":true,"max_window_layers":1}`, []bool{false, true, true}},
		{`{"model_type":"qwen2",` + base + `,"layer_types":["sliding_attention","full_attention","sliding_attention"]}`, []bool{true, false, true}},
		{`{"model_type":"llama",` + base + `}`, nil},
	} {
		cfg, err := ParseHFConfig([]byte(c.json))
		if err != nil {
			t.Fatal(err)
		}
		for l := 0; l < 3; l++ {
			want := c.want != nil && c.want[l]
			if (cfg.Window(l) > 0) != want {
				t.Errorf("%s: layer %d window %d, want sliding=%v", c.json, l, cfg.Window(l), want)
			}
		}
	}
}

func FuzzParseHFConfig(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/models/*/config.json")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"model_type":"qwen2","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":3,"num_attention_heads":4,"sliding_window":8,"use_sliding_window":true,"max_window_layers":-5}`))
	f.Add([]byte(`{"model_type":"llama","head_dim":-2,"num_attention_heads":0,"rope_scaling":{"type":"yarn"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseHFConfig(data)
		if err != nil {
			return
		}
		// A config that validates must be usable: every layer has a window.
		for l := 0; l < c.NumLayers && l < 1000; l++ {
			_ = c.Window(l)
		}
		if c.KVWidth() <= 0 {
			t.Fatalf("validated config with KV width %d", c.KVWidth())
		}
	})
}
