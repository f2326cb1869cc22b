package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrum-go/ferrum/format/gguf"
)

// Task is what a loaded model does.
type Task string

const (
	// TaskAuto lets Open decide from the model's files (DetectTask).
	TaskAuto Task = ""
	// TaskGenerate: a decoder LLM; Generate works.
	TaskGenerate Task = "generate"
	// TaskEmbed: a sentence-embedding model; Embed works.
	TaskEmbed Task = "embed"
	// TaskRerank: a cross-encoder scoring (query, document) pairs; Rerank
	// works.
	TaskRerank Task = "rerank"
)

// ParseTask reads "generate", "embed", "rerank", or "auto" / "" (TaskAuto).
func ParseTask(s string) (Task, error) {
	switch t := Task(s); t {
	case TaskGenerate, TaskEmbed, TaskRerank:
		return t, nil
	case TaskAuto, "auto":
		return TaskAuto, nil
	}
	return "", fmt.Errorf("task %q: want generate, embed, rerank or auto", s)
}

// DetectTask tells what the model at path is for, from its files alone:
//   - a GGUF of an encoder architecture (bert, nomic-bert, ...) or with an
//     <arch>.pooling_type is an embedding model, any other GGUF a generator;
//   - a folder (or a file inside one) with a sentence-transformers
//     modules.json is an embedding model;
//   - else config.json's architectures[0] decides: *ForSequenceClassification
//     is a reranker, *ForCausalLM / *LMHeadModel / *ForConditionalGeneration
//     a generator, and a bare backbone (BertModel, XLMRobertaModel,
//     Qwen3Model, ...) an embedding model.
//
// Anything unreadable counts as a generator: loading it then reports the
// real problem.
func DetectTask(path string) Task {
	if strings.EqualFold(filepath.Ext(path), ".gguf") {
		f, err := gguf.Open(path)
		if err != nil {
			return TaskGenerate
		}
		defer f.Close()
		arch, _ := f.Metadata.String("general.architecture")
		if strings.Contains(arch, "bert") || f.Metadata.Has(arch+".pooling_type") {
			return TaskEmbed
		}
		return TaskGenerate
	}
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	if _, err := os.Stat(filepath.Join(dir, "modules.json")); err == nil {
		return TaskEmbed
	}
	var cfg struct {
		Architectures []string `json:"architectures"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil || json.Unmarshal(b, &cfg) != nil || len(cfg.Architectures) == 0 {
		return TaskGenerate
	}
	switch a := cfg.Architectures[0]; {
	case strings.HasSuffix(a, "ForSequenceClassification"):
		return TaskRerank
	case strings.HasSuffix(a, "ForCausalLM"), strings.HasSuffix(a, "LMHeadModel"), strings.HasSuffix(a, "ForConditionalGeneration"):
		return TaskGenerate
	}
	return TaskEmbed
}
