package cpu

import (
	"math"

	"github.com/ferrum-go/ferrum/compute"
)

// Prefill attention by tiles. The per-row path (attend) reads every key and
// value of a sequence once per query row and head, widening F16 each time,
// and spends as much on horizontal sums and loop overhead as on FMAs. Here
// the queries of one sequence that share a KV head (a run of rows times the
// heads of the group) form a tile: each aligned chunk of attnChunk keys is
// widened once into F32 rows, the tile's scores are a small GEMM with 4x4
// (query, key) register tiles, and P*V another with 4 queries x 64 dims.
//
// A query's result must not depend on its tile, on the chunking of the
// prefill or on the block size (model/llama's invariance tests compare
// logits bit for bit), so the kernels repeat attend's arithmetic exactly:
// each score is the same 16-lane FMA chain and the same reduction tree as
// dotsF16/dotsF32, each chunk goes through the same softmaxChunk over the
// same slice of keys, and each value accumulation is the same per-dim FMA
// chain in key order as axpysF16/axpysF32. Keys a query does not see but
// its register tile does get weight 0, which leaves the accumulator as is.

// attnTileKernels are the SIMD kernels of the tiled path; tileKernels is
// nil where there are none (the per-row path then takes every row).
type attnTileKernels struct {
	// score sets out[i*outStride+j] = scale*<q_i, k_j> for 4 queries
	// (rows of hd in q) and 4*nkb keys (rows of hd in k).
	score func(out []float32, outStride int, q, k []float32, nkb, hd int, scale float32)
	// accum adds sum_{j<n} w[i*wStride+j]*v_j to acc_i for 4 queries
	// (rows of hd in acc and v), j in order.
	accum func(acc, w []float32, wStride int, v []float32, n, hd int)
	// widen converts n F16 rows srcStride apart to F32 rows of hd.
	widen func(dst []float32, src []uint16, srcStride, n, hd int)
}

var tileKernels *attnTileKernels

// attnTileQueries is the number of queries a tile aims for: 32 queries of
// head dim 128 keep the tile's queries, keys, values, scores and
// accumulators (~100 KiB) in L2 while each widened key serves 32 queries.
const attnTileQueries = 64

// attnTileMinRows is the number of query rows from which a sequence takes
// the tiled path; decode rows stay per row. A variable so that tests can
// run both paths on the same input.
var attnTileMinRows = 2

// tiles reports whether p's sequence si takes the tiled path.
func (c *attnCtx) tiled(si int) bool {
	return c.tile && c.p.Seqs[si].NumRows >= attnTileMinRows
}

// tileRows is the number of query rows per tile.
func tileRows(p *compute.AttentionParams) int {
	return max(1, attnTileQueries/(p.Heads/p.KVHeads))
}

// tileItems counts the tiled path's work items: one per (tile, KV head).
func (c *attnCtx) tileItems() int {
	n, rows := 0, tileRows(c.p)
	for si, s := range c.p.Seqs {
		if c.tiled(si) {
			n += (s.NumRows + rows - 1) / rows * c.p.KVHeads
		}
	}
	return n
}

// attendTiles computes the tiled work items in [lo, hi). Within a sequence
// items run KV head by KV head, so that a worker's next tile finds most of
// its keys and values in cache, and within a head from the last tile (most
// keys) to the first, so that the pool's chunks end on cheap ones.
func attendTiles(c *attnCtx, lo, hi int) {
	p := c.p
	hd, group := p.HeadDim, p.Heads/p.KVHeads
	rows := tileRows(p)
	nqp := (rows*group + 3) &^ 3
	fb := floatScratch.get(2*nqp*hd + 2*attnChunk*hd + nqp*attnChunk + 2*nqp)
	ib := intScratch.get(2*nqp + nqp/2)
	fs, is := fb.v, ib.v
	take := func(n int) []float32 { v := fs[:n:n]; fs = fs[n:]; return v }
	takeInt := func(n int) []int32 { v := is[:n:n]; is = is[n:]; return v }
	t := tileBufs{
		q: take(nqp * hd), acc: take(nqp * hd), k: take(attnChunk * hd), v: take(attnChunk * hd),
		s: take(nqp * attnChunk), m: take(nqp), l: take(nqp),
		first: takeInt(nqp), last: takeInt(nqp), blocks: takeInt(nqp / 2),
	}
	it, si := lo, 0
	base := 0
	for it < hi {
		for !c.tiled(si) {
			si++
		}
		s := p.Seqs[si]
		ntiles := (s.NumRows + rows - 1) / rows
		if it >= base+ntiles*p.KVHeads {
			base += ntiles * p.KVHeads
			si++
			continue
		}
		k := it - base
		tile, g := ntiles-1-k%ntiles, k/ntiles
		r0 := s.FirstRow + tile*rows
		attendTile(c, &t, s.BlockTable, r0, min(rows, s.FirstRow+s.NumRows-r0), g)
		it++
	}
	intScratch.put(ib)
	floatScratch.put(fb)
}

// tileBufs is one worker's scratch: the tile's queries, accumulators,
// scores, running max and sum (rows padded to 4 queries), one chunk of
// widened keys and values, each query's key range and each 4-query
// block's key range in the current chunk.
type tileBufs struct {
	q, acc, k, v, s, m, l []float32
	first, last, blocks   []int32
}

// attendTile computes the queries of rows [r0, r0+nrows) and the heads of
// KV head g. Query t is row r0+t/group, head g*group+t%group.
func attendTile(c *attnCtx, t *tileBufs, bt []int32, r0, nrows, g int) {
	p, kern := c.p, tileKernels
	hd, group := p.HeadDim, p.Heads/p.KVHeads
	nq := nrows * group
	nqp := (nq + 3) &^ 3
	firstMin, posMax := math.MaxInt32, -1
	for q := 0; q < nqp; q++ {
		qv := t.q[q*hd : (q+1)*hd]
		clear(t.acc[q*hd : (q+1)*hd])
		t.m[q], t.l[q] = float32(math.Inf(-1)), 0
		if q >= nq {
			clear(qv)
			t.first[q], t.last[q] = 0, -1
			continue
		}
		r, h := r0+q/group, g*group+q%group
		copy(qv, c.qt.row(r)[h*hd:(h+1)*hd])
		pos := int(p.Positions[r])
		first := 0
		if p.Window > 0 && pos-p.Window+1 > first {
			first = pos - p.Window + 1
		}
		t.first[q], t.last[q] = int32(first), int32(pos)
		firstMin, posMax = min(firstMin, first), max(posMax, pos)
	}
	kvOff := g * hd
	for c0 := firstMin / attnChunk * attnChunk; c0 <= posMax; c0 += attnChunk {
		jlo, jhi := max(c0, firstMin), min(c0+attnChunk, posMax+1)
		c.widenChunk(t.k, c.kp, bt, kvOff, jlo, jhi, c0)
		// Scores of each 4-query block over the union of its keys.
		for b := 0; b < nqp/4; b++ {
			blo, bhi := c0+attnChunk, c0
			for q := 4 * b; q < 4*b+4; q++ {
				a, e := chunkRange(t, q, c0)
				if a < e {
					blo, bhi = min(blo, a), max(bhi, e)
				}
			}
			if blo >= bhi {
				t.blocks[2*b], t.blocks[2*b+1] = 0, 0
				continue
			}
			t.blocks[2*b], t.blocks[2*b+1] = int32(blo-c0), int32(bhi-c0)
			klo, khi := (blo-c0)&^3, (bhi-c0+3)&^3
			kern.score(t.s[4*b*attnChunk+klo:], attnChunk, t.q[4*b*hd:], t.k[klo*hd:], (khi-klo)/4, hd, p.Scale)
		}
		// Each query's softmax step over exactly its own keys, as attend
		// takes it; the block's other keys get weight 0.
		for q := 0; q < nqp; q++ {
			blo, bhi := int(t.blocks[q/4*2]), int(t.blocks[q/4*2+1])
			if blo >= bhi {
				continue
			}
			row := t.s[q*attnChunk : (q+1)*attnChunk]
			a, e := chunkRange(t, q, c0)
			a, e = a-c0, e-c0
			if a >= e {
				clear(row[blo:bhi])
				continue
			}
			softmaxChunk(row[a:e], &t.m[q], &t.l[q], t.acc[q*hd:(q+1)*hd])
			clear(row[blo:a])
			clear(row[e:bhi])
		}
		c.widenChunk(t.v, c.vp, bt, kvOff, jlo, jhi, c0)
		for b := 0; b < nqp/4; b++ {
			blo, bhi := int(t.blocks[2*b]), int(t.blocks[2*b+1])
			if blo < bhi {
				kern.accum(t.acc[4*b*hd:], t.s[4*b*attnChunk+blo:], attnChunk, t.v[blo*hd:], bhi-blo, hd)
			}
		}
	}
	for q := 0; q < nq; q++ {
		r, h := r0+q/group, g*group+q%group
		out := c.dt.row(r)[h*hd : (h+1)*hd]
		acc := t.acc[q*hd : (q+1)*hd]
		inv := 1 / t.l[q]
		for i := range out {
			out[i] = acc[i] * inv
		}
	}
}

// chunkRange is the part [a, e) of the chunk at c0 that query q sees.
func chunkRange(t *tileBufs, q, c0 int) (a, e int) {
	return max(c0, int(t.first[q])), min(c0+attnChunk, int(t.last[q])+1)
}

// widenChunk writes the pool rows of positions [jlo, jhi) at column kvOff,
// as F32, to dst rows j-c0.
func (c *attnCtx) widenChunk(dst []float32, pool *tensor, bt []int32, kvOff, jlo, jhi, c0 int) {
	hd, bs := c.p.HeadDim, c.p.BlockSize
	for j := jlo; j < jhi; {
		run := min(jhi-j, bs-j%bs)
		slot := int(bt[j/bs])*bs + j%bs
		d := dst[(j-c0)*hd : (j-c0+run)*hd]
		if pool.f16 != nil {
			tileKernels.widen(d, pool.f16[slot*pool.cols+kvOff:], pool.cols, run, hd)
		} else {
			for i := 0; i < run; i++ {
				copy(d[i*hd:(i+1)*hd], pool.f32[(slot+i)*pool.cols+kvOff:])
			}
		}
		j += run
	}
}
