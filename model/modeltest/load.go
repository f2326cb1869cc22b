package modeltest

import (
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model"
)

// Load loads path (folder or GGUF) on a 2-thread CPU backend; both are
// closed when the test ends.
func Load(t testing.TB, path string) (model.Model, compute.Backend) {
	t.Helper()
	be := cpu.New(2)
	m, err := model.Load(path, be, model.Options{})
	if err != nil {
		be.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Close()
		be.Close()
	})
	return m, be
}

// PromptLogits loads path, runs the prompts as one batch and returns the
// logits at every position of every prompt; the model is closed before it
// returns, so a test may compare many files.
func PromptLogits(t testing.TB, path string, prompts [][]int32) [][][]float32 {
	t.Helper()
	be := cpu.New(2)
	defer be.Close()
	m, err := model.Load(path, be, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	return RunBatch(t, m, be, prompts, 16, 0)
}
