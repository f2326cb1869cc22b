package cpu

//go:noescape
func expSubF32(x *float32, n int, m float32) float32

//go:noescape
func swigluF32(dst, gate, up *float32, n int)

func init() {
	if !hasAVX512 {
		return
	}
	expSub = func(x []float32, m float32) float32 {
		if len(x) == 0 {
			return 0
		}
		return expSubF32(&x[0], len(x), m)
	}
	swiglu = func(d, g, u []float32) {
		if len(d) == 0 {
			return
		}
		g, u = g[:len(d)], u[:len(d)]
		swigluF32(&d[0], &g[0], &u[0], len(d))
	}
}
