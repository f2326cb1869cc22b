package ref

import (
	"math"

	"github.com/ferrum-go/ferrum/compute"
)

// GELUTanh is the tanh approximation of GELU.
func GELUTanh(x []float32) []float32 {
	c := math.Sqrt(2 / math.Pi)
	return mapf(x, func(v float64) float64 { return 0.5 * v * (1 + math.Tanh(c*(v+0.044715*v*v*v))) })
}

// Tanh is the hyperbolic tangent.
func Tanh(x []float32) []float32 { return mapf(x, math.Tanh) }

// Pool reduces each sequence's rows (of width cols) to one row.
func Pool(x []float32, cols int, seqs []compute.AttentionSeq, mode compute.PoolMode) []float32 {
	dst := make([]float32, len(seqs)*cols)
	for s, sq := range seqs {
		out := dst[s*cols : (s+1)*cols]
		row := func(i int) []float32 { r := sq.FirstRow + i; return x[r*cols : (r+1)*cols] }
		switch mode {
		case compute.PoolCLS:
			copy(out, row(0))
		case compute.PoolLastToken:
			copy(out, row(sq.NumRows-1))
		case compute.PoolMax:
			for c := range out {
				m := math.Inf(-1)
				for i := 0; i < sq.NumRows; i++ {
					m = math.Max(m, float64(row(i)[c]))
				}
				out[c] = float32(m)
			}
		case compute.PoolMean, compute.PoolWeightedMean:
			for c := range out {
				var s, w float64
				for i := 0; i < sq.NumRows; i++ {
					wi := 1.0
					if mode == compute.PoolWeightedMean {
						wi = float64(i + 1)
					}
					s += wi * float64(row(i)[c])
					w += wi
				}
				out[c] = float32(s / w)
			}
		}
	}
	return dst
}
