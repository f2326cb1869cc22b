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
	parallelCtx(b.pool, ropeJobs, xt.rows, grainFor(xt.cols), ropeCtx{xt, pos, p, heads, half, scale}, func(c *ropeCtx, lo, hi int) {
		buf := floatScratch.get(2 * c.half)
		cos, sin := buf.v[:c.half], buf.v[c.half:]
		for r := lo; r < hi; r++ {
			inv := c.p.InvFreq
			if c.p.PerRowInvFreq != nil {
				inv = c.p.PerRowInvFreq(r)
			}
			ropeAngles(cos, sin, inv, c.pos[r], c.scale)
			rotateHeads(c.x.row(r), c.heads, c.p.HeadDim, cos, sin, c.p.NeoX)
		}
		floatScratch.put(buf)
	})
}

type ropeCtx struct {
	x           *tensor
	pos         []int32
	p           compute.RoPEParams
	heads, half int
	scale       float32
}

var ropeJobs = newJobPool[ropeCtx]()

// ropeAngles follows transformers' float32 arithmetic: the angle is the
// float32 product pos*invFreq, and only cos/sin are taken at higher precision.
// math.Sincos shares one range reduction between the two (the same
// algorithm as math.Sin and math.Cos, so the same values) and was most of
// RoPE's time once the rotation was vectorised.
func ropeAngles(cos, sin, invFreq []float32, pos int32, scale float32) {
	invFreq, sin = invFreq[:len(cos)], sin[:len(cos)]
	for i, f := range invFreq {
		s, c := math.Sincos(float64(float32(pos) * f))
		cos[i] = float32(c) * scale
		sin[i] = float32(s) * scale
	}
}

// rotateHeads rotates the first 2*len(cos) dims of each of the heads
// (headDim apart) of row; a slot for SIMD kernels, which must give the
// same bits.
var rotateHeads = rotateHeadsGeneric

func rotateHeadsGeneric(row []float32, heads, headDim int, cos, sin []float32, neox bool) {
	rot := 2 * len(cos)
	for h := 0; h < heads; h++ {
		rotate(row[h*headDim:h*headDim+rot], cos, sin, neox, 0)
	}
}

// rotate turns each pair (x0, x1) of v from pair from on by its angle.
// The float32
// conversions keep each product rounded on its own (no fused
// multiply-add, whatever GOAMD64 says), which the SIMD kernels match.
func rotate(v, cos, sin []float32, neox bool, from int) {
	half := len(cos)
	for i := from; i < half; i++ {
		var a, c *float32
		if neox {
			a, c = &v[i], &v[i+half]
		} else {
			a, c = &v[2*i], &v[2*i+1]
		}
		x0, x1 := *a, *c
		*a = float32(x0*cos[i]) - float32(x1*sin[i])
		*c = float32(x1*cos[i]) + float32(x0*sin[i])
	}
}
