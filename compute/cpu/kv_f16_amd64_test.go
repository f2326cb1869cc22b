package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/quant"
)

// f16Cases are float32 values around every F16 value: the value itself,
// the midpoint to the next one (ties to even), a float32 ulp either side
// of it; then infinities, NaNs with payloads, float32 subnormals, the
// overflow edge, and random bit patterns.
func f16Cases() []float32 {
	var v []float32
	for h := 0; h < 0x10000; h++ {
		a := quant.F16ToF32(uint16(h))
		v = append(v, a)
		if h&0x7fff >= 0x7c00 || h&0x7fff == 0x7bff {
			continue
		}
		m := float32((float64(a) + float64(quant.F16ToF32(uint16(h+1)))) / 2)
		mb := math.Float32bits(m)
		v = append(v, m, math.Float32frombits(mb+1), math.Float32frombits(mb-1))
	}
	for _, b := range []uint32{0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fe00000, 0xffc00001, 0x7f800001,
		0x7fbfffff, 0x00000001, 0x807fffff, 0x33000000, 0x33000001, 0x33c00000, 0x477fefff, 0x477ff000, 0x477ff001, 0xc77ff000, 0x7f7fffff} {
		v = append(v, math.Float32frombits(b))
	}
	rng := rand.New(rand.NewPCG(8, 9))
	for i := 0; i < 1<<20; i++ {
		v = append(v, math.Float32frombits(rng.Uint32()))
	}
	return v
}

// TestF32ToF16SIMD: the VCVTPS2PH kernels give quant.F32ToF16's bits for
// every case, through whole vectors and the Go tail alike.
func TestF32ToF16SIMD(t *testing.T) {
	kernels := map[string]func([]uint16, []float32){}
	if hasAVX512 {
		kernels["avx512"] = f32ToF16With(f32ToF16AVX512, 16)
	}
	if hasAVX2 {
		kernels["avx2"] = f32ToF16With(f32ToF16AVX2, 8)
	}
	if len(kernels) == 0 {
		t.Skip("no SIMD F16 conversion on this CPU")
	}
	src := f16Cases()
	want := make([]uint16, len(src))
	f32ToF16RowGeneric(want, src)
	for name, k := range kernels {
		for _, tail := range []int{0, 5, 13} { // lengths with and without a tail
			got := make([]uint16, len(src)-tail)
			k(got, src[:len(got)])
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %#08x -> %#04x, quant.F32ToF16 %#04x", name, math.Float32bits(src[i]), got[i], want[i])
					break
				}
			}
		}
	}
}

func BenchmarkF32ToF16Row(b *testing.B) {
	src := make([]float32, 1024)
	for i := range src {
		src[i] = float32(i)*0.37 - 100
	}
	dst := make([]uint16, len(src))
	impls := map[string]func([]uint16, []float32){"generic": f32ToF16RowGeneric}
	if hasAVX512 {
		impls["avx512"] = f32ToF16With(f32ToF16AVX512, 16)
	}
	if hasAVX2 {
		impls["avx2"] = f32ToF16With(f32ToF16AVX2, 8)
	}
	for name, k := range impls {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(4 * int64(len(src)))
			for i := 0; i < b.N; i++ {
				k(dst, src)
			}
		})
	}
}
