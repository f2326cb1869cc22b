package sample

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSample: one token from a Qwen-sized vocabulary with the
// settings `ferrum run` uses by default.
func BenchmarkSample(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	logits := make([]float32, 151936)
	for i := range logits {
		logits[i] = float32(rng.NormFloat64() * 3)
	}
	for _, c := range []struct {
		name string
		p    Params
	}{
		{"greedy", Params{}},
		{"top_p", Params{Temperature: 0.8, TopP: 0.95}},
		{"defaults", Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := New(c.p, nil, 1)
			for b.Loop() {
				s.Sample(logits, nil)
			}
		})
	}
}
