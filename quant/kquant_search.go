package quant

// The k-quant encoders pick each sub-block's scale (and min) by a small
// search that ggml calls make_*_quants. The arithmetic below follows ggml's
// operation order exactly; any reordering changes which candidate wins.

// groupMaxEps is ggml's GROUP_MAX_EPS: groups below it encode as zero.
const groupMaxEps = 1e-15

// makeQXQuants is make_qx_quants with rmse_type 1: symmetric levels
// -nmax..nmax-1, weights w (x*x when w is nil), and a sweep of 18 nearby
// inverse scales keeping the one with the best weighted fit. It stores
// level+nmax in L and returns the scale.
func makeQXQuants(nmax int32, x []float32, L []int8, w []float32) float32 {
	weight := func(i int) float32 {
		if w != nil {
			return w[i]
		}
		return x[i] * x[i]
	}
	max, amax := absMax(x)
	if amax < groupMaxEps {
		for i := range x {
			L[i] = 0
		}
		return 0
	}
	fnmax := float32(nmax)
	iscale := -fnmax / max
	var sumlx, suml2 float32
	for i, v := range x {
		l := clampI(nearestInt(iscale*v), -nmax, nmax-1)
		L[i] = int8(l + nmax)
		wi, fl := weight(i), float32(l)
		sumlx += float32(wi * v * fl)
		suml2 += float32(wi * fl * fl)
	}
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := scale * sumlx
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(fnmax + float32(0.1*float32(is))) / max
		sumlx, suml2 = 0, 0
		for i, v := range x {
			l := clampI(nearestInt(iscale*v), -nmax, nmax-1)
			wi, fl := weight(i), float32(l)
			sumlx += float32(wi * v * fl)
			suml2 += float32(wi * fl * fl)
		}
		if suml2 > 0 && sumlx*sumlx > best*suml2 {
			for i, v := range x {
				l := nearestInt(iscale * v)
				L[i] = int8(nmax + clampI(l, -nmax, nmax-1))
			}
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	return scale
}

// makeQ3Quants is make_q3_quants with do_rmse: symmetric levels, weights
// x*x, then up to five rounds of moving single values to a better level.
// It stores level+nmax in L and returns the scale.
func makeQ3Quants(nmax int32, x []float32, L []int8) float32 {
	max, amax := absMax(x)
	if amax < groupMaxEps {
		for i := range x {
			L[i] = 0
		}
		return 0
	}
	iscale := -float32(nmax) / max
	var sumlx, suml2 float32
	for i, v := range x {
		l := clampI(nearestInt(iscale*v), -nmax, nmax-1)
		L[i] = int8(l)
		w, fl := v*v, float32(l)
		sumlx += float32(w * v * fl)
		suml2 += float32(w * fl * fl)
	}
	for itry := 0; itry < 5; itry++ {
		changed := false
		for i, v := range x {
			w, fL := v*v, float32(L[i])
			slx := sumlx - float32(w*v*fL)
			if slx <= 0 {
				continue
			}
			sl2 := suml2 - float32(w*fL*fL)
			newL := clampI(nearestInt(v*sl2/slx), -nmax, nmax-1)
			if newL == int32(L[i]) {
				continue
			}
			fn := float32(newL)
			slx += float32(w * v * fn)
			sl2 += float32(w * fn * fn)
			if sl2 > 0 && slx*slx*suml2 > sumlx*sumlx*sl2 {
				L[i] = int8(newL)
				sumlx, suml2 = slx, sl2
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for i := range x {
		L[i] += int8(nmax)
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// makeQKX2Quants is make_qkx2_quants: asymmetric levels 0..nmax with a
// min, chosen by a sweep of nstep+1 inverse scales with a least-squares
// refit of scale and min at each, judged by weighted absolute (useMAD) or
// squared error. It stores levels in L (laux is scratch) and returns the
// scale and the negated min ggml stores.
func makeQKX2Quants(nmax int32, x, weights []float32, L, laux []uint8,
	rmin, rdelta float32, nstep int, useMAD bool) (scale, negMin float32) {
	n := len(x)
	min, max := x[0], x[0]
	sumW := weights[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < n; i++ {
		if x[i] < min {
			min = x[i]
		}
		if x[i] > max {
			max = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if min > 0 {
		min = 0
	}
	if max == min {
		for i := range x {
			L[i] = 0
		}
		return 0, -min
	}
	fnmax := float32(nmax)
	errorOf := func(d float32) float32 {
		if useMAD {
			return fabsf(d)
		}
		return d * d
	}
	iscale := fnmax / (max - min)
	scale = 1 / iscale
	var bestError float32
	for i, v := range x {
		l := clampI(nearestInt(iscale*(v-min)), 0, nmax)
		L[i] = uint8(l)
		diff := float32(scale*float32(l)) + min - v
		bestError += float32(weights[i] * errorOf(diff))
	}
	if nstep < 1 {
		return scale, -min
	}
	for is := 0; is <= nstep; is++ {
		iscale = (rmin + float32(rdelta*float32(is)) + fnmax) / (max - min)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			l := clampI(nearestInt(iscale*(v-min)), 0, nmax)
			laux[i] = uint8(l)
			w, fl := weights[i], float32(l)
			sumL += float32(w * fl)
			sumL2 += float32(w * fl * fl)
			sumXL += float32(w * fl * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D <= 0 {
			continue
		}
		thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
		thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
		if thisMin > 0 {
			thisMin = 0
			thisScale = sumXL / sumL2
		}
		var curError float32
		for i, v := range x {
			diff := float32(thisScale*float32(laux[i])) + thisMin - v
			curError += float32(weights[i] * errorOf(diff))
		}
		if curError < bestError {
			copy(L[:n], laux[:n])
			bestError = curError
			scale, min = thisScale, thisMin
		}
	}
	return scale, -min
}

// kScaleMin reads sub-block j's 6-bit scale and min from the 12 packed
// bytes of a Q4_K/Q5_K block (ggml's get_scale_min_k4).
func kScaleMin(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// putKScaleMin packs 6-bit scales and mins the way kScaleMin reads them.
func putKScaleMin(q []byte, ls, lm *[8]uint8) {
	for j := 0; j < 8; j++ {
		if j < 4 {
			q[j] = ls[j]
			q[j+4] = lm[j]
		} else {
			q[j+4] = ls[j]&0xf | (lm[j]&0xf)<<4
			q[j-4] |= (ls[j] >> 4) << 6
			q[j] |= (lm[j] >> 4) << 6
		}
	}
}
