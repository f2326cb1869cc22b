package cpu

import (
	"math"

	"github.com/ferrum-go/ferrum/compute"
)

// Elementwise activations (GELU, GELU-tanh, tanh, SiLU) over float32
// slices. The plain-Go functions here define the algorithms; the AVX-512 and
// AVX2 kernels (act_fn_amd64.s, act_fn_avx2_amd64.s) run the same steps in
// the same order, so all levels compute the same function (Go's FMA goes
// through float64, so a value may rarely differ by an ulp from the asm).
//
// Shared pieces:
//   - exp: 2^n * e^r, n = round(x*log2 e), r = x - n*ln2 (two-part ln2),
//     e^r by its degree-7 Taylor polynomial, as in vexp_amd64.s. GELU's exp
//     takes its argument as a float pair (-x²/2 split by an FMA), so the
//     rounding of x² does not turn into relative error of exp.
//   - x*sigmoid(y) (SiLU with y=x, GELU-tanh with y = 2*sqrt(2/pi)*(x +
//     0.044715x³) as a float pair): e = exp(-|y|), then x/(1+e) for y >= 0 and x*e/(1+e)
//     below, which never overflows and keeps relative accuracy on the
//     negative tail (no 1+tanh cancellation).
//   - GELU = x*Phi(x): for |x| < 1/sqrt2, Phi = 1/2 + erf(x/sqrt2)/2 with
//     erf(z) = z*P(z²); above, Phi(-|x|) = erfc(|z|)/2 = exp(-z²)*t*Q(t)/2
//     with t = 1/(1+|z|/2), and Phi(x) = 1 - Phi(-x) for x > 0.
//   - tanh: x*P(x²) for |x| < 0.55, else sign(x)*(1 - 2/(exp(2|x|)+1)).
//
// The polynomials P, Q are our own Chebyshev fits (float64, converted to
// monomials, rounded to float32) of erf(z)/z on z² in [0, 1/4],
// erfc(z)*exp(z²)/t on z in [0.5, 10.5] and tanh(x)/x on x² in [0, 0.3025].
// Inputs are clamped where the result has saturated (GELU: |x| <= 10.5*sqrt2
// in the erfc path, x >= -20 as factor; sigmoid: |y| <= 110, x >= -110;
// tanh: |x| <= 10), so ±Inf give the limits (gelu(-Inf) = -0,
// silu(-Inf) = -0, tanh(±Inf) = ±1) and NaN stays NaN.

var (
	geluF32     = geluGo
	geluTanhF32 = geluTanhGo
	tanhF32     = tanhGo
	siluF32     = siluGo
)

const (
	fLog2e    = float32(1.44269502)     // 0x3fb8aa3b
	fLn2Hi    = float32(0.693145752)    // 0x3f317200
	fLn2Lo    = float32(1.42860677e-06) // 0x35bfbe8e
	fInvSqrt2 = float32(0.707106769)    // 0x3f3504f3
	// 2*sqrt(2/pi) and 2*sqrt(2/pi)*0.044715 (GELU-tanh's y), each as a
	// float32 pair hi+lo.
	gk1  = 1.5957691216057308
	gk3  = gk1 * 0.044715
	fK1h = float32(gk1)
	fK1l = float32(gk1 - float64(fK1h))
	fK3h = float32(gk3)
	fK3l = float32(gk3 - float64(fK3h))
)

var expTaylor = [8]float32{1, 1, 0.5, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040}

// erf(z)/z on z² in [0, 1/4].
var erfP = [6]float32{1.12837923, -0.376126379, 0.112837739, -0.0268631503, 0.00520044612, -0.00076950551}

// erfc(z)*exp(z²)/t on t = 1/(1+z/2), z in [0.5, 10.5].
var erfcQ = [10]float32{0.282085806, 0.282337278, 0.244040191, 0.194239825, 0.0136891939,
	0.164406195, -0.291550308, 0.0825258642, 0.0559449568, -0.0277438052}

// tanh(x)/x on x² in [0, 0.3025].
var tanhP = [6]float32{1, -0.333333105, 0.133324683, -0.0538433678, 0.0210421681, -0.00623884564}

// actFMA is fma(a, b, c) rounded to float32 through float64: a*b is exact
// in float64, so this is math.FMA's value without its call.
func actFMA(a, b, c float32) float32 {
	return float32(float64(a)*float64(b) + float64(c))
}

func horner32(c []float32, u float32) float32 {
	p := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		p = actFMA(p, u, c[i])
	}
	return p
}

// The plain-Go kernels work on blocks of 8 values, step by step over the
// block like the vector kernels: the steps of one value form a long
// dependency chain, and interleaving 8 of them keeps the FPU busy.
type lanes [8]float32

func hornerL(c []float32, u *lanes) (p lanes) {
	// Same values as actFMA at each step, with u and p kept in float64:
	// p*u is exact there and the sum is rounded to float32 once.
	var u64, p64 [8]float64
	for j := range u64 {
		u64[j] = float64(u[j])
		p64[j] = float64(c[len(c)-1])
	}
	for i := len(c) - 2; i >= 0; i-- {
		ci := float64(c[i])
		for j := range p64 {
			p64[j] = float64(float32(p64[j]*u64[j] + ci))
		}
	}
	for j := range p {
		p[j] = float32(p64[j])
	}
	return p
}

// expL is exp(hi+lo) per lane, |lo| tiny beside hi, hi in [-111, 88]:
// n = round(hi*log2e), r = hi - n*ln2 + lo, e^r * 2^n.
func expL(hi, lo *lanes) (e lanes) {
	var n, r lanes
	for j := range n {
		n[j] = float32(math.RoundToEven(float64(hi[j] * fLog2e)))
		r[j] = actFMA(-n[j], fLn2Hi, hi[j])
		r[j] = actFMA(-n[j], fLn2Lo, r[j])
		r[j] += lo[j]
	}
	p := hornerL(expTaylor[:], &r)
	for j := range e {
		if n[j] != n[j] {
			e[j] = n[j]
			continue
		}
		// One rounding of p*2^n, as vscalefps does.
		e[j] = float32(float64(p[j]) * math.Float64frombits(uint64(int64(n[j])+1023)<<52))
	}
	return e
}

func absf(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func geluL(v *lanes) {
	var z, s, a, hi, lo, t lanes
	for j, x := range v {
		a[j] = absf(x)
		z[j] = x * fInvSqrt2
		s[j] = z[j] * z[j]
		ac := min(a[j], 14.8492424) // z <= 10.5
		sh := ac * ac
		hi[j] = -0.5 * sh
		lo[j] = -0.5 * actFMA(ac, ac, -sh)
		t[j] = 1 / actFMA(0.5, ac*fInvSqrt2, 1)
	}
	q := hornerL(erfP[:], &s)
	e := expL(&hi, &lo)
	g := hornerL(erfcQ[:], &t)
	for j, x := range v {
		var phi float32
		if a[j] < fInvSqrt2 {
			phi = actFMA(0.5, z[j]*q[j], 0.5)
		} else {
			c := e[j] * t[j]
			c *= g[j]
			c *= 0.5
			if x < 0 {
				phi = c
			} else {
				phi = 1 - c
			}
		}
		v[j] = maxNaN(x, -20) * phi
	}
}

// maxNaN is max(x, c) that keeps a NaN x (as the kernels' vmaxps does).
func maxNaN(x, c float32) float32 {
	if x != x {
		return x
	}
	return max(x, c)
}

// xSigmoidL: v = x/(1+exp(-(y+ylo))) per lane; y has x's sign, ylo is
// tiny beside y (the low part of a float pair).
func xSigmoidL(v, y, ylo *lanes) {
	var hi, lo lanes
	for j := range hi {
		hi[j] = -min(absf(y[j]), 110)
		// lo = -sign(y)*ylo, the low part of -|y|.
		lo[j] = math.Float32frombits(math.Float32bits(ylo[j]) ^ math.Float32bits(y[j])&(1<<31) ^ 1<<31)
	}
	e := expL(&hi, &lo)
	for j, x := range v {
		num := x
		if !(y[j] >= 0) {
			num = maxNaN(x, -110) * e[j]
		}
		v[j] = num / (1 + e[j])
	}
}

func siluL(v *lanes) {
	var zero lanes
	y := *v
	xSigmoidL(v, &y, &zero)
}

// geluTanhL: y = 2*sqrt(2/pi)*(x + 0.044715x³) as a float pair (error-free
// products by FMA, a two-sum), since exp(-|y|) turns y's absolute error
// into relative error of the result; x is clamped to ±12 there (|y| > 110
// already gives exp(-|y|) = 0).
func geluTanhL(v *lanes) {
	var y, ylo lanes
	for j, x := range v {
		xy := min(max(x, -12), 12)
		s := xy * xy
		sl := actFMA(xy, xy, -s)
		c := s * xy
		cl := actFMA(sl, xy, actFMA(s, xy, -c))
		p1 := fK1h * xy
		p1l := actFMA(fK1l, xy, actFMA(fK1h, xy, -p1))
		p3 := fK3h * c
		p3l := actFMA(fK3h, cl, actFMA(fK3l, c, actFMA(fK3h, c, -p3)))
		yy := p1 + p3
		bb := yy - p1
		err := (p1 - (yy - bb)) + (p3 - bb)
		y[j] = yy
		ylo[j] = (err + p1l) + p3l
	}
	xSigmoidL(v, &y, &ylo)
}

func tanhL(v *lanes) {
	var s, hi, zero lanes
	for j, x := range v {
		s[j] = x * x
		hi[j] = 2 * min(absf(x), 10)
	}
	q := hornerL(tanhP[:], &s)
	e := expL(&hi, &zero)
	for j, x := range v {
		if absf(x) < 0.55 {
			v[j] = x * q[j]
			continue
		}
		r := 1 - 2/(e[j]+1)
		v[j] = math.Float32frombits(math.Float32bits(r) | math.Float32bits(x)&(1<<31))
	}
}

// blocksGo runs f over x in blocks of 8 (the last one padded).
func blocksGo(d, x []float32, f func(*lanes)) {
	x = x[:len(d)]
	for len(d) > 0 {
		var v lanes
		n := copy(v[:], x)
		f(&v)
		copy(d[:n], v[:n])
		d, x = d[n:], x[n:]
	}
}

func geluGo(d, x []float32)     { blocksGo(d, x, geluL) }
func geluTanhGo(d, x []float32) { blocksGo(d, x, geluTanhL) }
func tanhGo(d, x []float32)     { blocksGo(d, x, tanhL) }
func siluGo(d, x []float32)     { blocksGo(d, x, siluL) }

// actCtx carries an activation's slices to its static loop body.
type actCtx struct {
	d, x []float32
	f    func(d, x []float32)
}

var actJobs = newJobPool[actCtx]()

// activation runs f over dst = f(x) split over the pool, allocating nothing.
func (b *Backend) activation(op string, dst, x compute.Tensor, f func(d, x []float32)) {
	dt, xt := f32Of(dst), f32Of(x)
	sameShape(op, dt, xt)
	parallelCtx(b.pool, actJobs, len(dt.f32), grainFor(8), actCtx{dt.f32, xt.f32, f}, func(c *actCtx, lo, hi int) {
		c.f(c.d[lo:hi], c.x[lo:hi])
	})
}
