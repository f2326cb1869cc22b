package cpu

import (
	"math"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
)

// Float64 references of the activations.
func geluRef(x float64) float64 {
	if math.IsInf(x, -1) {
		return math.Copysign(0, -1)
	}
	return 0.5 * x * math.Erfc(-x/math.Sqrt2)
}
func siluRef(x float64) float64 {
	if x < -200 {
		return math.Copysign(0, x)
	}
	return x / (1 + math.Exp(-x))
}
func geluTanhRef(x float64) float64 {
	y := 2 * math.Sqrt(2/math.Pi) * (x + 0.044715*x*x*x)
	if y < -200 || math.IsInf(x, -1) {
		return math.Copysign(0, x)
	}
	return x / (1 + math.Exp(-y))
}

type actCase struct {
	name string
	ref  func(float64) float64
	got  func(d, x []float32) // the kernel of this run's level
	gof  func(d, x []float32) // plain Go
	ulp  float64              // bound for |ref| >= tinyOut
}

// tinyOut: below it errors are judged absolutely (float32 denormals and
// values that vanish beside any activation of a network).
const tinyOut = 1e-30

func actCases() []actCase {
	return []actCase{
		{"gelu", geluRef, geluF32, geluGo, 6},
		{"gelutanh", geluTanhRef, geluTanhF32, geluTanhGo, 4},
		{"tanh", math.Tanh, tanhF32, tanhGo, 3},
		{"silu", siluRef, siluF32, siluGo, 4},
	}
}

// sweep: every 1031st float32 bit pattern (both signs, all exponents) plus
// edge values.
func actSweep() []float32 {
	var xs []float32
	for b := uint64(0); b < 1<<32; b += 1031 {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	inf := float32(math.Inf(1))
	xs = append(xs, 0, float32(math.Copysign(0, -1)), inf, -inf, float32(math.NaN()),
		1e-45, -1e-45, 0.5, -0.5, 0.55, -0.55, 0.70710677, -0.70710677, 0.7071068, -0.7071068,
		9, -9, 10, -10, 14.85, -14.85, 20, -20, 110, -110, 1e30, -1e30)
	return xs
}

func ulpOf(r float64) float64 {
	f := float32(math.Abs(r))
	return float64(math.Nextafter32(f, float32(math.Inf(1))) - f)
}

func TestActivationsSweep(t *testing.T) {
	xs := actSweep()
	d := make([]float32, len(xs))
	dg := make([]float32, len(xs))
	for _, c := range actCases() {
		c.got(d, xs)
		c.gof(dg, xs)
		maxU, maxA, diffGo := 0.0, 0.0, 0
		var worst float32
		for i, x := range xs {
			r := c.ref(float64(x))
			g := float64(d[i])
			if d[i] != dg[i] && !(d[i] != d[i] && dg[i] != dg[i]) {
				diffGo++
			}
			if math.IsNaN(r) || math.IsNaN(g) {
				if math.IsNaN(r) != math.IsNaN(g) {
					t.Errorf("%s(%g) = %g, want %g", c.name, x, g, r)
				}
				continue
			}
			if math.IsInf(r, 0) || math.IsInf(g, 0) {
				if r != g {
					t.Errorf("%s(%g) = %g, want %g", c.name, x, g, r)
				}
				continue
			}
			if r == 0 && g != 0 || math.Signbit(r) != math.Signbit(g) && g != 0 {
				t.Errorf("%s(%g) = %g, want %g", c.name, x, g, r)
			}
			e := math.Abs(g - r)
			if math.Abs(r) < tinyOut {
				maxA = max(maxA, e)
				continue
			}
			u := e / ulpOf(r)
			if u > c.ulp {
				t.Errorf("%s(%g) = %g, want %g (%.1f ulp)", c.name, x, g, r, u)
			}
			if u > maxU {
				maxU, worst = u, x
			}
		}
		t.Logf("%s: %d inputs, max %.2f ulp (at %g) for |out| >= %g, max abs %.3g below; %d differ from plain Go",
			c.name, len(xs), maxU, worst, tinyOut, maxA, diffGo)
		if maxA > 1e-30 {
			t.Errorf("%s: abs error %g on tiny outputs", c.name, maxA)
		}
	}
}

func TestActivationEdges(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		f    func(d, x []float32)
		x, w float32
	}{
		{geluF32, -inf, 0}, {geluF32, inf, inf}, {siluF32, -inf, 0}, {siluF32, inf, inf},
		{siluF32, -1000, 0}, {geluTanhF32, -inf, 0}, {geluTanhF32, inf, inf},
		{tanhF32, inf, 1}, {tanhF32, -inf, -1}, {tanhF32, 20, 1}, {tanhF32, -20, -1},
	} {
		for n := 1; n <= 40; n++ { // every position in a vector and in a tail
			x := make([]float32, n)
			for i := range x {
				x[i] = c.x
			}
			d := make([]float32, n)
			c.f(d, x)
			for i, v := range d {
				if v != c.w {
					t.Fatalf("n=%d: f(%g)[%d] = %g, want %g", n, c.x, i, v, c.w)
				}
			}
		}
	}
}

func BenchmarkGELU1M(b *testing.B) {
	x := make([]float32, 1<<20)
	for i := range x {
		x[i] = float32(i%2000)/200 - 5
	}
	d := make([]float32, len(x))
	b.Run("kernel", func(b *testing.B) {
		for range b.N {
			geluF32(d, x)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/elem")
	})
	b.Run("float64", func(b *testing.B) {
		for range b.N {
			for i, v := range x {
				d[i] = float32(0.5 * float64(v) * (1 + math.Erf(float64(v)/math.Sqrt2)))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/elem")
	})
}

// BenchmarkGELUOp times the GELU op on a BERT-base FFN activation (128
// tokens x 3072) on 2 threads: this kernel against the per-element float64
// path it replaced (Backend.unary with math.Erf).
func BenchmarkGELUOp(b *testing.B) {
	be := New(2)
	defer be.Close()
	rows, cols := 128, 3072
	xs := make([]float32, rows*cols)
	for i := range xs {
		xs[i] = float32(i%2000)/200 - 5
	}
	x, dst := be.Upload(rows, cols, xs), be.Alloc(rows, cols)
	old := func(v float32) float32 {
		return float32(0.5 * float64(v) * (1 + math.Erf(float64(v)/math.Sqrt2)))
	}
	b.Run("kernel", func(b *testing.B) {
		for range b.N {
			be.GELU(dst, x)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(xs)), "ns/elem")
	})
	b.Run("float64", func(b *testing.B) {
		for range b.N {
			be.unary("GELU", dst, x, old)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(xs)), "ns/elem")
	})
}

// TestActivationOpsNoAlloc: the ops run over the pool without allocating,
// tails included.
func TestActivationOpsNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	be := New(2)
	defer be.Close()
	rows, cols := 7, 4099
	xs := make([]float32, rows*cols)
	for i := range xs {
		xs[i] = float32(i%97)/10 - 5
	}
	x, dst := be.Upload(rows, cols, xs), be.Alloc(rows, cols)
	for name, op := range map[string]func(dst, x compute.Tensor){
		"GELU": be.GELU, "GELUTanh": be.GELUTanh, "Tanh": be.Tanh, "SiLU": be.SiLU,
	} {
		op(dst, x)
		if n := testing.AllocsPerRun(20, func() { op(dst, x) }); n != 0 {
			t.Errorf("%s: %v allocations per run", name, n)
		}
	}
}
