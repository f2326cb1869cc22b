package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/computetest"
	"github.com/ferrum-go/ferrum/compute/ref"
	"github.com/ferrum-go/ferrum/quant"
)

// attnProblem is a paged attention call on random data: seqs sequences of
// rows[i] query rows that continue a context of start[i] tokens, their
// blocks scattered over the pools.
type attnProblem struct {
	p      *compute.AttentionParams
	q      []float32
	k, v   []float32 // pool contents as Attention sees them (F16-rounded for F16)
	kp, vp compute.Tensor
	qt     compute.Tensor
}

func newAttnProblem(be *Backend, rng *rand.Rand, typ quant.Type, heads, kvHeads, hd, bs, window int, start, rows []int) *attnProblem {
	p := &compute.AttentionParams{Heads: heads, KVHeads: kvHeads, HeadDim: hd, Scale: 1 / float32(math.Sqrt(float64(hd))),
		Window: window, BlockSize: bs}
	nblocks := 0
	for i := range rows {
		nblocks += (start[i] + rows[i] + bs - 1) / bs
	}
	perm := rng.Perm(nblocks)
	row := 0
	for i := range rows {
		n := (start[i] + rows[i] + bs - 1) / bs
		table := make([]int32, n)
		for j := range table {
			table[j] = int32(perm[0])
			perm = perm[1:]
		}
		p.Seqs = append(p.Seqs, compute.AttentionSeq{FirstRow: row, NumRows: rows[i], BlockTable: table})
		for r := 0; r < rows[i]; r++ {
			p.Positions = append(p.Positions, int32(start[i]+r))
		}
		row += rows[i]
	}
	kvw, nrow := kvHeads*hd, nblocks*bs
	k := computetest.Random(rng, nrow*kvw, 3)
	v := computetest.Random(rng, nrow*kvw, 3)
	slots := make([]int32, nrow)
	for i := range slots {
		slots[i] = int32(i)
	}
	kp, _ := be.AllocKV(typ, nrow, kvw)
	vp, _ := be.AllocKV(typ, nrow, kvw)
	be.WriteKV(kp, vp, be.Upload(nrow, kvw, k), be.Upload(nrow, kvw, v), slots)
	if typ == quant.F16 {
		k, v = ref.RoundF16(k), ref.RoundF16(v)
	}
	q := computetest.Random(rng, row*heads*hd, 2)
	return &attnProblem{p: p, q: q, k: k, v: v, kp: kp, vp: vp, qt: be.Upload(row, heads*hd, q)}
}

func (a *attnProblem) run(be *Backend, minRows int) []float32 {
	defer func(old int) { attnTileMinRows = old }(attnTileMinRows)
	attnTileMinRows = minRows
	dst := be.Alloc(a.qt.Rows(), a.qt.Cols())
	be.Attention(dst, a.qt, a.kp, a.vp, a.p)
	out := make([]float32, a.qt.Rows()*a.qt.Cols())
	be.Download(dst, nil, out)
	return out
}

// TestAttentionTiled holds the tiled prefill path to the reference and,
// bit for bit, to the per-row path: a query's result may not depend on the
// tile it shares (chunked prefill and batching must not change logits).
func TestAttentionTiled(t *testing.T) {
	if tileKernels == nil {
		t.Skip("no tiled attention kernels at this CPU level")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	be := New(3)
	defer be.Close()
	for _, c := range []struct {
		heads, kvHeads, hd, bs, window int
		start, rows                    []int
	}{
		{16, 8, 128, 16, 0, []int{0}, []int{150}},
		{4, 4, 64, 4, 0, []int{0, 37}, []int{37, 1}},
		{6, 2, 80, 7, 0, []int{5, 0, 70}, []int{3, 66, 29}},
		{8, 1, 16, 1, 0, []int{0}, []int{9}},
		{16, 8, 128, 16, 70, []int{0, 100}, []int{200, 45}},
		{4, 2, 32, 5, 5, []int{3}, []int{23}},
		{12, 4, 64, 3, 100, []int{130}, []int{131}},
	} {
		for _, typ := range []quant.Type{quant.F32, quant.F16} {
			name := fmt.Sprintf("%v/h%d-%d/d%d/bs%d/w%d/rows%v", typ, c.heads, c.kvHeads, c.hd, c.bs, c.window, c.rows)
			a := newAttnProblem(be, rng, typ, c.heads, c.kvHeads, c.hd, c.bs, c.window, c.start, c.rows)
			tiled := a.run(be, 2)
			rows := a.run(be, math.MaxInt)
			for i := range tiled {
				if math.Float32bits(tiled[i]) != math.Float32bits(rows[i]) {
					t.Fatalf("%s: element %d tiled %v, per row %v", name, i, tiled[i], rows[i])
				}
			}
			if e := computetest.RelErr(tiled, ref.Attention(a.q, a.k, a.v, a.p)); !(e <= 1e-5) {
				t.Errorf("%s: relative error %.3g against the reference", name, e)
			}
		}
	}
}

// TestAttentionTiledChunks runs a prefill whole, in chunks of 1, 3 and 8
// rows, and beside other sequences: every row must come out the same bits.
func TestAttentionTiledChunks(t *testing.T) {
	if tileKernels == nil {
		t.Skip("no tiled attention kernels at this CPU level")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	be := New(2)
	defer be.Close()
	const heads, kvHeads, hd, n = 4, 2, 64, 75
	for _, window := range []int{0, 20} {
		a := newAttnProblem(be, rng, quant.F16, heads, kvHeads, hd, 16, window, []int{0}, []int{n})
		whole := a.run(be, 2)
		width := heads * hd
		for _, chunk := range []int{1, 3, 8} {
			for r0 := 0; r0 < n; r0 += chunk {
				m := min(chunk, n-r0)
				p := *a.p
				p.Positions = a.p.Positions[r0 : r0+m]
				p.Seqs = []compute.AttentionSeq{{FirstRow: 0, NumRows: m, BlockTable: a.p.Seqs[0].BlockTable}}
				dst := be.Alloc(m, width)
				be.Attention(dst, be.Upload(m, width, a.q[r0*width:(r0+m)*width]), a.kp, a.vp, &p)
				got := make([]float32, m*width)
				be.Download(dst, nil, got)
				for i, v := range got {
					if w := whole[r0*width+i]; math.Float32bits(v) != math.Float32bits(w) {
						t.Fatalf("window %d chunk %d: row %d element %d is %v, whole prefill %v", window, chunk, r0+i/width, i%width, v, w)
					}
				}
			}
		}
	}
}

// BenchmarkAttentionPrefill: a 512-token prefill of one sequence with
// Qwen3-0.6B's head layout over an F16 cache, tiled against per row.
func BenchmarkAttentionPrefill(b *testing.B) {
	for _, threads := range []int{1, 2} {
		for _, path := range []struct {
			name    string
			minRows int
		}{{"tiled", 2}, {"rows", math.MaxInt}} {
			b.Run(fmt.Sprintf("%s/t%d", path.name, threads), func(b *testing.B) {
				be := New(threads)
				defer be.Close()
				a := newAttnProblem(be, rand.New(rand.NewPCG(1, 2)), quant.F16, 16, 8, 128, 16, 0, []int{0}, []int{512})
				defer func(old int) { attnTileMinRows = old }(attnTileMinRows)
				attnTileMinRows = path.minRows
				dst := be.Alloc(a.qt.Rows(), a.qt.Cols())
				b.ResetTimer()
				cpu0 := cpuTime()
				for range b.N {
					be.Attention(dst, a.qt, a.kp, a.vp, a.p)
				}
				// CPU time, steadier than wall time on a shared machine.
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
				macs := 0.0
				for _, pos := range a.p.Positions {
					macs += 2 * float64(pos+1) * 16 * 128
				}
				b.ReportMetric(macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
			})
		}
	}
}

// cpuTime is the process's user+system time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
