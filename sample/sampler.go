package sample

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Sampler picks one sequence's tokens. It remembers what the sequence has
// seen (for the penalties) and owns the sequence's random source, so its
// choices depend only on its own logits and seed. Not safe for concurrent
// use; one Sampler per sequence.
type Sampler struct {
	p      Params
	rng    *rand.Rand
	prompt map[int32]bool // tokens of the prompt, for the repetition penalty
	counts map[int32]int  // occurrences of each generated token

	buf    []float32
	probs  []float64
	cand   []int32
	bucket []uint16
	next   []int32
	order  []int32
	start  []int
	mass   []float64
}

// New returns a sampler for a sequence with the given prompt; seed seeds
// its random source (callers derive it from Params.Seed, see SeedFor).
func New(p Params, prompt []int32, seed uint64) *Sampler {
	s := &Sampler{p: p, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counts: map[int32]int{}}
	if p.RepetitionPenalty > 0 && p.RepetitionPenalty != 1 {
		s.prompt = make(map[int32]bool, len(prompt))
		for _, t := range prompt {
			s.prompt[t] = true
		}
	}
	return s
}

// SeedFor derives the seed of choice i of a request: the request's seed
// when given (mixed with i so that n > 1 choices differ), else a fresh
// random one.
func SeedFor(p Params, i int) uint64 {
	if p.Seed == nil {
		return rand.Uint64()
	}
	return splitmix(uint64(*p.Seed) + uint64(i)*0x9e3779b97f4a7c15)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Accept records a generated token (for the penalties).
func (s *Sampler) Accept(tok int32) { s.counts[tok]++ }

// Sample returns the next token for logits (left unchanged). The ids in
// suppress can never be chosen (min_tokens holds back end-of-sequence ids
// this way).
func (s *Sampler) Sample(logits []float32, suppress []int) int32 {
	x := s.process(logits, suppress)
	if s.p.Greedy() {
		return int32(argmax(x))
	}
	return s.draw(x)
}

// process applies, in vLLM's order, suppression, logit bias and the
// penalties, returning the adjusted logits (a scratch slice).
func (s *Sampler) process(logits []float32, suppress []int) []float32 {
	x := append(s.buf[:0], logits...)
	s.buf = x
	for id, b := range s.p.LogitBias {
		if id >= 0 && id < len(x) {
			x[id] += float32(b)
		}
	}
	if rp := float32(s.p.RepetitionPenalty); rp > 0 && rp != 1 {
		penalize := func(t int32) {
			if int(t) >= len(x) {
				return
			}
			if x[t] > 0 {
				x[t] /= rp
			} else {
				x[t] *= rp
			}
		}
		for t := range s.prompt {
			penalize(t)
		}
		for t := range s.counts {
			if !s.prompt[t] {
				penalize(t)
			}
		}
	}
	if s.p.PresencePenalty != 0 || s.p.FrequencyPenalty != 0 {
		for t, n := range s.counts {
			if int(t) < len(x) {
				x[t] -= float32(s.p.FrequencyPenalty*float64(n) + s.p.PresencePenalty)
			}
		}
	}
	for _, id := range suppress {
		if id >= 0 && id < len(x) {
			x[id] = float32(math.Inf(-1))
		}
	}
	return x
}

// draw samples from softmax(x / T) restricted by min-p, top-k and top-p.
func (s *Sampler) draw(x []float32) int32 {
	p := s.probs[:0]
	maxv := x[argmax(x)]
	if math.IsInf(float64(maxv), -1) {
		return 0 // every token suppressed; nothing sensible to pick
	}
	// Unnormalized probabilities exp((x - max) / T): the most likely token
	// has 1. min-p keeps tokens with at least MinP of that, i.e. logits
	// above max + T*ln(MinP); the rest are zero without computing exp (the
	// bulk of the work on a large vocabulary). Later steps renormalize.
	invT := 1 / s.p.Temperature
	floor := math.Inf(-1)
	if s.p.MinP > 0 {
		floor = float64(maxv) + s.p.Temperature*math.Log(s.p.MinP)
	}
	cand := s.cand[:0] // ids with a nonzero probability, ascending
	for i, v := range x {
		e := 0.0
		if float64(v) >= floor {
			e = math.Exp((float64(v) - float64(maxv)) * invT)
			cand = append(cand, int32(i))
		}
		p = append(p, e)
	}
	s.probs, s.cand = p, cand
	k := s.p.TopK
	topP := s.p.TopP
	if (k > 0 && k < len(cand)) || (topP > 0 && topP < 1) {
		s.keepTop(p, cand, k, topP)
	}
	// Walk in id order so the choice depends only on the probabilities,
	// not on how a sort broke ties.
	var total float64
	for _, i := range cand {
		total += p[i]
	}
	u := s.rng.Float64() * total
	last := int32(-1)
	for _, i := range cand {
		v := p[i]
		if v == 0 {
			continue
		}
		last = i
		u -= v
		if u < 0 {
			return i
		}
	}
	return last // rounding left u just above zero
}

// keepTop zeroes every probability outside the top k (k <= 0: no limit)
// and outside the smallest most-likely set whose mass reaches topP (of the
// mass left after top-k).
//
// Sorting a whole 150k vocabulary per token would dominate decoding, so
// tokens are grouped into buckets of log-probability (32 per octave; a
// token in a lower bucket is never less likely than one in a higher
// bucket). Whole buckets are kept by their counts or masses, and only the
// bucket where the cut falls is sorted.
func (s *Sampler) keepTop(p []float64, cand []int32, k int, topP float64) {
	if k > 0 {
		s.group(p, cand)
		for b := 0; b < numBuckets; b++ {
			n := s.start[b+1] - s.start[b]
			if n <= k {
				k -= n
				continue
			}
			s.cutBucket(p, b, func(float64) bool { k--; return k < 0 })
			break
		}
	}
	if topP > 0 && topP < 1 {
		s.group(p, cand)
		var total, acc float64
		for _, m := range s.mass {
			total += m
		}
		target := topP * total
		for b := 0; b < numBuckets; b++ {
			if acc+s.mass[b] < target {
				acc += s.mass[b]
				continue
			}
			s.cutBucket(p, b, func(v float64) bool {
				if acc >= target {
					return true
				}
				acc += v
				return false
			})
			break
		}
	}
}

const (
	bucketsPerOctave = 32
	numBuckets       = 64 * bucketsPerOctave
)

func bucketOf(v, maxp float64) int {
	frac, exp := math.Frexp(v / maxp) // v/maxp = frac * 2^exp, frac in [0.5, 1)
	b := (1-exp)*bucketsPerOctave + min(int((1-frac)*2*bucketsPerOctave), bucketsPerOctave-1)
	return min(max(b, 0), numBuckets-1)
}

// group sorts the ids of cand with a nonzero entry in p by bucket (a
// counting sort): bucket b's ids are order[start[b]:start[b+1]], its mass
// mass[b].
func (s *Sampler) group(p []float64, cand []int32) {
	var maxp float64
	for _, i := range cand {
		maxp = max(maxp, p[i])
	}
	if cap(s.bucket) < len(p) {
		s.bucket = make([]uint16, len(p))
		s.order = make([]int32, len(p))
	}
	if s.start == nil {
		s.start = make([]int, numBuckets+1)
		s.mass = make([]float64, numBuckets)
		s.next = make([]int32, numBuckets)
	}
	clear(s.start)
	clear(s.mass)
	for _, i := range cand {
		if v := p[i]; v > 0 {
			b := bucketOf(v, maxp)
			s.bucket[i] = uint16(b)
			s.start[b+1]++
			s.mass[b] += v
		}
	}
	for b := 0; b < numBuckets; b++ {
		s.start[b+1] += s.start[b]
		s.next[b] = int32(s.start[b])
	}
	for _, i := range cand {
		if p[i] > 0 {
			b := s.bucket[i]
			s.order[s.next[b]] = i
			s.next[b]++
		}
	}
}

// cutBucket visits bucket b's tokens from most to least likely (ties by
// id) and zeroes the first one for which stop returns true, all after it,
// and every token of the later buckets.
func (s *Sampler) cutBucket(p []float64, b int, stop func(v float64) bool) {
	ids := s.order[s.start[b]:s.start[b+1]]
	slices.SortFunc(ids, func(a, c int32) int {
		switch {
		case p[a] > p[c]:
			return -1
		case p[a] < p[c]:
			return 1
		}
		return int(a - c)
	})
	for j, i := range ids {
		if stop(p[i]) {
			for _, z := range ids[j:] {
				p[z] = 0
			}
			break
		}
	}
	for _, z := range s.order[s.start[b+1]:s.start[numBuckets]] {
		p[z] = 0
	}
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
