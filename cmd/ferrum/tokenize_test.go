package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
)

const tokQwen3 = "../../testdata/tokenizers/qwen3"

func runTokenizeCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestTokenizeCommand(t *testing.T) {
	// Ids from HF tokenizers 0.23.2 (testdata/tokenizers/qwen3/goldens.json.gz).
	out, err := runTokenizeCmd(t, "", "tokenize", "--model", tokQwen3, "--", "Hello, world!")
	if err != nil {
		t.Fatal(err)
	}
	if out != "9707 11 1879 0\n" {
		t.Errorf("got %q", out)
	}
	out, err = runTokenizeCmd(t, "", "tokenize", "--model", tokQwen3, "--json", "--", "<|im_start|>hi")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		IDs    []int    `json:"ids"`
		Tokens []string `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("not one JSON object: %v %q", err, out)
	}
	if len(r.IDs) != 2 || r.IDs[0] != 151644 || r.Tokens[0] != "<|im_start|>" || r.Tokens[1] != "hi" {
		t.Errorf("got %+v", r)
	}
	// Standard input, and the Llama 3 BOS from --add-special-tokens.
	out, err = runTokenizeCmd(t, "Hello", "tokenize", "--model", "../../testdata/tokenizers/llama3", "--add-special-tokens")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "128000 ") {
		t.Errorf("got %q", out)
	}
	if _, err := runTokenizeCmd(t, "", "tokenize", "--model", "/nonexistent", "--", "x"); err == nil {
		t.Error("want an error for a missing model")
	}
}

func TestDetokenizeCommand(t *testing.T) {
	out, err := runTokenizeCmd(t, "", "detokenize", "--model", tokQwen3, "151644", "9707,", "11", "1879", "0")
	if err != nil {
		t.Fatal(err)
	}
	if out != "<|im_start|>Hello, world!\n" {
		t.Errorf("got %q", out)
	}
	out, err = runTokenizeCmd(t, "[151644, 9707]", "detokenize", "--model", tokQwen3, "--skip-special-tokens")
	if err != nil {
		t.Fatal(err)
	}
	if out != "Hello\n" {
		t.Errorf("got %q", out)
	}
	if _, err := runTokenizeCmd(t, "", "detokenize", "--model", tokQwen3, "x1"); err == nil || !strings.Contains(err.Error(), `"x1"`) {
		t.Errorf("want an error naming the bad id, got %v", err)
	}
	if _, err := runTokenizeCmd(t, "", "detokenize", "--model", tokQwen3, "99999999"); err == nil {
		t.Error("want an error for an id outside the vocabulary")
	}
}

func TestTokenizeGGUF(t *testing.T) {
	w := gguf.NewWriter()
	for k, v := range map[string]any{
		"general.architecture":              "bert",
		"tokenizer.ggml.model":              "bert",
		"tokenizer.ggml.tokens":             []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "▁hello", "▁world", "s", "▁!"},
		"tokenizer.ggml.token_type":         []int32{3, 2, 3, 3, 1, 1, 1, 1},
		"tokenizer.ggml.cls_token_id":       uint32(2),
		"tokenizer.ggml.seperator_token_id": uint32(3),
	} {
		if err := w.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	out, err := runTokenizeCmd(t, "", "tokenize", "--model", path, "--add-special-tokens", "--", "Hello worlds!")
	if err != nil {
		t.Fatal(err)
	}
	if out != "2 4 5 6 7 3\n" {
		t.Errorf("got %q", out)
	}
	out, err = runTokenizeCmd(t, "", "detokenize", "--model", path, "2 4 5 6 7 3")
	if err != nil {
		t.Fatal(err)
	}
	if out != "[CLS] hello worlds! [SEP]\n" {
		t.Errorf("got %q", out)
	}
}
