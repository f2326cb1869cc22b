package tokenizer

import (
	"slices"
	"sync"
	"testing"
)

// One Tokenizer serves many goroutines (the server shares it); run with
// -race to check the caches and pooled buffers.
func TestConcurrentEncode(t *testing.T) {
	corpus := loadCorpus(t)
	for _, name := range []string{"qwen3", "llama2", "unigram-sp"} {
		tk := loadTestTokenizer(t, name)
		want := make([][]int, len(corpus))
		for i, s := range corpus {
			want[i] = tk.Encode(s, true)
		}
		fresh, err := Load(testdataDir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := range corpus {
					j := (i*7 + g*13) % len(corpus)
					if got := fresh.Encode(corpus[j], true); !slices.Equal(got, want[j]) {
						t.Errorf("%s: goroutine %d, case %d differs", name, g, j)
						return
					}
				}
			}(g)
		}
		wg.Wait()
	}
}
