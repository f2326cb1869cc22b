package cpu

import (
	"fmt"
	"math"

	"github.com/ferrum-go/ferrum/compute"
)

func (b *Backend) RoPE(x compute.Tensor, pos []int32, p compute.RoPEParams) {
	xt := f32Of(x)
	if len(pos) != xt.rows || p.HeadDim <= 0 || xt.cols%p.HeadDim != 0 || p.RotDim > p.HeadDim || p.RotDim%2 != 0 {
		panic(fmt.Sprintf("cpu: RoPE of %dx%d, %d positions, head %d, rotary %d", xt.rows, xt.cols, len(pos), p.HeadDim, p.RotDim))
	}
	heads := xt.cols / p.HeadDim
	half := p.RotDim / 2
	scale := p.AttnFactor
	if scale == 0 {
		scale = 1
	}
	b.pool.parallelFor(xt.rows, grainFor(xt.cols), func(lo, hi int) {
		cos := make([]float32, half)
		sin := make([]float32, half)
		for r := lo; r < hi; r++ {
			inv := p.InvFreq
			if p.PerRowInvFreq != nil {
				inv = p.PerRowInvFreq(r)
			}
			ropeAngles(cos, sin, inv, pos[r], scale)
			row := xt.row(r)
			for h := 0; h < heads; h++ {
				rotate(row[h*p.HeadDim:h*p.HeadDim+p.RotDim], cos, sin, p.NeoX)
			}
		}
	})
}

// ropeAngles follows transformers' float32 arithmetic: the angle is the
// float32 product pos*invFreq, and only cos/sin are taken at higher precision.
func ropeAngles(cos, sin, invFreq []float32, pos int32, scale float32) {
	for i := range cos {
		th := float64(float32(pos) * invFreq[i])
		cos[i] = float32(math.Cos(th)) * scale
		sin[i] = float32(math.Sin(th)) * scale
	}
}

func rotate(v, cos, sin []float32, neox bool) {
	half := len(cos)
	for i := 0; i < half; i++ {
		var a, c *float32
		if neox {
			a, c = &v[i], &v[i+half]
		} else {
			a, c = &v[2*i], &v[2*i+1]
		}
		x0, x1 := *a, *c
		*a = x0*cos[i] - x1*sin[i]
		*c = x1*cos[i] + x0*sin[i]
	}
}
