package cpu

import "sync"

// pool is a fixed set of worker goroutines that every op uses to spread a
// loop over cores. It holds no op state, so one pool serves any number of
// concurrent forward passes.
type pool struct {
	workers int
	tasks   chan task
	stop    sync.Once
}

type task struct {
	fn     func(lo, hi int)
	lo, hi int
	wg     *sync.WaitGroup
}

func newPool(workers int) *pool {
	if workers < 1 {
		workers = 1
	}
	p := &pool{workers: workers, tasks: make(chan task, 4*workers)}
	for i := 0; i < workers; i++ {
		go func() {
			for t := range p.tasks {
				t.fn(t.lo, t.hi)
				t.wg.Done()
			}
		}()
	}
	return p
}

// parallelFor runs fn over [0, n) split into contiguous chunks of at least
// grain items. Small loops run on the caller's goroutine. fn must not call
// parallelFor itself (the workers would wait on each other).
func (p *pool) parallelFor(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := n / grain
	if max := 4 * p.workers; chunks > max {
		chunks = max
	}
	if chunks <= 1 || p.workers == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(chunks - 1)
	step, extra := n/chunks, n%chunks
	lo := 0
	var first task
	for c := 0; c < chunks; c++ {
		hi := lo + step
		if c < extra {
			hi++
		}
		if c == 0 {
			first = task{fn: fn, lo: lo, hi: hi}
		} else {
			p.tasks <- task{fn: fn, lo: lo, hi: hi, wg: &wg}
		}
		lo = hi
	}
	// The caller works too instead of only waiting.
	first.fn(first.lo, first.hi)
	wg.Wait()
}

func (p *pool) close() { p.stop.Do(func() { close(p.tasks) }) }
