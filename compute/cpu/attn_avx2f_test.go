package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/quant"
)

func init() {
	avx2SlotChecks = append(avx2SlotChecks, func(t *testing.T, same func(string, any, any)) {
		same("scoreRun", scoreRun, scoreRunAVX2)
		same("accumRun", accumRun, accumRunAVX2)
		same("scoreRunF16", scoreRunF16, scoreRunF16AVX2)
		same("accumRunF16", accumRunF16, accumRunF16AVX2)
	})
}

// TestAttnRunsAVX2: scores and value accumulation over runs of F32 and F16
// pool rows against the plain-Go twins, for head sizes with and without a
// 64-column part and for odd run lengths, bit for bit against the AVX-512
// kernels where the CPU has them.
func TestAttnRunsAVX2(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(89, 90))
	for _, hd := range []int{16, 32, 48, 64, 80, 112, 128, 256, 20} {
		for _, n := range []int{1, 2, 5, 16, 17} {
			stride := 3*hd + 16 // the head sits inside a wider pool row
			q := randF32(rng, hd, 1)
			kv := randF32(rng, n*stride, 1)
			kv16 := make([]uint16, len(kv))
			for i, v := range kv {
				kv16[i] = quant.F32ToF16(v)
				kv[i] = quant.F16ToF32(kv16[i]) // same values in both pools
			}
			off := hd // the second head of each row
			w := randF32(rng, n, 1)
			acc0 := randF32(rng, hd, 1)
			check := func(name string, got, want []float32, tol float64) {
				t.Helper()
				for i := range want {
					if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("hd=%d n=%d %s[%d] = %v, want %v", hd, n, name, i, got[i], want[i])
					}
				}
			}

			want, got, got16 := make([]float32, n), make([]float32, n), make([]float32, n)
			scoreRunGeneric(want, q, kv[off:], stride, n, 0.125)
			scoreRunAVX2(got, q, kv[off:], stride, n, 0.125)
			scoreRunF16AVX2(got16, q, kv16[off:], stride, n, 0.125)
			check("score", got, want, 1e-5)
			check("scoreF16", got16, want, 1e-5)

			aw, ag, ag16 := append([]float32(nil), acc0...), append([]float32(nil), acc0...), append([]float32(nil), acc0...)
			accumRunGeneric(aw, kv[off:], stride, w)
			accumRunAVX2(ag, kv[off:], stride, w)
			accumRunF16AVX2(ag16, kv16[off:], stride, w)
			check("accum", ag, aw, 1e-5)
			check("accumF16", ag16, aw, 1e-5)

			if !cpuAVX512 || hd%16 != 0 {
				continue
			}
			ref := make([]float32, n)
			dotsF32(&q[0], &kv[off], 4*stride, n, hd, 0.125, &ref[0])
			if !equalLanes(got, ref) {
				t.Fatalf("hd=%d n=%d: scores differ from the AVX-512 kernel", hd, n)
			}
			dotsF16(&q[0], &kv16[off], 2*stride, n, hd, 0.125, &ref[0])
			if !equalLanes(got16, ref) {
				t.Fatalf("hd=%d n=%d: F16 scores differ from the AVX-512 kernel", hd, n)
			}
			ar := append([]float32(nil), acc0...)
			axpysF32(&ar[0], &kv[off], 4*stride, &w[0], n, hd)
			if !equalLanes(ag, ar) {
				t.Fatalf("hd=%d n=%d: accumulation differs from the AVX-512 kernel", hd, n)
			}
			ar = append(ar[:0], acc0...)
			axpysF16(&ar[0], &kv16[off], 2*stride, &w[0], n, hd)
			if !equalLanes(ag16, ar) {
				t.Fatalf("hd=%d n=%d: F16 accumulation differs from the AVX-512 kernel", hd, n)
			}
		}
	}
}
