package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/quant"
)

// TestPackKAVX512MatchesGo: the gathering packers write the very bytes of
// the Go packers (quants, and scale floats bit for bit), for full panels,
// the partial last one and a reused dirty panel.
func TestPackKAVX512MatchesGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	be := New(1)
	defer be.Close()
	goPacks := map[quant.Type]func(*tensor, int, *panel){quant.Q4_K: packPanelQ4_K, quant.Q6_K: packPanelQ6_K,
		quant.Q5_K: packPanelQ5_K, quant.Q3_K: packPanelQ3_K, quant.Q2_K: packPanelQ2_K}
	for _, kt := range kPackTypes {
		goPack, ok := goPacks[kt.typ]
		if !ok {
			continue
		}
		pk := panelPackers[kt.typ]
		for _, sh := range [][2]int{{37, 768}, {16, 256}, {3, 1024}} {
			rows, cols := sh[0], sh[1]
			raw := randomKBlocks(rng, kt.blk, kt.f16Off, rows, cols)
			wt, err := be.Weight(kt.typ, rows, cols, raw)
			if err != nil {
				t.Fatal(err)
			}
			var want, got panel
			got.reset(pk.group, cols)
			for i := range got.q {
				got.q[i] = 0xa5
			}
			for i := range got.s {
				got.s[i], got.m[i] = 3, 4
			}
			for o := 0; o < rows; o += panelRows {
				want.reset(pk.group, cols)
				got.reset(pk.group, cols)
				goPack(wt.(*tensor), o, &want)
				pk.pack(wt.(*tensor), o, &got)
				for i := range want.q {
					if got.q[i] != want.q[i] {
						t.Fatalf("%v %dx%d panel %d: q[%d] = %d, want %d", kt.typ, rows, cols, o, i, got.q[i], want.q[i])
					}
				}
				for i := range want.s {
					if math.Float32bits(got.s[i]) != math.Float32bits(want.s[i]) || math.Float32bits(got.m[i]) != math.Float32bits(want.m[i]) {
						t.Fatalf("%v %dx%d panel %d: s, m[%d] = %v, %v, want %v, %v", kt.typ, rows, cols, o, i, got.s[i], got.m[i], want.s[i], want.m[i])
					}
				}
			}
		}
	}
}

// BenchmarkPackPanelGo times the Go packers that the AVX-512 ones replace
// (compare with BenchmarkPackPanel).
func BenchmarkPackPanelGo(b *testing.B) {
	b.Run("Q4_K", func(b *testing.B) { benchPack(b, quant.Q4_K, packPanelQ4_K) })
	b.Run("Q6_K", func(b *testing.B) { benchPack(b, quant.Q6_K, packPanelQ6_K) })
	b.Run("Q5_K", func(b *testing.B) { benchPack(b, quant.Q5_K, packPanelQ5_K) })
	b.Run("Q3_K", func(b *testing.B) { benchPack(b, quant.Q3_K, packPanelQ3_K) })
	b.Run("Q2_K", func(b *testing.B) { benchPack(b, quant.Q2_K, packPanelQ2_K) })
}
