package qwen3moe

import (
	"context"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// expertTraffic loads a 64-expert, 8-active model (as safetensors F32 or
// as GGUF Q8_0) and returns, for one decode token after a 12-token prompt
// and for one step decoding 16 sequences at once, the expert weight bytes
// read per token over the expert bytes of the whole model.
func expertTraffic(t testing.TB, typ quant.Type) (single, batch16 float64) {
	dir := writeSyntheticMoE(t, 64, 8, 2)
	path := dir
	if typ != quant.F32 {
		path = toGGUF(t, dir, typ)
	}
	be := cpu.New(2)
	defer be.Close()
	mm, err := model.Load(path, be, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m := mm.(*Model)
	total := float64(m.ExpertBytes())
	cache, err := model.NewCache(be, m.Config(), 64, 16)
	if err != nil {
		t.Fatal(err)
	}
	seqs := make([]kvcache.BlockTable, 16)
	step := func(tokens [][]int32, start int) {
		b := &model.Batch{Cache: cache}
		for i, toks := range tokens {
			if err := seqs[i].Reserve(cache.Alloc, start+len(toks)); err != nil {
				t.Fatal(err)
			}
			first := len(b.Tokens)
			for j, tok := range toks {
				b.Tokens = append(b.Tokens, tok)
				b.Positions = append(b.Positions, int32(start+j))
			}
			b.Seqs = append(b.Seqs, model.Seq{FirstRow: first, NumRows: len(toks), Blocks: seqs[i].Blocks})
			b.LogitRows = append(b.LogitRows, len(b.Tokens)-1)
		}
		if _, err := m.Forward(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	prompts := make([][]int32, 16)
	for i := range prompts {
		for j := 0; j < 12; j++ {
			prompts[i] = append(prompts[i], int32((i*7+j*3)%64))
		}
	}
	step(prompts, 0)
	measure := func(n int) float64 {
		before := m.Stats().ExpertBytesRead.Load()
		toks := make([][]int32, n)
		for i := range toks {
			toks[i] = []int32{int32(i * 5 % 64)}
		}
		step(toks, 12)
		return float64(m.Stats().ExpertBytesRead.Load()-before) / float64(n) / total
	}
	return measure(1), measure(16)
}

// TestExpertTraffic: a decode token reads exactly its 8 of 64 experts per
// layer - 1/8 of the expert weights - and a batch of 16 decode tokens shares
// expert reads, so it reads less per token still.
func TestExpertTraffic(t *testing.T) {
	for _, typ := range []quant.Type{quant.F32, quant.Q8_0} {
		single, batch := expertTraffic(t, typ)
		t.Logf("%v: expert bytes read per decode token / all expert bytes: 1 sequence %.4f, 16 sequences %.4f (active share 8/64 = 0.125)", typ, single, batch)
		if single != 0.125 {
			t.Errorf("%v: one decode token read %.4f of the expert weights, want exactly 8/64", typ, single)
		}
		if batch > single {
			t.Errorf("%v: batched decode read more per token (%.4f) than one sequence (%.4f)", typ, batch, single)
		}
	}
}

// BenchmarkDecodeExpertTraffic reports the share of expert weight bytes a
// decode token reads (64 experts, 8 active).
func BenchmarkDecodeExpertTraffic(b *testing.B) {
	var single, batch float64
	for i := 0; i < b.N; i++ {
		single, batch = expertTraffic(b, quant.F32)
	}
	b.ReportMetric(single, "expert-share/token")
	b.ReportMetric(batch, "expert-share/token@16seqs")
}
