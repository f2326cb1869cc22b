package llama

import (
	"context"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model"
)

// decodeStep is one sequence decoding in a KV cache a prompt has already
// filled: every call runs one token at the next position of a small
// window (positions are reused so that any number of steps fits the cache).
type decodeStep struct {
	m     *Model
	batch model.Batch
	out   model.Logits
	pos   int32
}

func newDecodeStep(tb testing.TB) *decodeStep {
	tb.Helper()
	be := cpu.New(2)
	tb.Cleanup(func() { be.Close() })
	mm, err := model.Load(writeSynthetic(tb, nil), be, model.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { mm.Close() })
	cache, err := model.NewCache(be, mm.Config(), 4, 16)
	if err != nil {
		tb.Fatal(err)
	}
	const prompt = 16
	b := model.Batch{Cache: cache, Seqs: []model.Seq{{FirstRow: 0, NumRows: prompt, Blocks: []int32{0, 1, 2, 3}}}, LogitRows: []int{prompt - 1}}
	for i := range prompt {
		b.Tokens = append(b.Tokens, int32(i%mm.Config().VocabSize))
		b.Positions = append(b.Positions, int32(i))
	}
	if _, err := mm.Forward(context.Background(), &b); err != nil {
		tb.Fatal(err)
	}
	d := &decodeStep{m: mm.(*Model), pos: prompt}
	d.batch = model.Batch{Cache: cache, Tokens: []int32{3}, Positions: []int32{prompt},
		Seqs: []model.Seq{{FirstRow: 0, NumRows: 1, Blocks: []int32{0, 1, 2, 3}}}, LogitRows: []int{0}}
	return d
}

func (d *decodeStep) run(tb testing.TB) {
	d.batch.Positions[0] = d.pos
	d.pos++
	if d.pos == 64 {
		d.pos = 16
	}
	if err := d.m.ForwardInto(context.Background(), &d.batch, &d.out); err != nil {
		tb.Fatal(err)
	}
}

// TestDecodeStepAllocs: once warm, a decode step allocates nothing; the
// activations come from a reused arena and the logits go into the caller's
// buffer.
func TestDecodeStepAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items on purpose")
	}
	d := newDecodeStep(t)
	d.run(t)
	if n := testing.AllocsPerRun(50, func() { d.run(t) }); n != 0 {
		t.Errorf("decode step allocates %v times, want 0", n)
	}
}

func BenchmarkDecodeStep(b *testing.B) {
	d := newDecodeStep(b)
	d.run(b)
	b.ReportAllocs()
	for b.Loop() {
		d.run(b)
	}
}
