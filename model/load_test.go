package model

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
)

// TestLoadNotAModel: paths that are not models are refused for what they
// are, naming the path (regressions: a folder without config.json gave a
// bare "open .../config.json" error, a text file one about its parent
// folder, and a BERT folder one about hidden_act).
func TestLoadNotAModel(t *testing.T) {
	be := cpu.New(1)
	defer be.Close()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("hello"), 0o644)
	noWeights := filepath.Join(dir, "noweights")
	os.Mkdir(noWeights, 0o755)
	cfg, _ := os.ReadFile("../testdata/models/qwen3/config.json")
	os.WriteFile(filepath.Join(noWeights, "config.json"), cfg, 0o644)
	for path, want := range map[string]string{
		noWeights:                  "no *.safetensors weights",
		empty:                      "not a model folder: no config.json",
		notes:                      "neither a .gguf file nor a file in a Hugging Face model folder",
		"../testdata/embed/bert":   `architecture "BertModel" is not supported`,
		filepath.Join(dir, "none"): "no such file",
	} {
		_, err := Load(path, be, Options{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("%s: %v, want an error naming it and saying %q", path, err, want)
		}
	}
}

// TestBinderErrCap: a checkpoint of another shape fails with a dozen
// problems and a count, not one line per missing tensor.
func TestBinderErrCap(t *testing.T) {
	var b Binder
	for i := range 30 {
		b.Fail(fmt.Errorf("problem %d", i))
	}
	lines := strings.Split(b.Err().Error(), "\n")
	if len(lines) != maxBindErrors+1 || lines[0] != "problem 0" || lines[maxBindErrors] != "... and 18 more problems" {
		t.Errorf("%d lines: %q", len(lines), lines)
	}
}
