package engine

import (
	"context"
	"slices"
	"time"

	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/sample"
	"github.com/ferrum-go/ferrum/tokenizer"
)

// request is a submitted Request as the scheduler sees it: one sequence
// per choice and the outbox their events go to.
type request struct {
	ctx       context.Context
	id        uint64
	prompt    []int32
	params    SamplingParams
	seqs      []*seq
	out       *outbox
	live      int // choices not finished
	usage     Usage
	submitted time.Time
	started   bool // first token generated
}

func newRequest(ctx context.Context, prompt []int32, p SamplingParams) *request {
	return &request{ctx: ctx, prompt: prompt, params: p, out: newOutbox(), submitted: time.Now()}
}

type seqState int

const (
	stateWaiting seqState = iota
	stateRunning
	stateDone
)

// seq is one choice of a request: its tokens (prompt then output), how
// many of them have their keys and values in the cache, and its blocks.
type seq struct {
	req   *request
	index int
	order uint64 // arrival order; preemption takes the largest
	state seqState

	tokens    []int32
	promptLen int
	computed  int
	table     kvcache.BlockTable
	hashes    []uint64 // chain hashes of the leading full blocks, once registered

	sampler *sample.Sampler
	detok   *tokenizer.StreamDecoder
	held    []int // ids fed to detok since it last produced text
	shown   []int // the few ids before held, for decoding them in context
	stops   *sample.StopStrings

	// leader is choice 0 of the same request; the other choices wait for
	// it to finish its prompt so they find its blocks in the prefix cache.
	leader    *seq
	prefilled bool
	cached    int  // prompt tokens found in the prefix cache at first admission
	admitted  bool // admitted at least once
	planN     int  // rows planned in the current step

	// With SamplingParams.PromptLogprobs (choice 0 only): the prompt
	// tokens' logprobs collected so far, and whether they were sent.
	wantPromptLPs bool
	promptLPs     []Logprob
	promptLPsSent bool
}

// collectingPromptLPs reports whether the sequence still needs logits of
// every prompt row it computes.
func (s *seq) collectingPromptLPs() bool {
	return s.wantPromptLPs && len(s.promptLPs) < s.promptLen-1
}

func (s *seq) generated() int { return len(s.tokens) - s.promptLen }

// ready reports whether the sequence may be admitted now.
func (s *seq) ready() bool {
	return s.leader == nil || s.leader.prefilled || s.leader.state == stateDone
}

// insertByOrder keeps a queue sorted by arrival.
func insertByOrder(q []*seq, s *seq) []*seq {
	i, _ := slices.BinarySearchFunc(q, s.order, func(x *seq, o uint64) int {
		switch {
		case x.order < o:
			return -1
		case x.order > o:
			return 1
		}
		return 0
	})
	return slices.Insert(q, i, s)
}

func remove(q []*seq, s *seq) []*seq {
	if i := slices.Index(q, s); i >= 0 {
		return slices.Delete(q, i, i+1)
	}
	return q
}
