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
// Chunks sit at multiples of attnChunk in the sequence (a sliding window's
// first one is partial), so that the queries of a prefill tile share them.
const attnChunk = 64

// Attention runs one (query row, head) pair per work item with an online
// softmax, so no score matrix is materialized and long contexts cost only
// O(HeadDim + attnChunk) memory per item. Sequences of several rows go by
// tiles of queries (attn_prefill.go) where SIMD tile kernels exist, with the
// same result bit for bit.
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
	c := attnCtx{dt: dt, qt: qt, kp: kp, vp: vp, p: p, rowSeq: rowSeq, tile: tileKernels != nil && hd%16 == 0}
	if n := c.tileItems(); n > 0 {
		parallelCtx(b.pool, attnJobs, n, 1, c, attendTiles)
		// The per-row path takes the rows left: those of no tiled sequence.
		listBuf := intScratch.get(qt.rows)
		rows := listBuf.v[:0]
		for r, si := range rowSeq {
			if si < 0 || !c.tiled(int(si)) {
				rows = append(rows, int32(r))
			}
		}
		c.rows = rows
		parallelCtx(b.pool, attnJobs, len(rows)*p.Heads, 1, c, attend)
		intScratch.put(listBuf)
	} else {
		parallelCtx(b.pool, attnJobs, qt.rows*p.Heads, 1, c, attend)
	}
	intScratch.put(seqBuf)
}

type attnCtx struct {
	dt, qt, kp, vp *tensor
	p              *compute.AttentionParams
	rowSeq         []int32
	// tile: sequences of attnTileMinRows rows or more take the tiled path.
	tile bool
	// rows, when set, lists the rows attend's items cover (else all).
	rows []int32
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
		if c.rows != nil {
			r = int(c.rows[r])
		}
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
		m := float32(math.Inf(-1))
		var l float32
		clear(acc)
		for j0 := first; j0 <= pos; j0 = (j0/attnChunk + 1) * attnChunk {
			s := scores[:min(pos+1, (j0/attnChunk+1)*attnChunk)-j0]
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
			softmaxChunk(s, &m, &l, acc)
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

// softmaxChunk is one online-softmax step of a query over a chunk of its
// scores s: the running maximum m moves to the chunk's if that is larger,
// rescaling the sum l and the accumulator acc, then s becomes the exps
// (the weights of the chunk's values) and l grows by their sum. Both
// Attention paths take it, so that they agree bit for bit.
func softmaxChunk(s []float32, m, l *float32, acc []float32) {
	cm := maxRun(s)
	if cm > *m {
		if *l != 0 {
			c := float32(math.Exp(float64(*m - cm)))
			*l *= c
			scaleRun(acc, c)
		}
		*m = cm
	}
	*l += expSub(s, *m)
}

// softmaxChunk's loops: slots for SIMD kernels. maxRun may treat NaN and
// the sign of zero as it likes (softmaxChunk depends on neither), so long
// as it does so in both paths.
var (
	maxRun   = maxRunGeneric
	scaleRun = scaleRunGeneric
)

func maxRunGeneric(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func scaleRunGeneric(x []float32, c float32) {
	for i := range x {
		x[i] *= c
	}
}
