package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// pool spreads loops over threads: the calling goroutine plus threads-1
// workers. A forward pass calls it hundreds of times per token, so a
// dispatch must cost far less than a channel hand-off: workers spin on an
// atomic generation counter for a short while after each job (the next op
// usually comes within microseconds) and only then park on a channel.
// Chunks (up to 16 per thread) are claimed from an atomic counter, so a
// core slowed by other processes on a shared machine does not hold the
// others back for more than a small chunk. The pool holds no op state; one job runs at a time and
// a caller that finds the pool busy (another forward pass) runs its loop
// alone.
type pool struct {
	workers int // participants, the caller included
	busy    sync.Mutex

	// state packs the job's generation (high 32 bits), its number of
	// chunks (16 bits) and the next chunk to claim (low 16 bits), so that
	// a worker still finishing one job can never claim a chunk of the next:
	// a claim is a compare-and-swap on the whole word. fn, n and size are
	// read only after a successful claim, while the job is still pending,
	// so the caller never rewrites them under a reader.
	state   atomic.Uint64
	gen     uint32
	job     ranger
	n, size int
	pending atomic.Int64 // chunks not finished

	helpers []*helper
	quit    atomic.Bool
}

type helper struct {
	parked atomic.Bool
	wake   chan struct{}
}

// spinFor is how long an idle worker polls before parking.
const spinFor = 50 * time.Microsecond

func newPool(threads int) *pool {
	if threads < 1 {
		threads = 1
	}
	p := &pool{workers: threads}
	for i := 1; i < threads; i++ {
		h := &helper{wake: make(chan struct{}, 1)}
		p.helpers = append(p.helpers, h)
		go p.work(h)
	}
	return p
}

func (p *pool) curGen() uint32 { return uint32(p.state.Load() >> 32) }

func (p *pool) work(h *helper) {
	seen := p.curGen()
	for {
		// Spin, then park, until a new generation appears.
		start := time.Now()
		for spins := 0; p.curGen() == seen; spins++ {
			if p.quit.Load() {
				return
			}
			if spins&255 == 255 {
				if time.Since(start) > spinFor {
					h.parked.Store(true)
					if p.curGen() != seen || p.quit.Load() {
						if !h.parked.CompareAndSwap(true, false) {
							<-h.wake // the caller saw us parked and sent a wake-up
						}
						break
					}
					<-h.wake
					if p.quit.Load() {
						return
					}
					break
				}
				runtime.Gosched()
			}
		}
		seen = p.curGen()
		p.runChunks(seen)
	}
}

// runChunks claims and runs chunks of job gen until none is left.
func (p *pool) runChunks(gen uint32) {
	for {
		v := p.state.Load()
		if uint32(v>>32) != gen || v&0xffff >= (v>>16)&0xffff {
			return
		}
		if !p.state.CompareAndSwap(v, v+1) {
			continue
		}
		lo := int(v&0xffff) * p.size
		hi := min(p.n, lo+p.size)
		p.job.run(lo, hi)
		p.pending.Add(-1)
	}
}

// ranger is a loop body over [lo, hi).
type ranger interface{ run(lo, hi int) }

type funcJob func(lo, hi int)

func (f funcJob) run(lo, hi int) { f(lo, hi) }

// parallelFor runs fn over [0, n) split into chunks of at least grain
// items. Small loops run on the caller's goroutine. fn must not call
// parallelFor itself. The closure usually escapes (one allocation); the
// decode path uses parallelCtx instead.
func (p *pool) parallelFor(n, grain int, fn func(lo, hi int)) {
	p.runJob(n, grain, funcJob(fn))
}

func (p *pool) runJob(n, grain int, job ranger) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := min(n/grain, 16*p.workers, 1<<16-1)
	if chunks <= 1 || p.workers == 1 || !p.busy.TryLock() {
		job.run(0, n)
		return
	}
	size := (n + chunks - 1) / chunks
	chunks = (n + size - 1) / size
	p.job, p.n, p.size = job, n, size
	p.pending.Store(int64(chunks))
	p.gen++
	p.state.Store(uint64(p.gen)<<32 | uint64(chunks)<<16)
	for _, h := range p.helpers {
		if h.parked.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
	p.runChunks(p.gen)
	for spins := 0; p.pending.Load() != 0; spins++ {
		if spins&255 == 255 {
			runtime.Gosched()
		}
	}
	p.job = nil
	p.busy.Unlock()
}

// ctxJob carries an op's arguments to a static loop body, so that running
// it allocates nothing: jobs come from a per-op sync.Pool (a decode step
// runs hundreds of ops; closures would allocate for each).
type ctxJob[T any] struct {
	ctx T
	fn  func(*T, int, int)
}

func (j *ctxJob[T]) run(lo, hi int) { j.fn(&j.ctx, lo, hi) }

type jobPool[T any] struct{ p sync.Pool }

func newJobPool[T any]() *jobPool[T] {
	return &jobPool[T]{p: sync.Pool{New: func() any { return new(ctxJob[T]) }}}
}

// parallelCtx runs fn(&ctx, lo, hi) over [0, n) like parallelFor; fn
// should be a function literal that captures nothing.
func parallelCtx[T any](p *pool, jobs *jobPool[T], n, grain int, ctx T, fn func(*T, int, int)) {
	j := jobs.p.Get().(*ctxJob[T])
	j.ctx, j.fn = ctx, fn
	p.runJob(n, grain, j)
	*j = ctxJob[T]{}
	jobs.p.Put(j)
}

func (p *pool) close() {
	if p.quit.Swap(true) {
		return
	}
	for _, h := range p.helpers {
		if h.parked.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
}
