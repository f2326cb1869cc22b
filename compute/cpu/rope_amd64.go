package cpu

// RoPE rotation kernels: AVX-512 (16 lanes) and AVX2 (8 lanes), the same
// rounded products and sums as rotate, so the bits match the plain Go.
// The kernels cover whole vectors of each head; rotate does the rest.

// ropeNeoX rotates pairs (i, i+half) for i < n (a multiple of the lane
// count) of each of heads heads, stride floats apart, starting at x.
//
//go:noescape
func ropeNeoXAVX512(x *float32, heads, stride, half int, cos, sin *float32, n int)

//go:noescape
func ropeNeoXAVX2(x *float32, heads, stride, half int, cos, sin *float32, n int)

// ropePairs rotates the interleaved pairs (2i, 2i+1) in the first n floats
// (a multiple of the lane count) of each head, with cosd = cos repeated
// per pair and sind = (-sin, +sin) per pair.
//
//go:noescape
func ropePairsAVX512(x *float32, heads, stride int, cosd, sind *float32, n int)

//go:noescape
func ropePairsAVX2(x *float32, heads, stride int, cosd, sind *float32, n int)

type ropeNeoXKernel func(x *float32, heads, stride, half int, cos, sin *float32, n int)
type ropePairsKernel func(x *float32, heads, stride int, cosd, sind *float32, n int)

func init() {
	switch {
	case hasAVX512:
		rotateHeads = rotateHeadsSIMD(ropeNeoXAVX512, ropePairsAVX512, 16)
	case hasAVX2:
		rotateHeads = rotateHeadsSIMD(ropeNeoXAVX2, ropePairsAVX2, 8)
	}
}

func rotateHeadsSIMD(neoxK ropeNeoXKernel, pairsK ropePairsKernel, lanes int) func([]float32, int, int, []float32, []float32, bool) {
	return func(row []float32, heads, headDim int, cos, sin []float32, neox bool) {
		half := len(cos)
		if heads <= 0 || half == 0 {
			return
		}
		rot := 2 * half
		_ = row[(heads-1)*headDim+rot-1]
		sin = sin[:half]
		from := 0
		if neox {
			if n := half &^ (lanes - 1); n > 0 {
				neoxK(&row[0], heads, headDim, half, &cos[0], &sin[0], n)
				from = n
			}
		} else if n := rot &^ (lanes - 1); n > 0 {
			buf := floatScratch.get(2 * n)
			cosd, sind := buf.v[:n], buf.v[n:2*n]
			for i := 0; i < n/2; i++ {
				cosd[2*i], cosd[2*i+1] = cos[i], cos[i]
				sind[2*i], sind[2*i+1] = -sin[i], sin[i]
			}
			pairsK(&row[0], heads, headDim, &cosd[0], &sind[0], n)
			floatScratch.put(buf)
			from = n / 2
		}
		if from < half {
			for h := 0; h < heads; h++ {
				rotate(row[h*headDim:h*headDim+rot], cos, sin, neox, from)
			}
		}
	}
}
