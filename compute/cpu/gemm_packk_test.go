package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/quant"
)

// kPackTypes are the k-quant types gemm_packk.go packs, with the byte
// offsets of each block's f16 fields.
var kPackTypes = []struct {
	typ    quant.Type
	blk    int
	f16Off []int
}{
	{quant.Q4_K, 144, []int{0, 2}},
	{quant.Q5_K, 176, []int{0, 2}},
	{quant.Q6_K, 210, []int{208}},
	{quant.Q3_K, 110, []int{108}},
	{quant.Q2_K, 84, []int{80, 82}},
}

// randomKBlocks fills rows x cols of typ with random bytes, every bit
// pattern of quants and scales included (the quantizers never emit some,
// e.g. negative Q6_K scales of -128 or Q3_K scales below -31), with finite
// f16 super-block scales of either sign.
func randomKBlocks(rng *rand.Rand, blk int, f16Off []int, rows, cols int) []byte {
	raw := make([]byte, rows*cols/256*blk)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	for b := 0; b < len(raw); b += blk {
		for _, off := range f16Off {
			h := quant.F32ToF16(float32(rng.NormFloat64() * 0.01))
			raw[b+off], raw[b+off+1] = byte(h), byte(h>>8)
		}
	}
	return raw
}

// TestPackKRandomBytes checks each k-quant packer against quant.Dequantize
// on random block bytes, for full panels, the partial last panel and a
// panel reused after a wider one (stale bytes must not leak).
func TestPackKRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	be := New(1)
	defer be.Close()
	for _, kt := range kPackTypes {
		pk, ok := panelPackers[kt.typ]
		if !ok {
			t.Fatalf("%v: no panel packer registered", kt.typ)
		}
		rows, cols := 37, 768
		raw := randomKBlocks(rng, kt.blk, kt.f16Off, rows, cols)
		wt, err := be.Weight(kt.typ, rows, cols, raw)
		if err != nil {
			t.Fatal(err)
		}
		dec := make([]float32, rows*cols)
		if err := quant.Dequantize(kt.typ, raw, dec); err != nil {
			t.Fatal(err)
		}
		var p panel
		// Dirty the panel first so that zeroing of missing rows is tested.
		p.reset(pk.group, cols)
		for i := range p.q {
			p.q[i] = 0xff
		}
		for i := range p.s {
			p.s[i], p.m[i] = 1, -1
		}
		for _, o := range []int{32, 0, 16} {
			p.reset(pk.group, cols)
			pk.pack(wt.(*tensor), o, &p)
			for r := 0; r < panelRows; r++ {
				var maxAbs float64
				if o+r < rows {
					for _, v := range dec[(o+r)*cols : (o+r+1)*cols] {
						maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
					}
				}
				for k := 0; k < cols; k++ {
					var want float32
					if o+r < rows {
						want = dec[(o+r)*cols+k]
					} else if p.qAt(r, k) != 0 || p.s[k/pk.group*panelRows+r] != 0 || p.m[k/pk.group*panelRows+r] != 0 {
						t.Fatalf("%v panel at %d: row %d past the weights is not zero", kt.typ, o, r)
					}
					// Per-row tolerance: 2 ulp of the row's largest value.
					if got := p.value(r, k); math.Abs(float64(got-want)) > 2.5e-7*maxAbs {
						t.Fatalf("%v panel at %d: w[%d][%d] = %v, want %v", kt.typ, o, o+r, k, got, want)
					}
				}
			}
		}
	}
}

// BenchmarkPackPanel packs every panel of a 2048x2048 weight (larger than
// L2, as the real matrices are) per op with the registered packers: ns per
// weight value and MB/s of source block bytes.
func BenchmarkPackPanel(b *testing.B) {
	for _, kt := range kPackTypes {
		b.Run(kt.typ.String(), func(b *testing.B) { benchPack(b, kt.typ, panelPackers[kt.typ].pack) })
	}
}

func benchPack(b *testing.B, typ quant.Type, pack func(*tensor, int, *panel)) {
	rng := rand.New(rand.NewPCG(9, 9))
	be := New(1)
	defer be.Close()
	rows, cols := 2048, 2048
	raw, err := quant.QuantizeRows(typ, computetest.Random(rng, rows*cols, 1), cols)
	if err != nil {
		b.Fatal(err)
	}
	wt, err := be.Weight(typ, rows, cols, raw)
	if err != nil {
		b.Fatal(err)
	}
	w := wt.(*tensor)
	var p panel
	p.reset(panelPackers[typ].group, cols)
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for o := 0; o < rows; o += panelRows {
			pack(w, o, &p)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows*cols), "ns/weight")
}

// TestPackKAllocs: packing runs per panel of every prefill MatMul, so it
// must not allocate.
func TestPackKAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	be := New(1)
	defer be.Close()
	for _, kt := range kPackTypes {
		pk := panelPackers[kt.typ]
		rows, cols := 20, 512
		wt, err := be.Weight(kt.typ, rows, cols, randomKBlocks(rng, kt.blk, kt.f16Off, rows, cols))
		if err != nil {
			t.Fatal(err)
		}
		var p panel
		p.reset(pk.group, cols)
		if n := testing.AllocsPerRun(10, func() {
			pk.pack(wt.(*tensor), 0, &p)
			pk.pack(wt.(*tensor), 16, &p)
		}); n != 0 {
			t.Errorf("%v: %v allocations per pack", kt.typ, n)
		}
	}
}
