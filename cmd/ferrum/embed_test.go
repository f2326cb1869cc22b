package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestEmbedCmd(t *testing.T) {
	dir := "../../testdata/embed/bert"
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"embed", "--model", dir, "--json", "--threads", "1", "The cat sat on the mat.", "a"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Object string `json:"object"`
		Data   []struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		} `json:"data"`
		Usage struct {
			PromptTokens int `json:"prompt_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if resp.Object != "list" || len(resp.Data) != 2 || len(resp.Data[1].Embedding) != 64 || resp.Data[1].Index != 1 || resp.Usage.PromptTokens != 12 {
		t.Errorf("response %+v", resp)
	}

	out.Reset()
	root = newRootCmd()
	root.SetOut(&out)
	root.SetIn(strings.NewReader("one line\nanother line\n"))
	root.SetArgs([]string{"embed", "--model", dir, "--threads", "1"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || len(strings.Fields(lines[0])) != 64 {
		t.Errorf("text output: %q", out.String())
	}

	root = newRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"embed", "--model", dir, strings.Repeat("word ", 40)})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "more than the model's limit of 32") {
		t.Errorf("over-long text: %v", err)
	}
}

// TestEmbedRefusesReranker: a cross-encoder's base model would give
// vectors nobody trained; embed says what the model is instead.
func TestEmbedRefusesReranker(t *testing.T) {
	root := newRootCmd()
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"embed", "-m", "../../testdata/embed/rerank_bert", "hi"})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "reranker") {
		t.Errorf("reranker: %v", err)
	}
}
