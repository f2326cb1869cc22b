package cpu

import (
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	"github.com/ferrum-go/ferrum/quant"
	"golang.org/x/sys/cpu"
	"golang.org/x/sys/unix"
)

// The AVX2 kernels are called directly (not through the slots), so these
// tests exercise them at every FERRUM_CPU level on a CPU that has AVX2;
// where the CPU also has AVX-512 they must match those kernels bit for bit.

var (
	cpuAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C
	cpuAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ && cpu.X86.HasFMA
)

func needAVX2(t *testing.T) {
	t.Helper()
	if !cpuAVX2 {
		t.Skip("CPU has no AVX2+FMA+F16C")
	}
}

func randF32(rng *rand.Rand, n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = (rng.Float32()*2 - 1) * scale
	}
	return v
}

// floatWeights encodes rows x cols values as typ and returns the bytes and
// the values as the kernels see them (widened back).
func floatWeights(rng *rand.Rand, typ quant.Type, rows, cols int) ([]byte, []float32) {
	v := randF32(rng, rows*cols, 1)
	switch typ {
	case quant.F32:
		b := make([]byte, 4*len(v))
		copy(b, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)))
		return b, v
	default:
		b := make([]byte, 2*len(v))
		for i, f := range v {
			var h uint16
			if typ == quant.F16 {
				h = quant.F32ToF16(f)
				v[i] = quant.F16ToF32(h)
			} else {
				h = quant.F32ToBF16(f)
				v[i] = quant.BF16ToF32(h)
			}
			b[2*i], b[2*i+1] = byte(h), byte(h>>8)
		}
		return b, v
	}
}

func TestFloatRowsAVX2(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(81, 82))
	types := []quant.Type{quant.F32, quant.F16, quant.BF16}
	// fdot_amd64.go's kernels, to compare against where the CPU runs them.
	ref := map[quant.Type]floatRowKernel{
		quant.F32:  {x1: f32RowX1, x4: f32RowX4, t44: f32Tile4x4, w4: f32RowW4},
		quant.F16:  {x1: f16RowX1, x4: f16RowX4, t44: f16Tile4x4, w4: f16RowW4},
		quant.BF16: {x1: bf16RowX1, x4: bf16RowX4, t44: bf16Tile4x4, w4: bf16RowW4},
	}
	for _, typ := range types {
		k := avx2FloatRows[typ]
		for _, n := range []int{16, 32, 48, 1024} {
			wb, wv := floatWeights(rng, typ, 4, n)
			x := randF32(rng, 4*n, 2)
			rb := len(wb) / 4
			var tile, tileRef [256]float32
			var acc, accRef [64]float32
			k.t44(&wb[0], rb, n, &x[0], 4*n, &tile)
			for o := 0; o < 4; o++ {
				for r := 0; r < 4; r++ {
					got := sum16(tile[(4*o+r)*16:])
					want := dotGeneric(x[r*n:(r+1)*n], wv[o*n:(o+1)*n])
					if d := math.Abs(float64(got - want)); d > 1e-5*float64(n) {
						t.Fatalf("%v n=%d t44[%d,%d] = %v, want %v", typ, n, o, r, got, want)
					}
				}
			}
			// Every form gives each (weight row, activation row) pair the
			// same 16 lanes as the tile.
			for r := 0; r < 4; r++ {
				k.w4(&wb[0], rb, n, &x[r*n], &acc)
				for o := 0; o < 4; o++ {
					if !equalLanes(acc[16*o:16*o+16], tile[(4*o+r)*16:(4*o+r)*16+16]) {
						t.Fatalf("%v n=%d w4 row %d act %d differs from the tile", typ, n, o, r)
					}
				}
			}
			for o := 0; o < 4; o++ {
				k.x4(&wb[o*rb], n, &x[0], 4*n, &acc)
				for r := 0; r < 4; r++ {
					if !equalLanes(acc[16*r:16*r+16], tile[(4*o+r)*16:(4*o+r)*16+16]) {
						t.Fatalf("%v n=%d x4 row %d act %d differs from the tile", typ, n, o, r)
					}
				}
				for r := 0; r < 4; r++ {
					k.x1(&wb[o*rb], n, &x[r*n], 0, &acc)
					if !equalLanes(acc[:16], tile[(4*o+r)*16:(4*o+r)*16+16]) {
						t.Fatalf("%v n=%d x1 row %d act %d differs from the tile", typ, n, o, r)
					}
				}
			}
			if cpuAVX512 {
				ref[typ].t44(&wb[0], rb, n, &x[0], 4*n, &tileRef)
				if tile != tileRef {
					t.Fatalf("%v n=%d: tile differs from the AVX-512 kernel", typ, n)
				}
				k.w4(&wb[0], rb, n, &x[0], &acc)
				ref[typ].w4(&wb[0], rb, n, &x[0], &accRef)
				if acc != accRef {
					t.Fatalf("%v n=%d: w4 differs from the AVX-512 kernel", typ, n)
				}
				k.x4(&wb[0], n, &x[0], 4*n, &acc)
				ref[typ].x4(&wb[0], n, &x[0], 4*n, &accRef)
				if acc != accRef {
					t.Fatalf("%v n=%d: x4 differs from the AVX-512 kernel", typ, n)
				}
			}
		}
	}
}

func equalLanes(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestDotAxpyAVX2(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(83, 84))
	for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 48, 63, 64, 100, 128, 1000} {
		a, b := randF32(rng, n, 1), randF32(rng, n, 1)
		got, want := dotAVX2(a, b), dotGeneric(a, b)
		if d := math.Abs(float64(got - want)); d > 1e-6*float64(n+1) {
			t.Fatalf("n=%d: dot %v, want %v", n, got, want)
		}
		if cpuAVX512 && n >= 16 {
			m := n &^ 15
			if g, w := dotF32AVX2(&a[0], &b[0], m), dotF32(&a[0], &b[0], m); g != w {
				t.Fatalf("n=%d: dot %v, AVX-512 %v", n, g, w)
			}
		}
		y1, y2 := randF32(rng, n, 1), make([]float32, n)
		copy(y2, y1)
		axpyGeneric(0.75, a, y1)
		axpyAVX2(0.75, a, y2)
		for i := range y1 {
			if d := math.Abs(float64(y1[i] - y2[i])); d > 1e-6 {
				t.Fatalf("n=%d: axpy[%d] %v, want %v", n, i, y2[i], y1[i])
			}
		}
		if cpuAVX512 && n >= 16 {
			m := n &^ 15
			copy(y1, y2)
			axpyF32(-1.5, &a[0], &y1[0], m)
			axpyF32AVX2(-1.5, &a[0], &y2[0], m)
			if !equalLanes(y1, y2) {
				t.Fatalf("n=%d: axpy differs from the AVX-512 kernel", n)
			}
		}
	}
}

// TestAVX2Selected: under FERRUM_CPU=avx2 (or on a CPU with AVX2 but not
// AVX-512) the slots hold the AVX2 kernels, so the package's other tests
// run them.
func TestAVX2Selected(t *testing.T) {
	if !hasAVX2 || hasAVX512 {
		t.Skip("not at the AVX2 level")
	}
	same := func(name string, a, b any) {
		if reflect.ValueOf(a).Pointer() != reflect.ValueOf(b).Pointer() {
			t.Errorf("%s: not the AVX2 kernel", name)
		}
	}
	same("dot", dot, dotAVX2)
	same("axpy", axpy, axpyAVX2)
	for typ, k := range avx2FloatRows {
		same(typ.String()+" x1", floatRows[typ].x1, k.x1)
		same(typ.String()+" x4", floatRows[typ].x4, k.x4)
		same(typ.String()+" t44", floatRows[typ].t44, k.t44)
		same(typ.String()+" w4", floatRows[typ].w4, k.w4)
	}
	for _, s := range avx2SlotChecks {
		s(t, same)
	}
}

// avx2SlotChecks: each kernel family adds its slot comparisons here.
var avx2SlotChecks []func(t *testing.T, same func(name string, a, b any))

// BenchmarkFloatKernelsAVX2 times the float MatMul kernels on cache-resident
// data (4 weight rows of 1024 against 4 activation rows): the AVX2 forms
// beside the AVX-512 ones where the CPU has both.
func BenchmarkFloatKernelsAVX2(b *testing.B) {
	if !cpuAVX2 {
		b.Skip("CPU has no AVX2+FMA+F16C")
	}
	rng := rand.New(rand.NewPCG(91, 92))
	const n = 1024
	sets := map[string]map[quant.Type]floatRowKernel{"avx2": avx2FloatRows}
	if cpuAVX512 {
		sets["avx512"] = map[quant.Type]floatRowKernel{
			quant.F32:  {x1: f32RowX1, x4: f32RowX4, t44: f32Tile4x4, w4: f32RowW4},
			quant.F16:  {x1: f16RowX1, x4: f16RowX4, t44: f16Tile4x4, w4: f16RowW4},
			quant.BF16: {x1: bf16RowX1, x4: bf16RowX4, t44: bf16Tile4x4, w4: bf16RowW4},
		}
	}
	for _, typ := range []quant.Type{quant.BF16, quant.F16, quant.F32} {
		wb, _ := floatWeights(rng, typ, 4, n)
		x := randF32(rng, 4*n, 1)
		rb := len(wb) / 4
		for _, level := range []string{"avx2", "avx512"} {
			k, ok := sets[level][typ]
			if !ok {
				continue
			}
			var tile [256]float32
			var acc [64]float32
			b.Run(typ.String()+"/t44/"+level, func(b *testing.B) {
				benchCPU(b, 16*n, func() { k.t44(&wb[0], rb, n, &x[0], 4*n, &tile) })
			})
			b.Run(typ.String()+"/w4/"+level, func(b *testing.B) {
				benchCPU(b, 4*n, func() { k.w4(&wb[0], rb, n, &x[0], &acc) })
			})
		}
	}
}

// benchCPU runs f b.N times on one locked thread and reports, besides the
// wall time, the thread's own CPU time per op and the multiply-adds per CPU
// second: on a shared, overloaded machine the wall time mostly measures the
// other tenants, the thread's CPU time much less so.
func benchCPU(b *testing.B, macs int, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var r0, r1 unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_THREAD, &r0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f()
	}
	b.StopTimer()
	_ = unix.Getrusage(unix.RUSAGE_THREAD, &r1)
	cpu := float64(r1.Utime.Nano()+r1.Stime.Nano()-r0.Utime.Nano()-r0.Stime.Nano()) / float64(b.N)
	b.ReportMetric(cpu, "cpu-ns/op")
	if cpu > 0 {
		b.ReportMetric(float64(macs)/cpu, "GMAC/cpu-s")
	}
}
