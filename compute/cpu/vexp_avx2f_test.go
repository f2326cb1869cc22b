package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func init() {
	avx2SlotChecks = append(avx2SlotChecks, func(t *testing.T, same func(string, any, any)) {
		same("expSub", expSub, expSubAVX2)
		same("swiglu", swiglu, swigluAVX2)
	})
}

// TestVexpAVX2: exp/softmax step and SwiGLU against the plain-Go twins
// (and bit for bit against the AVX-512 kernels where the CPU has them) at
// every length up to 70, with values past the clamps; the slot after the
// last element must stay untouched (masked tails).
func TestVexpAVX2(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(85, 86))
	const guard = float32(-12345)
	for n := 1; n <= 70; n++ {
		x := randF32(rng, n, 30)
		x[rng.IntN(n)] = -1e4 // underflows to 0
		if n > 3 {
			x[1] = 100 // clamped at 88.72 (after subtracting m, stays large)
			x[2] = -87.5
		}
		m := float32(3)
		want := append([]float32(nil), x...)
		got := append(append([]float32(nil), x...), guard)
		ws := expSubGeneric(want, m)
		gs := expSubAVX2(got[:n], m)
		if got[n] != guard {
			t.Fatalf("n=%d: expSub wrote past the end", n)
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 3e-7*math.Abs(float64(want[i])) {
				t.Fatalf("n=%d: exp(%v-3) = %v, want %v", n, x[i], got[i], want[i])
			}
		}
		if math.Abs(float64(gs-ws)) > 1e-6*math.Abs(float64(ws)) {
			t.Fatalf("n=%d: sum %v, want %v", n, gs, ws)
		}
		if cpuAVX512 {
			ref := append([]float32(nil), x...)
			rs := expSubF32(&ref[0], n, m)
			if !equalLanes(got[:n], ref) || math.Float32bits(rs) != math.Float32bits(gs) {
				t.Fatalf("n=%d: expSub differs from the AVX-512 kernel", n)
			}
		}

		g, u := randF32(rng, n, 20), randF32(rng, n, 2)
		g[0] = 120
		if n > 1 {
			g[1] = -120
		}
		d1, d2 := make([]float32, n), append(make([]float32, n), guard)
		swigluGeneric(d1, g, u)
		swigluAVX2(d2[:n], g, u)
		if d2[n] != guard {
			t.Fatalf("n=%d: swiglu wrote past the end", n)
		}
		for i := range d1 {
			if d := math.Abs(float64(d1[i] - d2[i])); d > 1e-6*(1+math.Abs(float64(d1[i]))) {
				t.Fatalf("n=%d: swiglu(%v, %v) = %v, want %v", n, g[i], u[i], d2[i], d1[i])
			}
		}
		if cpuAVX512 {
			ref := make([]float32, n)
			swigluF32(&ref[0], &g[0], &u[0], n)
			if !equalLanes(d2[:n], ref) {
				t.Fatalf("n=%d: swiglu differs from the AVX-512 kernel", n)
			}
		}
	}
}

// TestExpAVX2Sweep: the exp of a sweep over the whole clamped range
// (including subnormal results) matches the AVX-512 kernel bit for bit.
func TestExpAVX2Sweep(t *testing.T) {
	needAVX2(t)
	if !cpuAVX512 {
		t.Skip("no AVX-512 to compare with")
	}
	const n = 1 << 16
	x := make([]float32, n)
	for i := range x {
		x[i] = -110 + 200*float32(i)/n
	}
	a, b := append([]float32(nil), x...), append([]float32(nil), x...)
	sa, sb := expSubF32AVX2(&a[0], n, 0), expSubF32(&b[0], n, 0)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("exp(%v) = %v, AVX-512 %v", x[i], a[i], b[i])
		}
	}
	if sa != sb {
		t.Fatalf("sum %v, AVX-512 %v", sa, sb)
	}
}

// BenchmarkVecAVX2 times the elementwise and attention kernels (exp/softmax
// step, SwiGLU, RMSNorm, scores and value accumulation over 256 F16 keys of
// 128 columns) per level on cache-resident data; the GMAC/cpu-s metric
// counts elements (or multiply-adds) per CPU second of the thread.
func BenchmarkVecAVX2(b *testing.B) {
	if !cpuAVX2 {
		b.Skip("CPU has no AVX2+FMA+F16C")
	}
	rng := rand.New(rand.NewPCG(93, 94))
	x, g, u := randF32(rng, 3072, 4), randF32(rng, 3072, 4), randF32(rng, 3072, 1)
	d := make([]float32, 3072)
	const hd, keys = 128, 256
	q, w := randF32(rng, hd, 1), randF32(rng, keys, 1)
	kv := make([]uint16, keys*hd)
	for i := range kv {
		kv[i] = uint16(rng.Uint32()) & 0x3bff // finite halves below 1
	}
	s, acc := make([]float32, keys), make([]float32, hd)
	type level struct {
		name  string
		exp   func([]float32, float32) float32
		swi   func(d, g, u []float32)
		rms   func(d, x, w []float32, eps float32)
		score func(out, q []float32, k []uint16, stride, n int, scale float32)
		accum func(acc []float32, v []uint16, stride int, w []float32)
	}
	levels := []level{
		{"generic", expSubGeneric, swigluGeneric, rmsNormRowGeneric, scoreRunF16Generic, accumRunF16Generic},
		{"avx2", expSubAVX2, swigluAVX2, rmsNormRowAVX2, scoreRunF16AVX2, accumRunF16AVX2},
	}
	if cpuAVX512 {
		levels = append(levels, level{"avx512",
			func(x []float32, m float32) float32 { return expSubF32(&x[0], len(x), m) },
			func(d, g, u []float32) { swigluF32(&d[0], &g[0], &u[0], len(d)) },
			func(d, x, w []float32, eps float32) {
				ss := sumSquaresF32(&x[0], len(x))
				scaleMulF32(&d[0], &x[0], &w[0], float32(1/math.Sqrt(float64(ss)/float64(len(x))+float64(eps))), len(x))
			},
			func(out, q []float32, k []uint16, stride, n int, scale float32) {
				dotsF16(&q[0], &k[0], 2*stride, n, len(q), scale, &out[0])
			},
			func(acc []float32, v []uint16, stride int, w []float32) {
				axpysF16(&acc[0], &v[0], 2*stride, &w[0], len(w), len(acc))
			}})
	}
	for _, l := range levels {
		b.Run("exp1024/"+l.name, func(b *testing.B) {
			benchCPU(b, 1024, func() { copy(d, x[:1024]); l.exp(d[:1024], 4) })
		})
		b.Run("swiglu3072/"+l.name, func(b *testing.B) {
			benchCPU(b, 3072, func() { l.swi(d, g, u) })
		})
		b.Run("rmsnorm1024/"+l.name, func(b *testing.B) {
			benchCPU(b, 1024, func() { l.rms(d[:1024], x[:1024], u[:1024], 1e-6) })
		})
		b.Run("scoreF16/"+l.name, func(b *testing.B) {
			benchCPU(b, keys*hd, func() { l.score(s, q, kv, hd, keys, 0.1) })
		})
		b.Run("accumF16/"+l.name, func(b *testing.B) {
			benchCPU(b, keys*hd, func() { l.accum(acc, kv, hd, w) })
		})
	}
}
