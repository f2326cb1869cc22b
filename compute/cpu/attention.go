package cpu

import (
	"fmt"
	"math"

	"github.com/ferrum-go/ferrum/compute"
)

func (b *Backend) WriteKV(kPool, vPool, k, v compute.Tensor, slots []int32) {
	kp, vp, kt, vt := kvPoolOf(kPool), kvPoolOf(vPool), f32Of(k), f32Of(v)
	if kt.rows != len(slots) || vt.rows != len(slots) || kt.cols != kp.cols || vt.cols != vp.cols {
		panic(fmt.Sprintf("cpu: WriteKV of %dx%d/%dx%d into pools of width %d/%d with %d slots",
			kt.rows, kt.cols, vt.rows, vt.cols, kp.cols, vp.cols, len(slots)))
	}
	for r, s := range slots {
		if s < 0 || int(s) >= kp.rows || int(s) >= vp.rows {
			panic(fmt.Sprintf("cpu: WriteKV slot %d outside pool of %d rows", s, kp.rows))
		}
		kp.putRow(int(s), kt.row(r))
		vp.putRow(int(s), vt.row(r))
	}
}

// attnChunk is the number of keys whose scores are taken before their exps.
const attnChunk = 64

// Attention runs one (query row, head) pair per work item with an online
// softmax, so no score matrix is materialized and long contexts cost only
// O(HeadDim + attnChunk) memory per item.
func (b *Backend) Attention(dst, q, kPool, vPool compute.Tensor, p *compute.AttentionParams) {
	dt, qt, kp, vp := f32Of(dst), f32Of(q), kvPoolOf(kPool), kvPoolOf(vPool)
	hd := p.HeadDim
	if p.Heads%p.KVHeads != 0 || qt.cols != p.Heads*hd || dt.cols != qt.cols || dt.rows != qt.rows ||
		kp.cols != p.KVHeads*hd || vp.cols != kp.cols || kp.dtype != vp.dtype || len(p.Positions) != qt.rows {
		panic(fmt.Sprintf("cpu: Attention q %dx%d dst %dx%d pools width %d, heads %d/%d of %d, %d positions",
			qt.rows, qt.cols, dt.rows, dt.cols, kp.cols, p.Heads, p.KVHeads, hd, len(p.Positions)))
	}
	seqBuf := intScratch.get(qt.rows)
	rowSeq := seqBuf.v
	for i := range rowSeq {
		rowSeq[i] = -1
	}
	for si, s := range p.Seqs {
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			rowSeq[r] = int32(si)
		}
	}
	c := attnCtx{dt: dt, qt: qt, kp: kp, vp: vp, p: p, rowSeq: rowSeq}
	parallelCtx(b.pool, attnJobs, qt.rows*p.Heads, 1, c, attend)
	intScratch.put(seqBuf)
}

type attnCtx struct {
	dt, qt, kp, vp *tensor
	p              *compute.AttentionParams
	rowSeq         []int32
}

var attnJobs = newJobPool[attnCtx]()

// attend computes the work items (query row, head) in [lo, hi).
func attend(c *attnCtx, lo, hi int) {
	dt, qt, kp, vp, p, rowSeq := c.dt, c.qt, c.kp, c.vp, c.p, c.rowSeq
	hd := p.HeadDim
	group := p.Heads / p.KVHeads
	buf := floatScratch.get(hd + attnChunk)
	acc, scores := buf.v[:hd], buf.v[hd:]
	for it := lo; it < hi; it++ {
		r, h := it/p.Heads, it%p.Heads
		out := dt.row(r)[h*hd : (h+1)*hd]
		if rowSeq[r] < 0 {
			panic(fmt.Sprintf("cpu: Attention row %d belongs to no sequence", r))
		}
		bt := p.Seqs[rowSeq[r]].BlockTable
		qv := qt.row(r)[h*hd : (h+1)*hd]
		kvOff := (h / group) * hd
		pos := int(p.Positions[r])
		first := 0
		if p.Window > 0 && pos-p.Window+1 > first {
			first = pos - p.Window + 1
		}
		// Online softmax over chunks of keys: scores of a chunk, then
		// one rescale of the accumulator if the running maximum moved,
		// then the chunk's exps (vectorized) and value accumulation.
		m := float32(math.Inf(-1))
		var l float32
		clear(acc)
		for j0 := first; j0 <= pos; j0 += attnChunk {
			s := scores[:min(pos+1-j0, attnChunk)]
			// Keys of one block sit in consecutive pool rows: score them
			// as runs.
			for i := 0; i < len(s); {
				j := j0 + i
				run := min(len(s)-i, p.BlockSize-j%p.BlockSize)
				slot := int(bt[j/p.BlockSize])*p.BlockSize + j%p.BlockSize
				if kp.f16 != nil {
					scoreRunF16(s[i:i+run], qv, kp.f16[slot*kp.cols+kvOff:], kp.cols, run, p.Scale)
				} else {
					scoreRun(s[i:i+run], qv, kp.f32[slot*kp.cols+kvOff:], kp.cols, run, p.Scale)
				}
				i += run
			}
			cm := float32(math.Inf(-1))
			for _, v := range s {
				cm = max(cm, v)
			}
			if cm > m {
				if l != 0 {
					c := float32(math.Exp(float64(m - cm)))
					l *= c
					for i := range acc {
						acc[i] *= c
					}
				}
				m = cm
			}
			l += expSub(s, m)
			for i := 0; i < len(s); {
				j := j0 + i
				run := min(len(s)-i, p.BlockSize-j%p.BlockSize)
				slot := int(bt[j/p.BlockSize])*p.BlockSize + j%p.BlockSize
				if vp.f16 != nil {
					accumRunF16(acc, vp.f16[slot*vp.cols+kvOff:], vp.cols, s[i:i+run])
				} else {
					accumRun(acc, vp.f32[slot*vp.cols+kvOff:], vp.cols, s[i:i+run])
				}
				i += run
			}
		}
		inv := 1 / l
		for i := range out {
			out[i] = acc[i] * inv
		}
	}
	floatScratch.put(buf)
}
