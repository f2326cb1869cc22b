package cpu

import (
	"encoding/binary"
	"math"

	"github.com/ferrum-go/ferrum/quant"
)

// Panel packers of the F32-word GEMM: weight rows [o, o+fgRows) as
// [k][row] float32 bits, F16 and BF16 widened exactly; rows past w.rows
// are zeros.

func packPanelF32(w *tensor, o int, p []uint32) {
	in := w.cols
	p = p[:in*fgRows]
	for r := 0; r < fgRows; r++ {
		q := p[r:]
		if o+r >= w.rows {
			zeroLane(q, in)
			continue
		}
		for k, v := range w.f32[(o+r)*in : (o+r+1)*in] {
			q[k*fgRows] = math.Float32bits(v)
		}
	}
}

func packPanelF16(w *tensor, o int, p []uint32) {
	in := w.cols
	p = p[:in*fgRows]
	for r := 0; r < fgRows; r++ {
		q := p[r:]
		if o+r >= w.rows {
			zeroLane(q, in)
			continue
		}
		raw := w.rawRow(o + r)[:2*in]
		for k := 0; k < in; k++ {
			q[k*fgRows] = math.Float32bits(quant.F16ToF32(binary.LittleEndian.Uint16(raw[2*k:])))
		}
	}
}

func packPanelBF16(w *tensor, o int, p []uint32) {
	in := w.cols
	p = p[:in*fgRows]
	for r := 0; r < fgRows; r++ {
		q := p[r:]
		if o+r >= w.rows {
			zeroLane(q, in)
			continue
		}
		raw := w.rawRow(o + r)[:2*in]
		for k := 0; k < in; k++ {
			q[k*fgRows] = uint32(binary.LittleEndian.Uint16(raw[2*k:])) << 16
		}
	}
}

// zeroLane clears q[k*fgRows] for k < n.
func zeroLane(q []uint32, n int) {
	for k := 0; k < n; k++ {
		q[k*fgRows] = 0
	}
}
