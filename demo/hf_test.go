package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// configDir holds the demo model's committed config, tokenizer and template
// files and transformers' reference.json; the float32 weights are not
// committed but materialised from the embedded GGUF (see hf.go).
const configDir = "../testdata/demo"

// hfRoot is a temporary folder for the whole test binary, made by TestMain.
var hfRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ferrum-demo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hfRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var hfOnce = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(hfRoot, "ferrum-demo")
	return dir, WriteHFFolder(dir, configDir)
})

// hfFolder is the demo model as an HF float32 folder (written once per test
// binary): the weights transformers' references were computed on.
func hfFolder(t *testing.T) string {
	t.Helper()
	dir, err := hfOnce()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHFFolderIsReferenceWeights: the materialised model.safetensors is
// byte for byte the file tools/train/reference.py ran transformers on, made
// from this embedded GGUF.
func TestHFFolderIsReferenceWeights(t *testing.T) {
	ref := loadReference(t)
	data, err := os.ReadFile(filepath.Join(hfFolder(t), "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != ref.WeightsSHA256 {
		t.Errorf("materialised model.safetensors has SHA-256 %s, reference.json was computed on %s; rerun tools/train/reference.py", got, ref.WeightsSHA256)
	}
	if ref.GGUFSHA256 != SHA256() {
		t.Errorf("reference.json was computed from a GGUF with SHA-256 %s, the embedded one is %s", ref.GGUFSHA256, SHA256())
	}
	for _, name := range []string{"config.json", "tokenizer.json", "chat_template.jinja", "generation_config.json"} {
		if _, err := os.Stat(filepath.Join(hfFolder(t), name)); err != nil {
			t.Error(err)
		}
	}
}
