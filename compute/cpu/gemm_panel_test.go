package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
)

// TestPanelPackers: every packed panel stands for exactly the weights the
// file's bytes decode to (within float rounding of s*q - m), for a full
// panel and for one that runs past the last weight row (zeros).
func TestPanelPackers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	be := New(1)
	defer be.Close()
	for typ, pk := range panelPackers {
		rows, cols := 21, 512
		w, dec, err := computetest.QuantizedWeight(be, typ, rows, cols, computetest.Random(rng, rows*cols, 0.7))
		if err != nil {
			t.Fatal(err)
		}
		var maxAbs float64
		for _, v := range dec {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		var p panel
		for _, o := range []int{0, rows - 5} {
			p.reset(pk.group, cols)
			pk.pack(w.(*tensor), o, &p)
			for r := 0; r < panelRows; r++ {
				for k := 0; k < cols; k++ {
					want := float32(0)
					if o+r < rows {
						want = dec[(o+r)*cols+k]
					}
					if got := p.value(r, k); math.Abs(float64(got-want)) > 1e-6*maxAbs {
						t.Fatalf("%v panel at row %d: w[%d][%d] = %v, want %v", typ, o, o+r, k, got, want)
					}
				}
			}
		}
	}
}
