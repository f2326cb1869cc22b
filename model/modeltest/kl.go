package modeltest

import "math"

// KL is KL(softmax(p) || softmax(q)): how far the distribution of logits q
// (a quantized model, say) is from p's.
func KL(p, q []float32) float64 {
	lp, lq := LogSoftmax(p), LogSoftmax(q)
	var kl float64
	for i := range lp {
		kl += math.Exp(lp[i]) * (lp[i] - lq[i])
	}
	return kl
}

// LogSoftmax of logits, in float64.
func LogSoftmax(x []float32) []float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v) - m - math.Log(s)
	}
	return out
}
