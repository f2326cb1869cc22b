package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// logitsFor returns logits whose softmax is probs.
func logitsFor(probs ...float64) []float32 {
	x := make([]float32, len(probs))
	for i, p := range probs {
		x[i] = float32(math.Log(p))
	}
	return x
}

// frequencies draws n tokens with a fixed seed.
func frequencies(p Params, logits []float32, n int) []float64 {
	s := New(p, nil, 42)
	f := make([]float64, len(logits))
	for i := 0; i < n; i++ {
		f[s.Sample(logits, nil)]++
	}
	for i := range f {
		f[i] /= float64(n)
	}
	return f
}

// near checks frequencies against expected probabilities; with 20000
// draws the standard error is below 0.0036, so 0.015 is > 4 sigma.
func near(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 0.015 {
			t.Errorf("%s: token %d drawn %.4f of the time, want %.4f (all %v)", what, i, got[i], want[i], got)
		}
	}
}

func TestDistributions(t *testing.T) {
	const n = 20000
	base := logitsFor(0.5, 0.3, 0.15, 0.05)
	near(t, "plain", frequencies(Params{Temperature: 1}, base, n), []float64{0.5, 0.3, 0.15, 0.05})
	// top_p 0.8: 0.5+0.3 reaches it, so only the first two remain.
	near(t, "top_p", frequencies(Params{Temperature: 1, TopP: 0.8}, base, n), []float64{0.625, 0.375, 0, 0})
	// top_p 0.81 needs the third token too.
	near(t, "top_p edge", frequencies(Params{Temperature: 1, TopP: 0.81}, base, n), []float64{0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0})
	// min_p 0.2: cut at 0.2*0.5 = 0.1 drops the last token only.
	near(t, "min_p", frequencies(Params{Temperature: 1, MinP: 0.2}, base, n), []float64{0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0})
	near(t, "top_k", frequencies(Params{Temperature: 1, TopK: 2}, base, n), []float64{0.625, 0.375, 0, 0})
	// top_k then top_p on the renormalized rest: 0.625 < 0.7, so both stay.
	near(t, "top_k+top_p", frequencies(Params{Temperature: 1, TopK: 3, TopP: 0.7}, base, n), []float64{0.625, 0.375, 0, 0})
	// Temperature 2 takes the square root of the probabilities.
	var z float64
	want := make([]float64, 4)
	for i, p := range []float64{0.5, 0.3, 0.15, 0.05} {
		want[i] = math.Sqrt(p)
		z += want[i]
	}
	for i := range want {
		want[i] /= z
	}
	near(t, "temperature", frequencies(Params{Temperature: 2}, base, n), want)
	// Greedy.
	if f := frequencies(Params{}, base, 100); f[0] != 1 {
		t.Errorf("greedy: %v", f)
	}
}

func TestPenalties(t *testing.T) {
	logits := []float32{2, -2, 1, 0.5}
	s := New(Params{RepetitionPenalty: 2}, []int32{0, 1}, 1)
	s.Accept(3)
	got := s.process(logits, nil)
	if w := []float32{1, -4, 1, 0.25}; !equal(got, w) {
		t.Errorf("repetition: %v, want %v", got, w)
	}
	s = New(Params{PresencePenalty: 0.5, FrequencyPenalty: 0.25}, []int32{0}, 1)
	s.Accept(2)
	s.Accept(2)
	s.Accept(3)
	got = s.process(logits, nil)
	// prompt tokens are not penalized by presence/frequency (OpenAI).
	if w := []float32{2, -2, 1 - 0.5 - 0.5, 0.5 - 0.5 - 0.25}; !equal(got, w) {
		t.Errorf("presence/frequency: %v, want %v", got, w)
	}
	s = New(Params{LogitBias: map[int]float64{0: -100, 1: 10}}, nil, 1)
	if tok := s.Sample(logits, nil); tok != 1 {
		t.Errorf("logit bias: picked %d", tok)
	}
	if tok := New(Params{}, nil, 1).Sample(logits, []int{0}); tok != 2 {
		t.Errorf("suppress: picked %d", tok)
	}
	// Statistically: a frequency penalty makes a sampled repeat rarer.
	flat := logitsFor(0.25, 0.25, 0.25, 0.25)
	s = New(Params{Temperature: 1, FrequencyPenalty: 2}, nil, 7)
	var counts [4]int
	for i := 0; i < 4000; i++ {
		tok := s.Sample(flat, nil)
		s.Accept(tok)
		counts[tok]++
	}
	for _, c := range counts {
		if c < 900 || c > 1100 { // the penalty evens out the counts hard
			t.Errorf("frequency penalty counts %v are not even", counts)
			break
		}
	}
}

func equal(a, b []float32) bool {
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

func TestSeeds(t *testing.T) {
	logits := logitsFor(0.2, 0.2, 0.2, 0.2, 0.2)
	seed := int64(123)
	p := Params{Temperature: 1, Seed: &seed}
	draw := func(i int) string {
		s := New(p, nil, SeedFor(p, i))
		var b strings.Builder
		for j := 0; j < 40; j++ {
			b.WriteByte(byte('a' + s.Sample(logits, nil)))
		}
		return b.String()
	}
	if draw(0) != draw(0) {
		t.Error("same seed, different tokens")
	}
	if draw(0) == draw(1) {
		t.Error("choices 0 and 1 of a seeded request drew the same tokens")
	}
}

func TestLogprobs(t *testing.T) {
	logits := []float32{1, 3, 2, 3, -1}
	lp, top := Logprobs(logits, 2, 3)
	var sum float64
	for _, v := range logits {
		sum += math.Exp(float64(v))
	}
	if w := 2 - math.Log(sum); math.Abs(float64(lp)-w) > 1e-5 {
		t.Errorf("logprob %v, want %v", lp, w)
	}
	if len(top) != 3 || top[0].Token != 1 || top[1].Token != 3 || top[2].Token != 2 {
		t.Errorf("top: %v", top)
	}
	if _, top := Logprobs(logits, 0, 10); len(top) != 5 {
		t.Errorf("top beyond vocab: %d", len(top))
	}
}

func TestValidate(t *testing.T) {
	for _, p := range []Params{
		{Temperature: -1}, {TopP: 1.5}, {TopK: -2}, {MinP: 2}, {RepetitionPenalty: -1},
		{PresencePenalty: 3}, {FrequencyPenalty: -3}, {LogitBias: map[int]float64{10: 1}},
		{LogitBias: map[int]float64{1: 200}}, {Temperature: math.NaN()},
	} {
		if err := p.Validate(10); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
	ok := Params{Temperature: 0.7, TopP: 0.9, TopK: 40, MinP: 0.05, RepetitionPenalty: 1.1, LogitBias: map[int]float64{3: -100}}
	if err := ok.Validate(10); err != nil {
		t.Error(err)
	}
}

// keepTopNaive is keepTop by sorting everything.
func keepTopNaive(p []float64, k int, topP float64) {
	idx := make([]int, 0, len(p))
	var total float64
	for i, v := range p {
		if v > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return a - b
	})
	keep := len(idx)
	if k > 0 && k < keep {
		keep = k
	}
	for _, i := range idx[:keep] {
		total += p[i]
	}
	if topP > 0 && topP < 1 {
		var acc float64
		for j, i := range idx[:keep] {
			acc += p[i]
			if acc >= topP*total {
				keep = j + 1
				break
			}
		}
	}
	for _, i := range idx[keep:] {
		p[i] = 0
	}
}

// TestKeepTopMatchesSort: the thresholded selection equals a full sort on
// peaked, flat and tied distributions.
func TestKeepTopMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := New(Params{}, nil, 1)
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(3000)
		p := make([]float64, n)
		shape := trial % 3
		for i := range p {
			switch shape {
			case 0: // peaked: a few likely tokens, a long tail
				p[i] = math.Exp(-rng.Float64() * 30)
			case 1: // flat
				p[i] = 0.5 + rng.Float64()
			default: // many ties
				p[i] = float64(rng.IntN(4))
			}
		}
		k := []int{0, 1, 5, 40, n + 1}[rng.IntN(5)]
		topP := []float64{0, 0.5, 0.9, 0.999, 1}[rng.IntN(5)]
		want := slices.Clone(p)
		keepTopNaive(want, k, topP)
		var cand []int32
		for i, v := range p {
			if v > 0 {
				cand = append(cand, int32(i))
			}
		}
		s.keepTop(p, cand, k, topP)
		if !slices.Equal(p, want) {
			t.Fatalf("trial %d (n %d, k %d, top_p %v): selections differ", trial, n, k, topP)
		}
	}
}
