package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func init() {
	avx2SlotChecks = append(avx2SlotChecks, func(t *testing.T, same func(string, any, any)) {
		same("rmsNormRow", rmsNormRow, rmsNormRowAVX2)
	})
}

// TestRMSNormAVX2: against the plain-Go row at every length up to 70 and a
// few model widths, bit for bit against the AVX-512 kernels where the CPU
// has them; nothing past the row is written.
func TestRMSNormAVX2(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(87, 88))
	const guard = float32(-777)
	lens := []int{1024, 896, 2048 + 5}
	for n := 1; n <= 70; n++ {
		lens = append(lens, n)
	}
	for _, n := range lens {
		x, w := randF32(rng, n, 4), randF32(rng, n, 1)
		want, got := make([]float32, n), append(make([]float32, n), guard)
		rmsNormRowGeneric(want, x, w, 1e-6)
		rmsNormRowAVX2(got[:n], x, w, 1e-6)
		if got[n] != guard {
			t.Fatalf("n=%d: wrote past the row", n)
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("n=%d: [%d] = %v, want %v", n, i, got[i], want[i])
			}
		}
		if cpuAVX512 {
			if a, b := sumSquaresF32AVX2(&x[0], n), sumSquaresF32(&x[0], n); a != b {
				t.Fatalf("n=%d: sum of squares %v, AVX-512 %v", n, a, b)
			}
			ref := make([]float32, n)
			scaleMulF32(&ref[0], &x[0], &w[0], 0.37, n)
			scaleMulF32AVX2(&got[0], &x[0], &w[0], 0.37, n)
			if !equalLanes(got[:n], ref) {
				t.Fatalf("n=%d: scaleMul differs from the AVX-512 kernel", n)
			}
		}
	}
}
