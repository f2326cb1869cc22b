package cpu

import (
	"fmt"

	"github.com/ferrum-go/ferrum/compute"
)

var _ compute.MoEBackend = (*Backend)(nil)

// AddScaledRows is the MoE combine. Rows are distinct within a call, so
// they are split over workers without races; a token's experts arrive in
// separate calls, in the order the model makes them.
func (b *Backend) AddScaledRows(dst, src compute.Tensor, rows []int32, scales []float32) {
	dt, st := f32Of(dst), f32Of(src)
	if st.rows != len(rows) || len(scales) != len(rows) || st.cols != dt.cols {
		panic(fmt.Sprintf("cpu: AddScaledRows of %dx%d with %d rows, %d scales into width %d", st.rows, st.cols, len(rows), len(scales), dt.cols))
	}
	for _, r := range rows {
		if r < 0 || int(r) >= dt.rows {
			panic(fmt.Sprintf("cpu: AddScaledRows row %d outside %d rows", r, dt.rows))
		}
	}
	b.pool.parallelFor(len(rows), grainFor(st.cols), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			axpy(scales[i], st.row(i), dt.row(int(rows[i])))
		}
	})
}
