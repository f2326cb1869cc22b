package quant

// Scale searches used only by the importance-matrix encoders.
//
// ggml's make_qkx3_quants differs from make_qkx2_quants only when its
// weights are NULL (it then uses x*x) and in testing max <= min rather than
// max == min, which after min is clamped to <= 0 is the same test. The
// weighted encoders always pass weights, so they share makeQKX2Quants.

// makeQPQuants is make_qp_quants: non-negative values (sub-block scales or
// mins) quantized to 0..nmax against one scale, picked from nine
// candidates by weighted squared error and refined by moving single values.
// L gets the levels with C's uint8 wrap-around; it returns the scale.
func makeQPQuants(nmax int32, x []float32, L []uint8, w []float32) float32 {
	var max float32
	for _, v := range x {
		max = maxf(max, v)
	}
	if max < groupMaxEps {
		for i := range x {
			L[i] = 0
		}
		return 0
	}
	fnmax := float32(nmax)
	iscale := fnmax / max
	for i, v := range x {
		L[i] = uint8(nearestInt(iscale * v))
	}
	scale := 1 / iscale
	var bestMSE float32
	for i, v := range x {
		diff := v - float32(scale*float32(L[i]))
		bestMSE += float32(w[i] * diff * diff)
	}
	for is := -4; is <= 4; is++ {
		if is == 0 {
			continue
		}
		iscaleIs := (float32(0.1*float32(is)) + fnmax) / max
		scaleIs := 1 / iscaleIs
		var mse float32
		for i, v := range x {
			l := minI(nmax, nearestInt(iscaleIs*v))
			diff := v - float32(scaleIs*float32(l))
			mse += float32(w[i] * diff * diff)
		}
		if mse < bestMSE {
			bestMSE = mse
			iscale = iscaleIs
		}
	}
	var sumlx, suml2 float32
	for i, v := range x {
		l := minI(nmax, nearestInt(iscale*v))
		L[i] = uint8(l)
		fl := float32(l) // the sums see the level before L's uint8 wrap
		sumlx += float32(w[i] * v * fl)
		suml2 += float32(w[i] * fl * fl)
	}
	for itry := 0; itry < 5; itry++ {
		changed := false
		for i, v := range x {
			wi, fL := w[i], float32(L[i])
			slx := sumlx - float32(wi*v*fL)
			sl2 := suml2 - float32(wi*fL*fL)
			if !(slx > 0 && sl2 > 0) {
				continue
			}
			newL := minI(nmax, nearestInt(v*sl2/slx))
			if newL == int32(L[i]) {
				continue
			}
			fn := float32(newL)
			slx += float32(wi * v * fn)
			sl2 += float32(wi * fn * fn)
			if slx*slx*suml2 > sumlx*sumlx*sl2 {
				L[i] = uint8(newL)
				sumlx, suml2 = slx, sl2
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// importanceWeights fills w with ggml's imatrix weighting,
// qw * sqrt(sigma2 + x*x).
func importanceWeights(w, qw, x []float32, sigma2 float32) {
	for i, v := range x {
		w[i] = qw[i] * sqrtf(sigma2+float32(v*v))
	}
}

func sumSquares(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += float32(v * v)
	}
	return s
}

func sum(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}
