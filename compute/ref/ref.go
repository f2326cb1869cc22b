// Package ref holds the plain-Go reference implementation of every compute
// op: the simplest loops that are obviously right, in float64 where that
// costs nothing, with no parallelism and no tricks. Backends' kernels are
// tested against these (compute/computetest); nothing else should call them.
package ref

import (
	"math"

	"github.com/ferrum-go/ferrum/compute"
)

// MatMul returns x (rows x in) times w (out x in) transposed.
func MatMul(x []float32, rows, in int, w []float32, out int) []float32 {
	dst := make([]float32, rows*out)
	for r := 0; r < rows; r++ {
		for o := 0; o < out; o++ {
			var s float64
			for i := 0; i < in; i++ {
				s += float64(x[r*in+i]) * float64(w[o*in+i])
			}
			dst[r*out+o] = float32(s)
		}
	}
	return dst
}

// RMSNorm normalizes each row of width len(w).
func RMSNorm(x, w []float32, eps float32) []float32 {
	cols := len(w)
	dst := make([]float32, len(x))
	for r := 0; r*cols < len(x); r++ {
		row := x[r*cols : (r+1)*cols]
		var ss float64
		for _, v := range row {
			ss += float64(v) * float64(v)
		}
		inv := 1 / math.Sqrt(ss/float64(cols)+float64(eps))
		for i, v := range row {
			dst[r*cols+i] = float32(float64(v) * inv * float64(w[i]))
		}
	}
	return dst
}

// LayerNorm normalizes each row of width len(w); b may be nil.
func LayerNorm(x, w, b []float32, eps float32) []float32 {
	cols := len(w)
	dst := make([]float32, len(x))
	for r := 0; r*cols < len(x); r++ {
		row := x[r*cols : (r+1)*cols]
		var mean, vr float64
		for _, v := range row {
			mean += float64(v)
		}
		mean /= float64(cols)
		for _, v := range row {
			vr += (float64(v) - mean) * (float64(v) - mean)
		}
		inv := 1 / math.Sqrt(vr/float64(cols)+float64(eps))
		for i, v := range row {
			y := (float64(v) - mean) * inv * float64(w[i])
			if b != nil {
				y += float64(b[i])
			}
			dst[r*cols+i] = float32(y)
		}
	}
	return dst
}

func SiLU(x []float32) []float32 {
	return mapf(x, func(v float64) float64 { return v / (1 + math.Exp(-v)) })
}

func GELU(x []float32) []float32 {
	return mapf(x, func(v float64) float64 { return 0.5 * v * (1 + math.Erf(v/math.Sqrt2)) })
}

func mapf(x []float32, f func(float64) float64) []float32 {
	dst := make([]float32, len(x))
	for i, v := range x {
		dst[i] = float32(f(float64(v)))
	}
	return dst
}

// SwiGLU returns silu(gate) * up.
func SwiGLU(gate, up []float32) []float32 {
	s := SiLU(gate)
	for i := range s {
		s[i] *= up[i]
	}
	return s
}

// Softmax over rows of width cols.
func Softmax(x []float32, cols int) []float32 {
	dst := make([]float32, len(x))
	for r := 0; r*cols < len(x); r++ {
		row := x[r*cols : (r+1)*cols]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		for i, v := range row {
			dst[r*cols+i] = float32(math.Exp(float64(v)-m) / s)
		}
	}
	return dst
}

// Embed gathers rows ids of a table of width cols.
func Embed(table []float32, cols int, ids []int32) []float32 {
	dst := make([]float32, 0, len(ids)*cols)
	for _, id := range ids {
		dst = append(dst, table[int(id)*cols:(int(id)+1)*cols]...)
	}
	return dst
}

// RoPE returns x (rows of width cols) rotated at the given positions.
func RoPE(x []float32, cols int, pos []int32, p compute.RoPEParams) []float32 {
	dst := append([]float32(nil), x...)
	half := p.RotDim / 2
	scale := float64(p.AttnFactor)
	if scale == 0 {
		scale = 1
	}
	for r := range pos {
		inv := p.InvFreq
		if p.PerRowInvFreq != nil {
			inv = p.PerRowInvFreq(r)
		}
		for h := 0; h < cols/p.HeadDim; h++ {
			head := dst[r*cols+h*p.HeadDim:]
			for i := 0; i < half; i++ {
				a, b := 2*i, 2*i+1
				if p.NeoX {
					a, b = i, i+half
				}
				th := float64(float32(pos[r]) * inv[i])
				c, s := math.Cos(th)*scale, math.Sin(th)*scale
				x0, x1 := float64(head[a]), float64(head[b])
				head[a] = float32(x0*c - x1*s)
				head[b] = float32(x1*c + x0*s)
			}
		}
	}
	return dst
}

// Attention is textbook attention: for each query row and head, the full
// vector of masked scores, its softmax, and the weighted sum of values.
// Pools are rows of width KVHeads*HeadDim addressed through block tables.
func Attention(q, kPool, vPool []float32, p *compute.AttentionParams) []float32 {
	hd, width := p.HeadDim, p.Heads*p.HeadDim
	kvWidth := p.KVHeads * hd
	dst := make([]float32, len(q))
	for _, s := range p.Seqs {
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			pos := int(p.Positions[r])
			for h := 0; h < p.Heads; h++ {
				g := h / (p.Heads / p.KVHeads)
				scores := make([]float64, pos+1)
				m := math.Inf(-1)
				for j := 0; j <= pos; j++ {
					if p.Window > 0 && pos-j >= p.Window {
						scores[j] = math.Inf(-1)
						continue
					}
					slot := int(s.BlockTable[j/p.BlockSize])*p.BlockSize + j%p.BlockSize
					var d float64
					for i := 0; i < hd; i++ {
						d += float64(q[r*width+h*hd+i]) * float64(kPool[slot*kvWidth+g*hd+i])
					}
					scores[j] = d * float64(p.Scale)
					m = math.Max(m, scores[j])
				}
				var sum float64
				for j := range scores {
					scores[j] = math.Exp(scores[j] - m)
					sum += scores[j]
				}
				for i := 0; i < hd; i++ {
					var acc float64
					for j := range scores {
						if scores[j] == 0 {
							continue
						}
						slot := int(s.BlockTable[j/p.BlockSize])*p.BlockSize + j%p.BlockSize
						acc += scores[j] * float64(vPool[slot*kvWidth+g*hd+i])
					}
					dst[r*width+h*hd+i] = float32(acc / sum)
				}
			}
		}
	}
	return dst
}
