package hfconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		what, json string
		want       Summary
	}{
		{"qwen3", `{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","max_position_embeddings":40960,"vocab_size":151936,"torch_dtype":"bfloat16","rope_scaling":null}`,
			Summary{[]string{"Qwen3ForCausalLM"}, "qwen3", 40960, 151936, "bfloat16"}},
		{"dtype wins over torch_dtype", `{"dtype":"float32","torch_dtype":"bfloat16"}`, Summary{DType: "float32"}},
		{"missing fields", `{}`, Summary{}},
		{"nulls", `{"vocab_size":null,"architectures":null}`, Summary{}},
		{"float-typed integer", `{"max_position_embeddings":2048.0}`, Summary{MaxPositionEmbeddings: 2048}},
		{"text_config", `{"architectures":["Gemma3ForConditionalGeneration"],"text_config":{"vocab_size":262208,"max_position_embeddings":131072,"architectures":["X"]}}`,
			Summary{Architectures: []string{"Gemma3ForConditionalGeneration"}, MaxPositionEmbeddings: 131072, VocabSize: 262208}},
		{"bert", `{"architectures":["BertModel"],"max_position_embeddings":512,"vocab_size":30522,"type_vocab_size":2}`,
			Summary{Architectures: []string{"BertModel"}, MaxPositionEmbeddings: 512, VocabSize: 30522}},
	}
	for _, c := range cases {
		got, err := Parse("config.json", []byte(c.json))
		if err != nil {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.what, *got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ json, want string }{
		{`[1]`, "not a JSON object"},
		{`{"vocab_size":"big"}`, "vocab_size: is a string, want a number"},
		{`{"vocab_size":1.5}`, "vocab_size: is 1.5"},
		{`{"vocab_size":-3}`, "non-negative"},
		{`{"architectures":"Llama"}`, "architectures: is a string, want an array of strings"},
		{`{"text_config":{"vocab_size":true}}`, "text_config.vocab_size: is a bool"},
		{`{"text_config":3}`, "text_config is not an object"},
		{`{"model_type":7}`, "model_type: is a number, want a string"},
	}
	for _, c := range cases {
		_, err := Parse("my/config.json", []byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "my/config.json") {
			t.Errorf("%s: error %v, want one mentioning %q and the file", c.json, err, c.want)
		}
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); err == nil {
		t.Fatal("no error for a missing config.json")
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{"model_type":"llama"}`), 0o644)
	s, err := Read(dir)
	if err != nil || s.Architecture() != "llama" {
		t.Fatalf("%+v %v", s, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"architectures":["A"],"vocab_size":3,"text_config":{"max_position_embeddings":9}}`))
	f.Add([]byte(`{"vocab_size":1e400}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse("fuzz", b)
		if err == nil && (s.VocabSize < 0 || s.MaxPositionEmbeddings < 0) {
			t.Fatalf("negative count from %q", b)
		}
	})
}
