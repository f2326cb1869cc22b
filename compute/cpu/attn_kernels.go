package cpu

// Attention's inner loops over a run of keys in consecutive pool rows
// (stride floats apart): scoreRun takes out[j] = scale*<q, k_j>,
// accumRun adds sum_j w[j]*v_j to acc. Slots for SIMD kernels; these are
// the plain-Go versions.
var (
	scoreRun = scoreRunGeneric
	accumRun = accumRunGeneric
)

func scoreRunGeneric(out, q, k []float32, stride, n int, scale float32) {
	hd := len(q)
	for j := 0; j < n; j++ {
		out[j] = dot(q, k[j*stride:j*stride+hd]) * scale
	}
}

func accumRunGeneric(acc, v []float32, stride int, w []float32) {
	hd := len(acc)
	for j, e := range w {
		axpy(e, v[j*stride:j*stride+hd], acc)
	}
}
