package llama

import (
	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/nn"
)

// step is what every layer of one Forward shares: the backend its
// activations come from, where rows go in the cache and which sequence each
// belongs to. Forward takes its steps from a sync.Pool, so a decode loop
// reuses their buffers and arena and allocates nothing; one step serves one
// Forward at a time, so concurrent Forward calls never share one.
type step struct {
	be      compute.Backend // an *nn.Arena for Forward, the plain backend for Hidden
	arena   *nn.Arena
	batch   *model.Batch
	slots   []int32
	seqs    []compute.AttentionSeq
	seqLens []int32 // per row: its sequence's length after this step
	ids     []int32 // the logit rows, for the gather before the LM head
	attn    compute.AttentionParams
}

// reset points st at batch b, reusing st's buffers.
func (st *step) reset(b *model.Batch) {
	if st.arena != nil {
		st.arena.Reset()
	}
	st.batch = b
	st.slots = b.SlotsInto(st.slots)
	st.seqLens = resize(st.seqLens, len(b.Tokens))
	st.seqs = st.seqs[:0]
	for _, s := range b.Seqs {
		st.seqs = append(st.seqs, compute.AttentionSeq{FirstRow: s.FirstRow, NumRows: s.NumRows, BlockTable: s.Blocks})
		var last int32
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			last = max(last, b.Positions[r]+1)
		}
		for r := s.FirstRow; r < s.FirstRow+s.NumRows; r++ {
			st.seqLens[r] = last
		}
	}
	st.ids = resize(st.ids, len(b.LogitRows))
	for i, r := range b.LogitRows {
		st.ids[i] = int32(r)
	}
}

// done drops the references to the caller's batch before st goes back to
// the pool.
func (st *step) done() {
	st.batch = nil
	clear(st.seqs)
	st.attn = compute.AttentionParams{}
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
