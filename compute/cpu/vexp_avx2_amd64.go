package cpu

//go:noescape
func expSubF32AVX2(x *float32, n int, m float32) float32

//go:noescape
func swigluF32AVX2(dst, gate, up *float32, n int)

func init() {
	if !hasAVX2 || hasAVX512 {
		return
	}
	expSub, swiglu = expSubAVX2, swigluAVX2
}

func expSubAVX2(x []float32, m float32) float32 {
	if len(x) == 0 {
		return 0
	}
	return expSubF32AVX2(&x[0], len(x), m)
}

func swigluAVX2(d, g, u []float32) {
	if len(d) == 0 {
		return
	}
	g, u = g[:len(d)], u[:len(d)]
	swigluF32AVX2(&d[0], &g[0], &u[0], len(d))
}
