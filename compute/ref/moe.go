package ref

// AddScaledRows returns dst (rows of width cols) with scales[i] * src row i
// added to row rows[i].
func AddScaledRows(dst []float32, cols int, src []float32, rows []int32, scales []float32) []float32 {
	out := append([]float32(nil), dst...)
	for i, r := range rows {
		for c := 0; c < cols; c++ {
			out[int(r)*cols+c] = float32(float64(out[int(r)*cols+c]) + float64(scales[i])*float64(src[i*cols+c]))
		}
	}
	return out
}

// MoEFFN returns the mixture-of-experts SwiGLU feed-forward of x (n rows of
// width hidden): row r is the sum over experts e (ascending) and i with
// rows[e][i] == r of scales[e][i] * down_e(silu(gate_e x_r) * up_e x_r).
// gate[e] and up[e] are inter x hidden, down[e] hidden x inter, decoded.
func MoEFFN(x []float32, hidden, inter int, gate, up, down [][]float32, rows [][]int32, scales [][]float32) []float32 {
	out := make([]float32, len(x))
	for e := range rows {
		for i, r := range rows[e] {
			xr := x[int(r)*hidden : (int(r)+1)*hidden]
			h := SwiGLU(MatMul(xr, 1, hidden, gate[e], inter), MatMul(xr, 1, hidden, up[e], inter))
			d := MatMul(h, 1, inter, down[e], hidden)
			out = AddScaledRows(out, hidden, d, []int32{r}, scales[e][i:i+1])
		}
	}
	return out
}
