package cpu

import (
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
)

var _ compute.EncoderBackend = (*Backend)(nil)

func (b *Backend) GELUTanh(dst, x compute.Tensor) { b.activation("GELUTanh", dst, x, geluTanhF32) }

func (b *Backend) Tanh(dst, x compute.Tensor) { b.activation("Tanh", dst, x, tanhF32) }

// Pool reduces each sequence to one row; work is split over the sequences,
// and each output element is summed in row order, so a sequence's vector
// does not depend on the rest of the batch.
func (b *Backend) Pool(dst, x compute.Tensor, seqs []compute.AttentionSeq, mode compute.PoolMode) {
	dt, xt := f32Of(dst), f32Of(x)
	if dt.rows != len(seqs) || dt.cols != xt.cols {
		panic(fmt.Sprintf("cpu: Pool of %d sequences (width %d) into %dx%d", len(seqs), xt.cols, dt.rows, dt.cols))
	}
	for _, s := range seqs {
		if s.NumRows <= 0 || s.FirstRow < 0 || s.FirstRow+s.NumRows > xt.rows {
			panic(fmt.Sprintf("cpu: Pool sequence rows %d..%d outside %d rows", s.FirstRow, s.FirstRow+s.NumRows-1, xt.rows))
		}
	}
	b.pool.parallelFor(len(seqs), 1, func(lo, hi int) {
		acc := make([]float64, xt.cols)
		for si := lo; si < hi; si++ {
			s, out := seqs[si], dt.row(si)
			switch mode {
			case compute.PoolCLS:
				copy(out, xt.row(s.FirstRow))
			case compute.PoolLastToken:
				copy(out, xt.row(s.FirstRow+s.NumRows-1))
			case compute.PoolMax:
				copy(out, xt.row(s.FirstRow))
				for r := s.FirstRow + 1; r < s.FirstRow+s.NumRows; r++ {
					for c, v := range xt.row(r) {
						out[c] = max(out[c], v)
					}
				}
			case compute.PoolMean, compute.PoolWeightedMean:
				clear(acc)
				var wsum float64
				for i := 0; i < s.NumRows; i++ {
					w := 1.0
					if mode == compute.PoolWeightedMean {
						w = float64(i + 1)
					}
					wsum += w
					for c, v := range xt.row(s.FirstRow + i) {
						acc[c] += w * float64(v)
					}
				}
				for c := range out {
					out[c] = float32(acc[c] / wsum)
				}
			default:
				panic(fmt.Sprintf("cpu: Pool mode %d", mode))
			}
		}
	})
}
