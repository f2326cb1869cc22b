package cpu

import "math"

// expSub sets x[i] = exp(x[i]-m) and returns their sum: the softmax step of
// attention (over a chunk of keys) and of Softmax. A slot for SIMD kernels;
// the sum is taken in float64 here, in float32 lanes there.
var expSub = expSubGeneric

func expSubGeneric(x []float32, m float32) float32 {
	var s float64
	for i, v := range x {
		e := float32(math.Exp(float64(v - m)))
		x[i] = e
		s += float64(e)
	}
	return float32(s)
}

// swiglu: d = silu(g) * u, elementwise.
var swiglu = swigluGeneric

func swigluGeneric(d, g, u []float32) {
	u = u[:len(d)]
	g = g[:len(d)]
	for i := range d {
		d[i] = silu(g[i]) * u[i]
	}
}
