package engine

import (
	"context"
	"slices"

	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/sample"
)

// scheduler is the state of the loop goroutine; nothing else touches it.
type scheduler struct {
	e        *Engine
	waiting  []*seq // by arrival; preempted sequences return to their place
	running  []*seq // by arrival
	live     map[*request]bool
	eos      map[int32]bool
	blockSz  int
	numBlock int

	promptTokens, genTokens, preemptions, finished, steps int64
	choicesEnded                                          map[FinishReason]int64

	// logits is reused from step to step by models that can write into a
	// caller's buffer, so a decode step allocates nothing for its logits.
	logits model.Logits
}

// intoForwarder is implemented by models that fill a caller's Logits
// (model/llama): the scheduler's buffer then serves every step.
type intoForwarder interface {
	ForwardInto(ctx context.Context, b *model.Batch, out *model.Logits) error
}

// forward runs one step, into the reusable buffer when the model allows.
// The rows are read before the next step, so reuse is safe.
func (s *scheduler) forward(ctx context.Context, b *model.Batch) (*model.Logits, error) {
	if m, ok := s.e.model.(intoForwarder); ok {
		if err := m.ForwardInto(ctx, b, &s.logits); err != nil {
			return nil, err
		}
		return &s.logits, nil
	}
	return s.e.model.Forward(ctx, b)
}

func (s *scheduler) init(e *Engine) {
	s.e = e
	s.live = map[*request]bool{}
	s.choicesEnded = map[FinishReason]int64{}
	s.eos = map[int32]bool{}
	for _, id := range e.tok.EOSIDs() {
		s.eos[int32(id)] = true
	}
	for _, id := range e.model.Config().EOSTokenIDs {
		s.eos[int32(id)] = true
	}
	s.blockSz = e.cache.BlockSize()
	s.numBlock = e.cache.Alloc.NumBlocks()
}

// loop is the scheduler goroutine: take new requests, drop cancelled ones,
// run a step; sleep when there is nothing to run.
func (e *Engine) loop() {
	defer close(e.done)
	s := &e.sched
	for {
		s.takeIncoming()
		s.reap()
		select {
		case <-e.closing:
			s.shutdown()
			e.updateStats()
			return
		default:
		}
		worked := s.step()
		e.updateStats()
		if worked {
			continue
		}
		select {
		case <-e.wake:
		case <-e.closing:
		}
	}
}

func (s *scheduler) takeIncoming() {
	e := s.e
	e.mu.Lock()
	in := e.incoming
	e.incoming = nil
	e.mu.Unlock()
	for _, r := range in {
		p := &r.params
		r.live = p.N
		for i := 0; i < p.N; i++ {
			sq := &seq{
				req: r, index: i, order: r.id*maxN + uint64(i),
				tokens: slices.Clone(r.prompt), promptLen: len(r.prompt),
				sampler: sample.New(p.Params, r.prompt, sample.SeedFor(p.Params, i)),
				detok:   e.tok.NewStreamDecoder(!p.KeepSpecialTokens),
				stops:   sample.NewStopStrings(p.Stop),
			}
			if i > 0 && e.blocks.Enabled() && len(r.prompt)-1 >= s.blockSz {
				sq.leader = r.seqs[0]
			}
			sq.wantPromptLPs = i == 0 && p.PromptLogprobs
			r.seqs = append(r.seqs, sq)
			s.waiting = append(s.waiting, sq)
		}
		s.live[r] = true
	}
}

// reap finishes requests whose context is done.
func (s *scheduler) reap() {
	for r := range s.live {
		if err := r.ctx.Err(); err != nil {
			s.finishRequest(r, FinishCancelled, err)
		}
	}
}

func (s *scheduler) shutdown() {
	s.takeIncoming()
	for r := range s.live {
		s.finishRequest(r, FinishCancelled, ErrClosed)
	}
}

type planned struct {
	seq    *seq
	n      int
	sample bool
	// logits of the planned rows start at this index of LogitRows; all
	// rows have them when allRows (prompt logprobs), else only the last,
	// and only when sample.
	firstLogit int
	allRows    bool
}

// promptLogitRows caps the rows of a chunk whose every row needs logits
// (prompt logprobs): rows x vocabulary floats come back from the model.
const promptLogitRows = 256

// step plans and runs one batch; false when there was nothing to run.
func (s *scheduler) step() bool {
	plan := s.plan()
	if len(plan) == 0 {
		return false
	}
	e := s.e
	b := &model.Batch{Cache: e.cache}
	for i := range plan {
		p := &plan[i]
		sq := p.seq
		first := len(b.Tokens)
		for j := 0; j < p.n; j++ {
			b.Tokens = append(b.Tokens, sq.tokens[sq.computed+j])
			b.Positions = append(b.Positions, int32(sq.computed+j))
		}
		b.Seqs = append(b.Seqs, model.Seq{FirstRow: first, NumRows: p.n, Blocks: sq.table.Blocks})
		p.sample = sq.computed+p.n == len(sq.tokens)
		p.firstLogit = len(b.LogitRows)
		switch {
		case sq.collectingPromptLPs():
			p.allRows = true
			for r := first; r < first+p.n; r++ {
				b.LogitRows = append(b.LogitRows, r)
			}
		case p.sample:
			b.LogitRows = append(b.LogitRows, len(b.Tokens)-1)
		}
	}
	s.steps++
	logits, err := s.forward(e.stepCtx, b)
	if err != nil {
		reason := FinishError
		if e.stepCtx.Err() != nil {
			reason, err = FinishCancelled, ErrClosed
		}
		for _, p := range plan {
			s.finishRequest(p.seq.req, reason, err)
		}
		return true
	}
	for _, p := range plan {
		sq := p.seq
		sq.planN = 0
		if sq.state != stateRunning {
			continue
		}
		if p.allRows {
			s.collectPromptLPs(sq, logits, p.firstLogit, p.n)
		}
		if sq.computed < sq.promptLen {
			s.promptTokens += int64(min(sq.computed+p.n, sq.promptLen) - sq.computed)
		}
		sq.computed += p.n
		s.register(sq)
		if sq.computed >= sq.promptLen {
			sq.prefilled = true
		}
		if sq.wantPromptLPs && !sq.promptLPsSent && !sq.collectingPromptLPs() {
			sq.promptLPsSent = true
			sq.req.out.push(Event{Index: sq.index, PromptLogprobs: append([]Logprob{}, sq.promptLPs...)})
		}
		if p.sample && sq.req.params.PromptOnly {
			s.finishSeq(sq, Event{Index: sq.index, FinishReason: FinishLength})
			continue
		}
		if p.sample {
			lr := p.firstLogit
			if p.allRows {
				lr += p.n - 1
			}
			s.next(sq, logits.Row(lr))
		}
	}
	return true
}

// plan picks this step's rows: one for every decoding sequence first, then
// prefill chunks of running sequences, then newly admitted ones, all under
// the token budget, growing block tables (and preempting the newest
// sequences when blocks run out).
func (s *scheduler) plan() []planned {
	opts := &s.e.opts
	budget := opts.MaxBatchTokens
	var plan []planned
	add := func(sq *seq, n int) {
		sq.planN = n
		budget -= n
		plan = append(plan, planned{seq: sq, n: n})
	}
	unplan := func(sq *seq) {
		if sq.planN == 0 {
			return
		}
		budget += sq.planN
		sq.planN = 0
		plan = slices.DeleteFunc(plan, func(p planned) bool { return p.seq == sq })
	}
	for pass := 0; pass < 2; pass++ {
		decode := pass == 0
		for _, sq := range slices.Clone(s.running) {
			rem := len(sq.tokens) - sq.computed
			if budget == 0 || sq.state != stateRunning || sq.planN > 0 || (rem == 1) != decode {
				continue
			}
			n := min(rem, budget)
			if sq.collectingPromptLPs() {
				n = min(n, promptLogitRows)
			}
			if s.reserve(sq, sq.computed+n, unplan) {
				add(sq, n)
			}
		}
	}
	for budget > 0 && len(s.running) < opts.MaxSeqs {
		i := slices.IndexFunc(s.waiting, (*seq).ready)
		if i < 0 {
			break
		}
		sq := s.waiting[i]
		if n, ok := s.admit(sq, budget); ok {
			add(sq, n)
		} else {
			break // first come, first served: nobody overtakes a waiting sequence
		}
	}
	return plan
}

// reserve grows sq's table to cover positions, preempting the newest
// running sequences for room. It reports false when sq itself had to go:
// preempted, or finished because even alone it does not fit the pool.
func (s *scheduler) reserve(sq *seq, positions int, unplan func(*seq)) bool {
	for !s.grow(sq, positions) {
		victim := s.running[len(s.running)-1]
		if victim == sq {
			if len(s.running) == 1 {
				s.finishSeq(sq, Event{Index: sq.index, FinishReason: FinishLength, Text: s.flushText(sq)})
			} else {
				s.preempt(sq)
			}
			return false
		}
		unplan(victim)
		s.preempt(victim)
	}
	return true
}

// grow allocates blocks until the table covers positions.
func (s *scheduler) grow(sq *seq, positions int) bool {
	need := (positions + s.blockSz - 1) / s.blockSz
	for len(sq.table.Blocks) < need {
		id, err := s.e.blocks.Allocate()
		if err != nil {
			return false
		}
		sq.table.Blocks = append(sq.table.Blocks, id)
	}
	return true
}

// admit moves a waiting sequence to running if the pool has room for its
// first chunk (keeping a small reserve for the running ones to grow),
// reusing cached prefix blocks. It returns the chunk's size.
func (s *scheduler) admit(sq *seq, budget int) (int, bool) {
	blocks := s.e.blocks
	if len(sq.table.Blocks) == 0 && !sq.collectingPromptLPs() {
		hits := blocks.Lookup(sq.tokens, (len(sq.tokens)-1)/s.blockSz)
		sq.table.Blocks = append(sq.table.Blocks, hits...)
		sq.computed = len(hits) * s.blockSz
	}
	n := min(len(sq.tokens)-sq.computed, budget)
	if sq.collectingPromptLPs() {
		n = min(n, promptLogitRows)
	}
	need := (sq.computed+n+s.blockSz-1)/s.blockSz - len(sq.table.Blocks)
	reserve := 0
	if len(s.running) > 0 {
		reserve = max(1, s.numBlock/100)
	}
	if need+reserve > blocks.NumAvailable() || !s.grow(sq, sq.computed+n) {
		s.release(sq)
		return 0, false
	}
	if !sq.admitted {
		sq.admitted = true
		sq.cached = min(sq.computed, sq.promptLen)
		if sq.index == 0 {
			sq.req.usage.CachedTokens = sq.cached
		}
	}
	s.waiting = remove(s.waiting, sq)
	s.running = insertByOrder(s.running, sq)
	sq.state = stateRunning
	return n, true
}

// release gives a sequence's blocks back (tail first, see PrefixCache).
func (s *scheduler) release(sq *seq) {
	_ = s.e.blocks.ReleaseTable(&sq.table)
	sq.computed = 0
	sq.hashes = sq.hashes[:0]
}

// preempt sends a running sequence back to waiting; it will recompute
// its prompt and output so far when readmitted.
func (s *scheduler) preempt(sq *seq) {
	s.release(sq)
	s.running = remove(s.running, sq)
	s.waiting = insertByOrder(s.waiting, sq)
	sq.state = stateWaiting
	s.preemptions++
}

// register offers the sequence's newly computed full blocks to the prefix
// cache.
func (s *scheduler) register(sq *seq) {
	bs := s.blockSz
	for i := len(sq.hashes); (i+1)*bs <= sq.computed; i++ {
		parent := uint64(0)
		if i > 0 {
			parent = sq.hashes[i-1]
		}
		sq.hashes = append(sq.hashes, s.e.blocks.Insert(sq.table.Blocks[i], parent, sq.tokens[i*bs:(i+1)*bs]))
	}
}
