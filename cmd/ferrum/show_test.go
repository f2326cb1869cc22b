package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
)

func runShow(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"show"}, args...))
	err := root.Execute()
	return out.String(), err
}

func showJSON(t *testing.T, path string) modelReport {
	t.Helper()
	out, err := runShow(t, "--json", path)
	if err != nil {
		t.Fatal(err)
	}
	var r modelReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	return r
}

const ggufFixture = "../../testdata/gguf/ggml_types.gguf"

func TestShowGGUF(t *testing.T) {
	r := showJSON(t, ggufFixture)
	if r.Format != "gguf" || r.GGUFVersion != 3 || r.Alignment != 32 || r.Architecture != "llama" {
		t.Errorf("header fields: %+v", r)
	}
	// Element counts of the 13 tensors the fixture's C program made.
	const params = 64*8 + 64 + 64*4 + 64*2 + 64*2 + 64*3 + 32*5 + 256*2 + 256 + 32*2*3 + 256 + 3*2*2*2 + 5
	if r.Parameters != params || r.ContextLength != 4096 || r.VocabSize != 8 || len(r.Tensors) != 13 {
		t.Errorf("parameters %d (want %d), context %d, vocab %d, %d tensors", r.Parameters, params, r.ContextLength, r.VocabSize, len(r.Tensors))
	}
	if r.TensorBytes != 4231 {
		t.Errorf("tensor_bytes %d, want 4231", r.TensorBytes)
	}
	if r.Types[0] != (typeStat{Type: "F32", Tensors: 2, Parameters: 576, Bytes: 2304}) || len(r.Types) != 12 {
		t.Errorf("types %+v", r.Types)
	}
	q := r.Tensors[8]
	if q.Name != "blk.0.ffn_down.weight" || q.Type != "Q6_K" || len(q.Shape) != 1 || q.Shape[0] != 256 || q.Bytes != 210 {
		t.Errorf("tensor 8: %+v", q)
	}
	if len(r.Metadata) != 33 || r.Metadata[0].Key != "general.architecture" || r.Metadata[0].Value != "llama" {
		t.Errorf("metadata[0] %+v of %d", r.Metadata[0], len(r.Metadata))
	}

	out, err := runShow(t, ggufFixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"architecture:    llama", "parameters:      2.69K (2685)", "context length:  4096", "vocab size:      8",
		"Q6_K  1        256         210 B",
		`tokenizer.ggml.tokens: array[string] = ["<unk>", "<s>", "</s>", "▁the", "▁a", "b", "c", "d"]`,
		"test.arr_f32: array[float32] = [0.5, -1.25, 1e-30, +Inf]",
		"blk.0.ffn_gate_exps.weight  Q5_0  [32 2 3]   132",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

// The vocabulary size falls back to <arch>.vocab_size without a token list.
func TestShowGGUFVocabSizeKey(t *testing.T) {
	r := showJSON(t, "../../testdata/gguf/ggml_align64.gguf")
	if r.Architecture != "qwen3" || r.VocabSize != 151936 || r.ContextLength != 40960 || r.Alignment != 64 {
		t.Errorf("%+v", r)
	}
}

func TestShowHF(t *testing.T) {
	dir := t.TempDir()
	config := `{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","max_position_embeddings":40960,"vocab_size":151936,"torch_dtype":"bfloat16"}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	tensors := []safetensors.Tensor{
		{Name: "model.embed_tokens.weight", DType: safetensors.BF16, Shape: []int64{10, 4}, Data: make([]byte, 80)},
		{Name: "model.layers.0.self_attn.q_proj.weight", DType: safetensors.BF16, Shape: []int64{4, 4}, Data: make([]byte, 32)},
		{Name: "model.norm.weight", DType: safetensors.F32, Shape: []int64{4}, Data: make([]byte, 16)},
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), tensors, nil); err != nil {
		t.Fatal(err)
	}
	r := showJSON(t, dir)
	if r.Format != "safetensors" || r.Architecture != "Qwen3ForCausalLM" || r.ModelType != "qwen3" || r.DType != "bfloat16" {
		t.Errorf("%+v", r)
	}
	if r.Parameters != 40+16+4 || r.ContextLength != 40960 || r.VocabSize != 151936 || r.TensorBytes != 128 || len(r.Files) != 1 {
		t.Errorf("parameters %d, context %d, vocab %d, bytes %d, files %v", r.Parameters, r.ContextLength, r.VocabSize, r.TensorBytes, r.Files)
	}
	if len(r.Types) != 2 || r.Types[0] != (typeStat{Type: "BF16", Tensors: 2, Parameters: 56, Bytes: 112}) {
		t.Errorf("types %+v", r.Types)
	}
	if len(r.Tensors) != 3 || r.Tensors[0].Shape[0] != 10 || r.Tensors[0].Shape[1] != 4 {
		t.Errorf("tensors %+v", r.Tensors)
	}
	out, err := runShow(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"format:          safetensors, 1 file(s)", "architecture:    Qwen3ForCausalLM", "BF16  2        56          112 B", "model.norm.weight"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}

	// Without config.json the weights still show, with a warning; a config
	// missing fields just leaves them unknown.
	os.Remove(filepath.Join(dir, "config.json"))
	r = showJSON(t, filepath.Join(dir, "model.safetensors"))
	if r.Architecture != "" || r.Parameters != 60 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "config.json") {
		t.Errorf("without config: %+v", r)
	}
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type":"llama"}`), 0o644)
	r = showJSON(t, dir)
	if r.Architecture != "llama" || r.ContextLength != 0 || r.VocabSize != 0 || len(r.Warnings) != 0 {
		t.Errorf("sparse config: %+v", r)
	}
	out, _ = runShow(t, dir)
	if !strings.Contains(out, "context length:  unknown") {
		t.Errorf("missing context length not shown as unknown:\n%s", out)
	}
}

func TestShowErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.gguf")
	os.WriteFile(bad, []byte("GGUF\x01\x00\x00\x00"), 0o644)
	_, err := runShow(t, bad)
	if err == nil || !strings.Contains(err.Error(), "bad.gguf") || !strings.Contains(err.Error(), "version 1") {
		t.Errorf("bad GGUF: %v", err)
	}
	empty := t.TempDir()
	if _, err := runShow(t, empty); err == nil {
		t.Error("no error for an empty folder")
	}
	os.WriteFile(filepath.Join(empty, "m.gguf"), []byte("x"), 0o644)
	if _, err := runShow(t, empty); err == nil || !strings.Contains(err.Error(), "m.gguf") {
		t.Errorf("folder of GGUF files: %v", err)
	}
	if _, err := runShow(t, filepath.Join(dir, "missing")); err == nil {
		t.Error("no error for a missing path")
	}
}

func TestShowSplitGGUF(t *testing.T) {
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	w.Set("split.no", uint16(1))
	w.Set("split.count", uint16(3))
	w.Set("llama.context_length", "long") // wrong type: a warning, not a failure
	path := filepath.Join(t.TempDir(), "m-00002-of-00003.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	r := showJSON(t, path)
	if len(r.Warnings) != 2 || !strings.Contains(r.Warnings[0], "llama.context_length") || !strings.Contains(r.Warnings[1], "file 2 of a model split into 3 files") {
		t.Errorf("warnings %q", r.Warnings)
	}
}
