package engine

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/sample"
)

// What happens to a sequence's logits: sampling, logprobs, text, stop
// checks, and the end of a choice.

// collectPromptLPs records the logprob of the prompt token after each of
// the n rows whose logits start at logits row first. Rows recomputed after
// a preemption are skipped.
func (s *scheduler) collectPromptLPs(sq *seq, logits *model.Logits, first, n int) {
	top := sq.req.params.TopLogprobs
	for j := 0; j < n; j++ {
		pos := sq.computed + j
		if pos != len(sq.promptLPs) || pos+1 >= sq.promptLen {
			continue
		}
		tok := sq.tokens[pos+1]
		lp, alts := sample.Logprobs(logits.Row(first+j), tok, top)
		sq.promptLPs = append(sq.promptLPs, Logprob{Token: tok, Logprob: lp, Top: alts})
	}
}

// next samples a sequence's next token from its logits and streams it.
func (s *scheduler) next(sq *seq, logits []float32) {
	r := sq.req
	p := &r.params
	var suppress []int
	if sq.generated() < p.MinTokens {
		for id := range s.eos {
			suppress = append(suppress, int(id))
		}
		suppress = append(suppress, p.StopTokenIDs...)
	}
	tok := sq.sampler.Sample(logits, suppress)
	sq.sampler.Accept(tok)
	sq.tokens = append(sq.tokens, tok)
	s.genTokens++
	r.usage.CompletionTokens++
	if !r.started {
		r.started = true
		r.usage.TimeToFirstToken = time.Since(r.submitted)
	}
	ev := Event{Index: sq.index, Tokens: []int32{tok}}
	if p.Logprobs || p.TopLogprobs > 0 {
		lp, top := sample.Logprobs(logits, tok, p.TopLogprobs)
		ev.Logprobs = []Logprob{{Token: tok, Logprob: lp, Top: top}}
	}
	switch {
	case !p.IgnoreEOS && s.eos[tok]:
		ev.FinishReason = FinishStop
		ev.Text = s.flushText(sq)
	case slices.Contains(p.StopTokenIDs, int(tok)):
		ev.FinishReason, ev.StopReason = FinishStop, strconv.Itoa(int(tok))
		ev.Text = s.flushText(sq)
	default:
		text := s.decode(sq, int(tok))
		out, stopped := sq.stops.Push(text)
		ev.Text = out
		switch {
		case stopped:
			ev.FinishReason, ev.StopReason = FinishStop, sq.stops.Matched()
		case sq.generated() >= p.MaxTokens || len(sq.tokens) >= s.e.opts.MaxModelLen:
			ev.FinishReason = FinishLength
			ev.Text += s.flushText(sq)
		}
	}
	if ev.FinishReason != "" {
		s.finishSeq(sq, ev)
		return
	}
	r.out.push(ev)
}

// decode feeds one id to the streaming decoder, remembering the ids it
// holds back (an unfinished character) so flushText can still show them.
func (s *scheduler) decode(sq *seq, id int) string {
	text := sq.detok.Add(id)
	sq.held = append(sq.held, id)
	if text != "" {
		sq.shown = append(sq.shown, sq.held...)
		if n := len(sq.shown); n > 4 {
			sq.shown = append(sq.shown[:0], sq.shown[n-4:]...)
		}
		sq.held = sq.held[:0]
	}
	return text
}

// flushText returns the text still held back when a sequence ends: the
// streaming decoder's unfinished character (as U+FFFD, like a full
// decode) and what the stop matcher kept.
func (s *scheduler) flushText(sq *seq) string {
	var tail string
	if len(sq.held) > 0 {
		skip := !sq.req.params.KeepSpecialTokens
		before := s.e.tok.Decode(sq.shown, skip)
		all := s.e.tok.Decode(append(slices.Clone(sq.shown), sq.held...), skip)
		if strings.HasPrefix(all, before) {
			tail = all[len(before):]
		} else {
			tail = s.e.tok.Decode(sq.held, skip)
		}
		tail = strings.ToValidUTF8(tail, "\uFFFD")
		sq.held = sq.held[:0]
	}
	text, stopped := sq.stops.Push(tail)
	if stopped {
		return text
	}
	return text + sq.stops.Flush()
}

// finishSeq ends one choice with ev (which carries the finish reason),
// releasing its blocks; the request's last choice also closes its stream.
func (s *scheduler) finishSeq(sq *seq, ev Event) {
	if sq.state == stateDone {
		return
	}
	s.release(sq)
	if sq.state == stateRunning {
		s.running = remove(s.running, sq)
	} else {
		s.waiting = remove(s.waiting, sq)
	}
	sq.state = stateDone
	sq.planN = 0
	s.choicesEnded[ev.FinishReason]++
	r := sq.req
	r.live--
	if r.live == 0 {
		r.usage.PromptTokens = len(r.prompt)
		r.usage.Duration = time.Since(r.submitted)
		u := r.usage
		ev.Usage = &u
		delete(s.live, r)
		s.finished++
	}
	r.out.push(ev)
	if r.live == 0 {
		r.out.close()
	}
}

// finishRequest ends every unfinished choice of r.
func (s *scheduler) finishRequest(r *request, reason FinishReason, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		reason = FinishCancelled
	}
	for _, sq := range r.seqs {
		if sq.state != stateDone {
			s.finishSeq(sq, Event{Index: sq.index, FinishReason: reason, Err: err})
		}
	}
}
