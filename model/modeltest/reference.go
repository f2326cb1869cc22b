package modeltest

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Reference is a decoder fixture's reference.json, written by
// tools/refgen (transformers' outputs for the folder's weights).
type Reference struct {
	ModelType   string    `json:"model_type"`
	TorchDType  string    `json:"torch_dtype"`
	Cases       []RefCase `json:"cases"`
	Note        string    `json:"note"`
	Transformer string    `json:"transformers_version"`
	Chat        struct {
		Rendered string  `json:"rendered"`
		InputIDs []int32 `json:"input_ids"`
	} `json:"chat"`
}

// RefCase is one prompt: its logits at every position and transformers'
// greedy continuation.
type RefCase struct {
	Name     string      `json:"name"`
	Prompt   string      `json:"prompt"`
	InputIDs []int32     `json:"input_ids"`
	Logits   [][]float32 `json:"logits"`
	Greedy   struct {
		IDs  []int32       `json:"ids"`
		Top5 [][][]float64 `json:"top5"` // per step: [id, logit] x 5
	} `json:"greedy"`
}

// LoadReference reads dir/reference.json (or reference.json.gz); a
// fixture without one fails the test.
func LoadReference(t testing.TB, dir string) *Reference {
	t.Helper()
	var ref Reference
	if err := json.Unmarshal(ReadMaybeGz(t, filepath.Join(dir, "reference.json")), &ref); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return &ref
}

// ReadMaybeGz reads path or path.gz.
func ReadMaybeGz(t testing.TB, path string) []byte {
	t.Helper()
	if data, err := os.ReadFile(path); err == nil {
		return data
	}
	f, err := os.Open(path + ".gz")
	if err != nil {
		t.Fatalf("neither %s nor %s.gz: %v", path, path, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
