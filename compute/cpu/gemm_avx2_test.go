//go:build amd64

package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
)

// TestGEMMAVX2: the AVX2 tile kernel against its Go twin for every type it
// takes, token counts 1..13 (every mix of its 4/2/1-token variants and a
// second tile) and partial panels.
func TestGEMMAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	be := New(2)
	defer be.Close()
	for _, typ := range sortedTypes(panelPackers) {
		if !gemmAVX2Safe[typ] {
			continue
		}
		in, out := 512, 37
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		for rows := 1; rows <= 13; rows++ {
			name := fmt.Sprintf("%v %d rows", typ, rows)
			x := computetest.Random(rng, rows*in, 1)
			fast, twin := make([]float32, rows*out), make([]float32, rows*out)
			if !runGEMM(be, twin, x, rows, w.(*tensor), gemmTileRef) || !runGEMM(be, fast, x, rows, w.(*tensor), gemmTileAVX2) {
				t.Fatalf("%s: GEMM declined", name)
			}
			checkTwin(t, name, fast, twin)
		}
	}
}

// TestGEMMAVX2NoSaturation: the kernel's int16 sums of 4 products
// (vpmaddubsw pairs, then vpaddw of two chunks) stay exact for quants up to
// 63 against the extreme activations -128 and 127 (a panel of 63s and one
// of alternating 0/63, whose group sums the kernel must give exactly), and
// every type the AVX2 GEMM takes packs its quants to at most 63, whatever
// the block bytes (all ones, random).
func TestGEMMAVX2NoSaturation(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	const cols = 256
	var p panel
	p.reset(32, cols)
	for i := range p.s {
		p.s[i], p.m[i] = 1, 0
	}
	act := make([]byte, cols*gemmNT)
	f := make([]float32, p.ngroups*2*gemmNT)
	for g := 0; g < p.ngroups; g++ {
		for tk := 0; tk < gemmNT; tk++ {
			f[g*2*gemmNT+tk] = 1
		}
	}
	for _, wpat := range []func(i int) uint8{func(int) uint8 { return gemmAVX2MaxQ }, func(i int) uint8 { return uint8(gemmAVX2MaxQ * (i & 1)) }} {
		for _, apat := range []int8{-128, 127} {
			for i := range p.q {
				p.q[i] = wpat(i)
			}
			for i := range act {
				act[i] = uint8(apat)
			}
			for nt := 1; nt <= gemmNT; nt++ {
				got, want := make([]float32, nt*panelRows), make([]float32, nt*panelRows)
				gemmTileAVX2(&p, act, f, got, panelRows, nt, panelRows)
				gemmTileRef(&p, act, f, want, panelRows, nt, panelRows)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("activations %d, %d tokens: output %d = %v, want %v", apat, nt, i, got[i], want[i])
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(23, 24))
	be := New(1)
	defer be.Close()
	for typ, pk := range panelPackers {
		if !gemmAVX2Safe[typ] {
			continue
		}
		rows := 16
		proto, _, err := computetest.QuantizedWeight(be, typ, rows, cols, computetest.Random(rng, rows*cols, 1))
		if err != nil {
			t.Fatal(err)
		}
		raw := make([]byte, len(proto.(*tensor).raw))
		for _, fill := range []string{"ones", "random"} {
			for i := range raw {
				raw[i] = 0xff
				if fill == "random" {
					raw[i] = uint8(rng.Uint32())
				}
			}
			w, err := be.Weight(typ, rows, cols, raw)
			if err != nil {
				t.Fatal(err)
			}
			var q panel
			q.reset(pk.group, cols)
			pk.pack(w.(*tensor), 0, &q)
			for i, v := range q.q[:cols*panelRows] {
				if v > gemmAVX2MaxQ {
					t.Fatalf("%v (%s bytes): packed quant %d at %d would saturate vpmaddubsw", typ, fill, v, i)
				}
			}
		}
	}
}

// BenchmarkGEMMAVX2: the AVX2 GEMM (driven directly: it is not registered)
// against MatMul, which is the row kernels under FERRUM_CPU=avx2, on one
// thread, by batch size, 1024 -> 3072, in GMAC/s.
func BenchmarkGEMMAVX2(b *testing.B) {
	if !hasAVX2 {
		b.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(25, 26))
	be := New(1)
	defer be.Close()
	in, out := 1024, 3072
	for _, typ := range sortedTypes(panelPackers) {
		if !gemmAVX2Safe[typ] {
			continue
		}
		w, _, err := computetest.QuantizedWeight(be, typ, out, in, computetest.Random(rng, out*in, 0.5))
		if err != nil {
			b.Fatal(err)
		}
		for _, rows := range []int{1, 16, 64, 512} {
			xs := computetest.Random(rng, rows*in, 1)
			x, dst := be.Upload(rows, in, xs), be.Alloc(rows, out)
			got := make([]float32, rows*out)
			for _, mode := range []string{"avx2gemm", "rows"} {
				b.Run(fmt.Sprintf("%v/%d/%s", typ, rows, mode), func(b *testing.B) {
					for b.Loop() {
						if mode == "rows" {
							be.MatMul(dst, x, w)
						} else {
							runGEMM(be, got, xs, rows, w.(*tensor), gemmTileAVX2)
						}
					}
					b.ReportMetric(float64(rows*in*out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
				})
			}
		}
	}
}
