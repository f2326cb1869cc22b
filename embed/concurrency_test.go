package embed

import (
	"context"
	"sync"
	"testing"
)

// TestConcurrentEmbed: one Embedder serves several goroutines at once (the
// engine's use), each getting what it gets alone.
func TestConcurrentEmbed(t *testing.T) {
	for _, base := range []string{"roberta", "qwen3"} {
		dir, ref := loadRef(t, base)
		e := open(t, dir, Options{})
		want, _, err := e.Embed(context.Background(), textInputs(ref.Texts))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				i := g % len(ref.Texts)
				got, _, err := e.Embed(context.Background(), textInputs(ref.Texts[i:]))
				if err != nil {
					errs <- err
					return
				}
				for j := range got {
					if d := maxAbs(got[j], want[i+j]); d > 1e-6 {
						t.Errorf("%s goroutine %d text %d differs by %g", base, g, i+j, d)
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}
