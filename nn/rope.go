package nn

import (
	"fmt"
	"math"

	"github.com/ferrum-go/ferrum/compute"
)

// RoPEConfig describes a model's rotary embedding, in transformers' terms.
type RoPEConfig struct {
	HeadDim, RotDim int
	Theta           float64
	NeoX            bool
	MaxPositions    int // max_position_embeddings
	Scaling         RoPEScaling
	// FreqFactors, when set, divide the plain frequencies (GGUF's
	// rope_freqs tensor, llama.cpp's encoding of llama3 scaling).
	FreqFactors []float32
}

// RoPEScaling is rope_scaling; Type "" is plain RoPE.
type RoPEScaling struct {
	Type                          string // "", "linear", "dynamic", "yarn", "llama3"
	Factor                        float64
	OriginalMaxPositions          int
	LowFreqFactor, HighFreqFactor float64
	AttentionFactor               float64
	BetaFast, BetaSlow            float64
	MScale, MScaleAllDim          float64
	Truncate                      *bool
}

// RoPE applies a rotary embedding with precomputed frequencies.
type RoPE struct {
	cfg        RoPEConfig
	invFreq    []float32
	attnFactor float32
}

// NewRoPE computes the frequency table the way transformers'
// modeling_rope_utils does for each scaling type.
func NewRoPE(c RoPEConfig) (*RoPE, error) {
	if c.RotDim <= 0 || c.RotDim%2 != 0 || c.RotDim > c.HeadDim {
		return nil, fmt.Errorf("rope: rotary dims %d must be even and at most head dim %d", c.RotDim, c.HeadDim)
	}
	r := &RoPE{cfg: c, invFreq: plainInvFreq(c.Theta, c.RotDim), attnFactor: 1}
	s := c.Scaling
	switch s.Type {
	case "", "default", "dynamic":
		// dynamic equals plain until a sequence outgrows MaxPositions.
	case "linear":
		for i := range r.invFreq {
			r.invFreq[i] /= float32(s.Factor)
		}
	case "llama3":
		llama3InvFreq(r.invFreq, s)
	case "yarn":
		r.attnFactor = yarnInvFreq(r.invFreq, c)
	default:
		return nil, fmt.Errorf("rope: scaling type %q is not supported", s.Type)
	}
	if c.FreqFactors != nil {
		if len(c.FreqFactors) != len(r.invFreq) {
			return nil, fmt.Errorf("rope: %d frequency factors for %d rotation pairs", len(c.FreqFactors), len(r.invFreq))
		}
		for i, f := range c.FreqFactors {
			r.invFreq[i] /= f
		}
	}
	return r, nil
}

// InvFreq returns the frequency of each rotation pair.
func (r *RoPE) InvFreq() []float32 { return r.invFreq }

// Apply rotates x (rows x heads*HeadDim) in place. seqLens[r] is the length
// of row r's sequence as of this step; only dynamic scaling looks at it.
func (r *RoPE) Apply(be compute.Backend, x compute.Tensor, positions, seqLens []int32) {
	p := compute.RoPEParams{HeadDim: r.cfg.HeadDim, RotDim: r.cfg.RotDim, NeoX: r.cfg.NeoX, InvFreq: r.invFreq, AttnFactor: r.attnFactor}
	if r.cfg.Scaling.Type == "dynamic" && seqLens != nil {
		p.PerRowInvFreq = r.dynamicTable(seqLens)
	}
	be.RoPE(x, positions, p)
}

// dynamicTable follows transformers' dynamic NTK: a sequence longer than
// max_position_embeddings gets a larger base. (transformers uses the longest
// sequence of the whole batch; here each sequence uses its own length, so
// a sequence's output does not depend on its batch-mates.)
func (r *RoPE) dynamicTable(seqLens []int32) func(int) []float32 {
	byLen := map[int32][]float32{}
	maxPos := r.cfg.MaxPositions
	for _, l := range seqLens {
		if _, ok := byLen[l]; ok {
			continue
		}
		if maxPos <= 0 || int(l) <= maxPos {
			byLen[l] = r.invFreq
			continue
		}
		f, dim := r.cfg.Scaling.Factor, float64(r.cfg.RotDim)
		base := r.cfg.Theta * math.Pow(f*float64(l)/float64(maxPos)-(f-1), dim/(dim-2))
		byLen[l] = plainInvFreq(base, r.cfg.RotDim)
	}
	return func(row int) []float32 { return byLen[seqLens[row]] }
}

// plainInvFreq is 1 / theta^(2i/dim), with the exponent in float32 as
// torch computes it.
func plainInvFreq(theta float64, dim int) []float32 {
	inv := make([]float32, dim/2)
	for i := range inv {
		e := float32(2*i) / float32(dim)
		inv[i] = 1 / float32(math.Pow(theta, float64(e)))
	}
	return inv
}

func llama3InvFreq(inv []float32, s RoPEScaling) {
	old := float64(s.OriginalMaxPositions)
	lowWavelen := old / s.LowFreqFactor
	highWavelen := old / s.HighFreqFactor
	for i, f := range inv {
		wavelen := 2 * math.Pi / float64(f)
		switch {
		case wavelen < highWavelen:
			// High frequencies are kept.
		case wavelen > lowWavelen:
			inv[i] = float32(float64(f) / s.Factor)
		default:
			smooth := (old/wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
			inv[i] = float32((1-smooth)*float64(f)/s.Factor + smooth*float64(f))
		}
	}
}

// yarnInvFreq blends interpolated and extrapolated frequencies over a ramp
// of dims and returns the attention (cos/sin) scaling factor.
func yarnInvFreq(inv []float32, c RoPEConfig) float32 {
	s := c.Scaling
	factor := s.Factor
	origMax := s.OriginalMaxPositions
	if origMax <= 0 {
		origMax = c.MaxPositions
	}
	mscale := func(scale, m float64) float64 {
		if scale <= 1 {
			return 1
		}
		return 0.1*m*math.Log(scale) + 1
	}
	attn := s.AttentionFactor
	if attn == 0 {
		if s.MScale != 0 && s.MScaleAllDim != 0 {
			attn = mscale(factor, s.MScale) / mscale(factor, s.MScaleAllDim)
		} else {
			attn = mscale(factor, 1)
		}
	}
	betaFast, betaSlow := s.BetaFast, s.BetaSlow
	if betaFast == 0 {
		betaFast = 32
	}
	if betaSlow == 0 {
		betaSlow = 1
	}
	dim := float64(c.RotDim)
	corrDim := func(rot float64) float64 {
		return dim * math.Log(float64(origMax)/(rot*2*math.Pi)) / (2 * math.Log(c.Theta))
	}
	low, high := corrDim(betaFast), corrDim(betaSlow)
	if s.Truncate == nil || *s.Truncate {
		low, high = math.Floor(low), math.Ceil(high)
	}
	low, high = math.Max(low, 0), math.Min(high, dim-1)
	if low == high {
		high += 0.001
	}
	for i := range inv {
		e := float32(2*i) / float32(c.RotDim)
		posFreq := float32(math.Pow(c.Theta, float64(e)))
		extrap := 1 / posFreq
		interp := 1 / (float32(factor) * posFreq)
		ramp := math.Min(math.Max((float64(i)-low)/(high-low), 0), 1)
		extrapFactor := float32(1 - ramp)
		inv[i] = interp*(1-extrapFactor) + extrap*extrapFactor
	}
	return float32(attn)
}
