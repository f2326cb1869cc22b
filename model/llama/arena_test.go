package llama

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model"
)

// TestReusedActivations: reused activations give the same logits as fresh
// ones, across batch sizes that grow and shrink the arena and across
// goroutines running Forward at once (each on its own cache).
func TestReusedActivations(t *testing.T) {
	be := cpu.New(2)
	defer be.Close()
	mm, err := model.Load(writeSynthetic(t, nil), be, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m := mm.(*Model)
	vocab := m.Config().VocabSize
	prefill := func(n int) *model.Batch {
		cache, err := model.NewCache(be, m.Config(), 2, 16)
		if err != nil {
			t.Fatal(err)
		}
		b := &model.Batch{Cache: cache, Seqs: []model.Seq{{NumRows: n, Blocks: []int32{0, 1}}}, LogitRows: []int{n - 1}}
		for i := range n {
			b.Tokens = append(b.Tokens, int32((i*7+1)%vocab))
			b.Positions = append(b.Positions, int32(i))
		}
		return b
	}
	run := func(b *model.Batch) []float32 {
		l, err := m.Forward(context.Background(), b)
		if err != nil {
			t.Error(err)
			return nil
		}
		return l.Data
	}
	sizes := []int{1, 9, 3, 20, 1, 9}
	want := make([][]float32, len(sizes))
	for i, n := range sizes {
		want[i] = run(prefill(n))
	}
	for i, n := range sizes { // again, now from a warm arena
		if got := run(prefill(n)); !slices.Equal(got, want[i]) {
			t.Errorf("batch of %d rows: logits differ on a reused arena", n)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for r := range 10 {
				i := (g + r) % len(sizes)
				if got := run(prefill(sizes[i])); !slices.Equal(got, want[i]) {
					t.Errorf("goroutine %d: batch of %d rows: logits differ", g, sizes[i])
				}
			}
		})
	}
	wg.Wait()
}
