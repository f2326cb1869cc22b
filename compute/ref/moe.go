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
