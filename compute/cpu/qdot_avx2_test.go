//go:build amd64

package cpu

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
	"golang.org/x/sys/cpu"
)

// The AVX2 kernels are tested directly (whatever level the slots run at),
// against the plain-Go dot products, on random blocks and on the extreme
// ones that would saturate a careless VPMADDUBSW formulation: Q8_0 weights
// all -128 or +127 against activations all +-127, nibbles all 15, 6-bit
// quants all 63 with scales -128 and 127.

// f16Fields: where each type's f16 scales sit in a block.
var f16Fields = map[quant.Type][]int{
	quant.Q8_0: {0}, quant.Q4_0: {0}, quant.Q4_K: {0, 2}, quant.Q6_K: {208},
	quant.Q5_0: {0}, quant.Q5_K: {0, 2}, quant.Q4_1: {0, 2}, quant.Q5_1: {0, 2},
	quant.Q2_K: {80, 82}, quant.Q3_K: {108},
}

// extremeRow fills rows of nb blocks with byte fill (fill < 0: random
// bytes), then writes finite f16 scales.
func extremeRow(rng *rand.Rand, typ quant.Type, nb, fill int) []byte {
	qk := qKernels[typ]
	w := make([]byte, nb*qk.blockBytes)
	for i := range w {
		if fill < 0 {
			w[i] = byte(rng.UintN(256))
		} else {
			w[i] = byte(fill)
		}
	}
	for b := 0; b < nb; b++ {
		blk := w[b*qk.blockBytes:]
		if typ == quant.Q6_K && fill == 0xff && b%2 == 1 {
			for i := 192; i < 208; i++ {
				blk[i] = 0x80 // scales -128 on quants 63
			}
		}
		for j, off := range f16Fields[typ] {
			v := float32(0.03125) / float32(1+j)
			if fill < 0 {
				v *= float32(rng.Float64()*2 - 1)
			}
			binary.LittleEndian.PutUint16(blk[off:], quant.F32ToF16(v))
		}
	}
	return w
}

// extremeAct sets every activation quant to pattern(i) in [-127, 127] with
// scale 1/64, and the per-block sums to match.
func extremeAct(a *actBuf, k int32, pattern func(i int) int8) {
	for r := 0; r < a.rows; r++ {
		qs := a.qs[r*a.qsStride : r*a.qsStride+a.cols]
		for i := range qs {
			qs[i] = pattern(r*a.cols + i)
		}
		if k != 0 {
			for b := 0; b < a.cols/32; b++ {
				var s int32
				for _, q := range qs[32*b : 32*b+32] {
					s += int32(q)
				}
				for j := 0; j < 8; j++ {
					a.f[r*a.fStride+8*b+j] = 1.0 / 64
					a.i[r*a.iStride+8*b+j] = 0
				}
				a.i[r*a.iStride+8*b] = -k * s
			}
			continue
		}
		for b := 0; b < a.cols/256; b++ {
			a.f[r*a.fStride+b] = 1.0 / 64
			bs := a.i[r*a.iStride+32*b : r*a.iStride+32*b+32]
			clear(bs)
			for j, q := range qs[256*b : 256*b+256] {
				bs[j/16] += int32(q)
				bs[24+j/32] += int32(q)
			}
		}
	}
}

// checkAvx2Kernel runs x1, x4 and w4 of typ on 4 weight rows x 4
// activation rows: x1 against the plain-Go kernel, x4 and w4 bit for bit
// against x1.
func checkAvx2Kernel(t *testing.T, typ quant.Type, name string, w []byte, a *actBuf, nb int) {
	t.Helper()
	qk, k := qKernels[typ], avx2Kernels[typ]
	rb := nb * qk.blockBytes
	var x1, x4, w4 [64]float32
	for o := 0; o < 4; o++ {
		wr := w[o*rb : (o+1)*rb]
		k.x4(wr, a, 0, nb, &x4)
		for r := 0; r < 4; r++ {
			k.x1(wr, a, r, nb, &x1)
			got := sum16(x1[:16])
			want := qk.ref(wr, a, r, 0, nb)
			var mag float64
			for b := 0; b < nb; b++ {
				mag += math.Abs(float64(qk.ref(wr, a, r, b, b+1)))
			}
			if d := math.Abs(float64(got - want)); !(d <= 1e-5*mag+1e-30) {
				t.Errorf("%v %s: weight row %d act row %d: %v, plain Go %v", typ, name, o, r, got, want)
			}
			if [16]float32(x1[:16]) != [16]float32(x4[16*r:16*r+16]) {
				t.Errorf("%v %s: weight row %d act row %d: x4 lanes differ from x1", typ, name, o, r)
			}
			if k.w4 != nil && o == 0 {
				k.w4(w, rb, a, r, nb, &w4)
				for i := 0; i < 4; i++ {
					k.x1(w[i*rb:(i+1)*rb], a, r, nb, &x1)
					if [16]float32(x1[:16]) != [16]float32(w4[16*i:16*i+16]) {
						t.Errorf("%v %s: weight row %d act row %d: w4 lanes differ from x1", typ, name, i, r)
					}
				}
			}
		}
	}
}

func newAct(qk *qKernel, rows, cols int) *actBuf {
	a := new(actBuf)
	if qk.k != 0 {
		a.shapeQ8(rows, cols)
	} else {
		a.shapeQ8K(rows, cols)
	}
	return a
}

func TestAvx2QKernels(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2+FMA (or FERRUM_CPU=generic)")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	for typ, k := range avx2Kernels {
		qk := qKernels[typ]
		nb := 6 * k.step
		cols := nb * qk.elems
		// Random weights and activations through the real quantizers.
		vals := computetest.Random(rng, 4*cols, 1)
		w, err := quant.QuantizeRows(typ, vals, cols)
		if err != nil {
			t.Fatal(err)
		}
		a := newAct(qk, 4, cols)
		qk.quantizeRows(a, computetest.Random(rng, 4*cols, 1), 0, 4, cols)
		checkAvx2Kernel(t, typ, "random", w, a, nb)
		// Extreme blocks against extreme activations.
		patterns := map[string]func(int) int8{
			"+127":  func(int) int8 { return 127 },
			"-127":  func(int) int8 { return -127 },
			"+-127": func(i int) int8 { return int8(127 - 254*(i&1)) },
			"rand":  func(int) int8 { return int8(rng.IntN(255) - 127) },
		}
		for _, fill := range []int{0xff, 0x00, 0x80, 0x7f, 0x81, -1} {
			w := extremeRow(rng, typ, 4*nb, fill)
			for pn, p := range patterns {
				extremeAct(a, qk.k, p)
				checkAvx2Kernel(t, typ, fmt.Sprintf("fill %#x act %s", fill, pn), w, a, nb)
			}
		}
	}
}

// TestAvx2Registered: under FERRUM_CPU=avx2 (or on an AVX2 CPU without
// VNNI) the MatMul slots run these kernels, so the MatMul and batch
// invariance tests exercise them.
func TestAvx2Registered(t *testing.T) {
	if !hasAVX2 || hasVNNI {
		t.Skip("the AVX2 kernels do not own the slots at this level")
	}
	for typ, k := range avx2Kernels {
		qk := qKernels[typ]
		if qk.step != k.step || qk.x1 == nil || qk.x4 == nil || (qk.w4 == nil) != (k.w4 == nil) {
			t.Errorf("%v: AVX2 kernels not registered", typ)
		}
	}
}

// TestAvx2ActQuant: the AVX2 activation quantizers give the AVX-512 ones'
// bytes (where the CPU has both), the plain-Go scales, quants within 1 of
// plain Go's (which rounds half away from zero and scales by 1/d), and
// block sums that match their own quants.
func TestAvx2ActQuant(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2+FMA (or FERRUM_CPU=generic)")
	}
	rng := rand.New(rand.NewPCG(23, 24))
	const rows, cols = 3, 1024
	x := computetest.Random(rng, rows*cols, 3)
	clear(x[256:512])            // an all-zero super-block
	x[40] = 1e-3                 // a tiny block
	for i := 600; i < 632; i++ { // exact halves after scaling
		x[i] = float32(i%5) * 0.5 * (127.0 / 127)
	}
	x[631] = 127
	with512 := cpu512()
	for _, k := range []int32{0, 128, 8, 16, -1} {
		got, gen, ref := new(actBuf), new(actBuf), new(actBuf)
		for _, a := range []*actBuf{got, gen, ref} {
			if k != 0 {
				a.shapeQ8(rows, cols)
			} else {
				a.shapeQ8K(rows, cols)
			}
		}
		for r := 0; r < rows; r++ {
			xr := x[r*cols : (r+1)*cols]
			if k != 0 {
				quantQ8RowAvx2(got, r, xr, k)
				quantQ8RowGeneric(gen, r, xr, k)
				if with512 {
					quantQ8Blocks(&xr[0], cols/32, &ref.qs[r*ref.qsStride], &ref.f[r*ref.fStride], &ref.i[r*ref.iStride], k)
				}
			} else {
				quantQ8KRowAvx2(got, r, xr)
				quantQ8KRowGeneric(gen, r, xr)
				if with512 {
					quantQ8KBlocks(&xr[0], cols/256, &ref.qs[r*ref.qsStride], &ref.f[r*ref.fStride], &ref.i[r*ref.iStride])
				}
			}
		}
		name := fmt.Sprintf("k=%d", k)
		if with512 && (!slices.Equal(got.qs, ref.qs) || !slices.Equal(got.f, ref.f) || !slices.Equal(got.i, ref.i)) {
			t.Errorf("%s: AVX2 and AVX-512 quantizers differ", name)
		}
		if !slices.Equal(got.f, gen.f) {
			t.Errorf("%s: scales differ from plain Go", name)
		}
		for i, q := range got.qs {
			if d := int(q) - int(gen.qs[i]); d < -1 || d > 1 || q == -128 {
				t.Fatalf("%s: quant %d: %d, plain Go %d", name, i, q, gen.qs[i])
			}
		}
		// The sums must be those of the AVX2 quants themselves.
		want := new(actBuf)
		if k != 0 {
			want.shapeQ8(rows, cols)
		} else {
			want.shapeQ8K(rows, cols)
		}
		copy(want.qs, got.qs)
		extremeAct(want, k, func(i int) int8 { return got.qs[i] })
		if !slices.Equal(got.i, want.i) {
			t.Errorf("%s: block sums do not match the quants", name)
		}
	}
}

// cpu512: whether the AVX-512 quantizers can run here, whatever
// FERRUM_CPU says (the test calls them directly).
func cpu512() bool {
	return cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ
}

// BenchmarkAvx2Kernels times the AVX2 kernels alone on cache-resident data
// (4 weight rows of 1024 against 4 activation rows, as Qwen3-0.6B), for comparing with
// BenchmarkKernelX4 at the default level.
func BenchmarkAvx2Kernels(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const in = 1024
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K, quant.Q5_K, quant.Q5_0, quant.Q4_1, quant.Q5_1, quant.Q2_K, quant.Q3_K} {
		k, ok := avx2Kernels[typ]
		if !ok {
			continue
		}
		qk := qKernels[typ]
		raw, _ := quant.QuantizeRows(typ, computetest.Random(rng, 4*in, 1), in)
		a := newAct(qk, 4, in)
		qk.quantizeRows(a, computetest.Random(rng, 4*in, 1), 0, 4, in)
		nb, rb := in/qk.elems, in/qk.elems*qk.blockBytes
		var acc [64]float32
		b.Run(typ.String()+"/x4", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				k.x4(raw[:rb], a, 0, nb, &acc)
			}
			b.ReportMetric(float64(4*in)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
		b.Run(typ.String()+"/x1", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				k.x1(raw[:rb], a, 0, nb, &acc)
			}
			b.ReportMetric(float64(in)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
		if k.w4 != nil {
			b.Run(typ.String()+"/w4", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					k.w4(raw, rb, a, 0, nb, &acc)
				}
				b.ReportMetric(float64(4*in)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
			})
		}
	}
}

// BenchmarkAvx2Run times one thread of the MatMul row loop (run) over a
// 3072 x 1024 weight at the registered level, for 4 activation rows (they
// stay in L1) and 64 (one full tile, streamed from L2 for every weight
// row): how much of the kernels' cache-resident speed survives.
func BenchmarkAvx2Run(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const in, out = 1024, 3072
	be := New(1)
	defer be.Close()
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_K} {
		qk := qKernels[typ]
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		for _, rows := range []int{4, 64} {
			a := newAct(qk, rows, in)
			qk.quantizeRows(a, computetest.Random(rng, rows*in, 1), 0, rows, in)
			dst := make([]float32, rows*out)
			b.Run(fmt.Sprintf("%v/rows=%d", typ, rows), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					qk.run(dst, a, rows, w.(*tensor), 0, out)
				}
				b.ReportMetric(float64(rows*in*out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
			})
		}
	}
}
