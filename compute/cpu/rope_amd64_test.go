package cpu

import (
	"github.com/ferrum-go/ferrum/compute"
	"math"
	"math/rand/v2"
	"testing"
)

// ropeKernels are the SIMD rotations this CPU can run, by name.
func ropeKernels() map[string]func([]float32, int, int, []float32, []float32, bool) {
	k := map[string]func([]float32, int, int, []float32, []float32, bool){}
	if hasAVX512 {
		k["avx512"] = rotateHeadsSIMD(ropeNeoXAVX512, ropePairsAVX512, 16)
	}
	if hasAVX2 {
		k["avx2"] = rotateHeadsSIMD(ropeNeoXAVX2, ropePairsAVX2, 8)
	}
	return k
}

// TestRotateHeadsSIMD: the SIMD rotations give the plain-Go bits for both
// pair layouts, head sizes with and without a tail, partial rotary dims,
// and values from tiny to huge.
func TestRotateHeadsSIMD(t *testing.T) {
	kernels := ropeKernels()
	if len(kernels) == 0 {
		t.Skip("no SIMD RoPE kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for name, k := range kernels {
		for _, sh := range [][3]int{{1, 128, 128}, {3, 64, 64}, {16, 128, 128}, {2, 80, 40}, {5, 6, 6}, {2, 50, 34}, {4, 96, 64}, {1, 2, 2}} {
			heads, headDim, rot := sh[0], sh[1], sh[2]
			half := rot / 2
			for _, neox := range []bool{true, false} {
				cos, sin := make([]float32, half), make([]float32, half)
				inv := make([]float32, half)
				for i := range inv {
					inv[i] = float32(math.Pow(10000, -2*float64(i)/float64(rot)))
				}
				ropeAngles(cos, sin, inv, int32(rng.IntN(40000)), 1+rng.Float32())
				row := make([]float32, heads*headDim)
				for i := range row {
					row[i] = (rng.Float32()*2 - 1) * float32(math.Pow(10, float64(rng.IntN(12)-6)))
				}
				row[0] = float32(math.Inf(1))
				want := append([]float32(nil), row...)
				rotateHeadsGeneric(want, heads, headDim, cos, sin, neox)
				k(row, heads, headDim, cos, sin, neox)
				for i := range want {
					if math.Float32bits(row[i]) != math.Float32bits(want[i]) && !(math.IsNaN(float64(row[i])) && math.IsNaN(float64(want[i]))) {
						t.Errorf("%s heads %d dim %d rot %d neox %v: value %d is %g, plain Go %g", name, heads, headDim, rot, neox, i, row[i], want[i])
						break
					}
				}
			}
		}
	}
}

func BenchmarkRotateHeads(b *testing.B) {
	const heads, headDim = 16, 128
	cos, sin := make([]float32, headDim/2), make([]float32, headDim/2)
	for i := range cos {
		cos[i], sin[i] = float32(math.Cos(float64(i))), float32(math.Sin(float64(i)))
	}
	row := make([]float32, heads*headDim)
	for i := range row {
		row[i] = float32(i%17) - 8
	}
	impls := ropeKernels()
	impls["generic"] = rotateHeadsGeneric
	for name, k := range impls {
		for _, neox := range []bool{true, false} {
			lay := "interleaved"
			if neox {
				lay = "neox"
			}
			b.Run(name+"-"+lay, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					k(row, heads, headDim, cos, sin, neox)
				}
			})
		}
	}
}

// BenchmarkRoPEPrefill is the RoPE op on a Qwen3-0.6B query block of a
// 512-token prefill (16 heads of 128, NeoX), on one thread.
func BenchmarkRoPEPrefill(b *testing.B) {
	const rows, heads, hd = 512, 16, 128
	be := New(1)
	defer be.Close()
	inv := make([]float32, hd/2)
	for i := range inv {
		inv[i] = float32(math.Pow(1e6, -2*float64(i)/hd))
	}
	x := be.Alloc(rows, heads*hd)
	pos := make([]int32, rows)
	for i := range pos {
		pos[i] = int32(i)
	}
	p := compute.RoPEParams{HeadDim: hd, RotDim: hd, NeoX: true, InvFreq: inv}
	for i := 0; i < b.N; i++ {
		be.RoPE(x, pos, p)
	}
}
