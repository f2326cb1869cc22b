package engine

import (
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/convert"
)

func TestDetectTask(t *testing.T) {
	for path, want := range map[string]Task{
		"../testdata/models/qwen3":           TaskGenerate,
		"../testdata/models/llama3":          TaskGenerate,
		"../testdata/moe/qwen3moe":           TaskGenerate,
		"../testdata/embed/bert":             TaskEmbed,
		"../testdata/embed/qwen3":            TaskEmbed,
		"../testdata/embed/xlmr":             TaskEmbed,
		"../testdata/embed/rerank_bert":      TaskRerank,
		"../testdata/embed/rerank_xlmr":      TaskRerank,
		"../testdata/embed/bert/config.json": TaskEmbed,
		"/nonexistent":                       TaskGenerate, // Open reports the real problem
	} {
		if got := DetectTask(path); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
	ft, _ := convert.ParseFileType("F32")
	for src, want := range map[string]Task{"../testdata/models/qwen3": TaskGenerate, "../testdata/embed/bert": TaskEmbed} {
		dst := filepath.Join(t.TempDir(), "m.gguf")
		if _, err := convert.Convert(src, dst, convert.Options{Type: ft}); err != nil {
			t.Logf("%s: cannot make a GGUF (%v)", src, err)
			continue
		}
		if got := DetectTask(dst); got != want {
			t.Errorf("GGUF of %s: %s, want %s", src, got, want)
		}
	}
}

func TestParseTask(t *testing.T) {
	for in, want := range map[string]Task{"": TaskAuto, "auto": TaskAuto, "generate": TaskGenerate, "embed": TaskEmbed, "rerank": TaskRerank} {
		if got, err := ParseTask(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	if _, err := ParseTask("chat"); err == nil {
		t.Error("chat: no error")
	}
}
