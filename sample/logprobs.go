package sample

import (
	"math"
	"slices"
)

// TokenLogprob is a token and its log-probability.
type TokenLogprob struct {
	Token   int32
	Logprob float32
}

// Logprobs returns the log-probability of tok under softmax(logits) - the
// model's own distribution, before any sampling adjustment, as vLLM
// reports by default - and the top most likely tokens (most likely first,
// ties by id).
func Logprobs(logits []float32, tok int32, top int) (float32, []TokenLogprob) {
	lse := logSumExp(logits)
	chosen := float32(math.Inf(-1))
	if tok >= 0 && int(tok) < len(logits) {
		chosen = float32(float64(logits[tok]) - lse)
	}
	if top <= 0 {
		return chosen, nil
	}
	top = min(top, len(logits))
	// A running selection of the top ids keeps this O(vocab * top).
	best := make([]int32, 0, top+1)
	better := func(a, b int32) bool {
		return logits[a] > logits[b] || logits[a] == logits[b] && a < b
	}
	for i := range logits {
		id := int32(i)
		if len(best) == top && !better(id, best[top-1]) {
			continue
		}
		j := len(best)
		best = append(best, id)
		for j > 0 && better(id, best[j-1]) {
			best[j] = best[j-1]
			j--
		}
		best[j] = id
		if len(best) > top {
			best = best[:top]
		}
	}
	out := make([]TokenLogprob, len(best))
	for i, id := range best {
		out[i] = TokenLogprob{Token: id, Logprob: float32(float64(logits[id]) - lse)}
	}
	return chosen, slices.Clip(out)
}

func logSumExp(x []float32) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	if math.IsInf(m, -1) {
		return m
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}
