package cpu_test

import (
	"context"
	"os"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	_ "github.com/ferrum-go/ferrum/model/llama"
	_ "github.com/ferrum-go/ferrum/model/qwen3moe"
)

// BenchmarkDecodeStep times one decode step (one token, one sequence,
// logits of that token) of the model in FERRUM_BENCH_MODEL on 2 threads,
// with the context filled to 64 positions and reset every 256 steps;
// allocs/op is what the forward pass allocates per step. Without the
// variable it is skipped. FERRUM_BENCH_PROMPT=N times an N-token prefill
// instead, FERRUM_BENCH_TG=N N decode steps from an empty context
// (llama-bench's ppN and tgN, for architectures `ferrum bench` does not
// load).
func BenchmarkDecodeStep(b *testing.B) {
	path := os.Getenv("FERRUM_BENCH_MODEL")
	if path == "" {
		b.Skip("set FERRUM_BENCH_MODEL=<gguf> to time a model's decode step")
	}
	be := cpu.New(2)
	defer be.Close()
	m, err := model.Load(path, be, model.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	cfg := m.Config()
	const ctxLen = 1024
	bs := kvcache.DefaultBlockSize
	cache, err := model.NewCache(be, cfg, ctxLen/bs, bs)
	if err != nil {
		b.Fatal(err)
	}
	var table kvcache.BlockTable
	if err := table.Reserve(cache.Alloc, ctxLen); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	prompt := 0
	if s := os.Getenv("FERRUM_BENCH_PROMPT"); s != "" {
		for _, c := range s {
			prompt = prompt*10 + int(c-'0')
		}
	}
	if prompt > 0 {
		batch := &model.Batch{Cache: cache, Seqs: []model.Seq{{NumRows: prompt, Blocks: table.Blocks}}, LogitRows: []int{prompt - 1}}
		for i := 0; i < prompt; i++ {
			batch.Tokens = append(batch.Tokens, int32(i*7919%cfg.VocabSize))
			batch.Positions = append(batch.Positions, int32(i))
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := m.Forward(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(prompt)*float64(b.N)/b.Elapsed().Seconds(), "tok/s")
		return
	}
	if s := os.Getenv("FERRUM_BENCH_TG"); s != "" {
		// llama-bench's tgN: N single-token steps from an empty context.
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		batch := &model.Batch{Cache: cache, Tokens: []int32{1}, Positions: []int32{0},
			Seqs: []model.Seq{{NumRows: 1, Blocks: table.Blocks}}, LogitRows: []int{0}}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for p := 0; p < n; p++ {
				batch.Tokens[0] = int32((p*7919 + 1) % cfg.VocabSize)
				batch.Positions[0] = int32(p)
				if _, err := m.Forward(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tok/s")
		return
	}
	batch := &model.Batch{Cache: cache, Tokens: []int32{1}, Positions: []int32{0},
		Seqs: []model.Seq{{NumRows: 1, Blocks: table.Blocks}}, LogitRows: []int{0}}
	pos := int32(0)
	step := func() {
		batch.Tokens[0] = (batch.Tokens[0]*7919 + 1) % int32(cfg.VocabSize)
		batch.Positions[0] = pos
		if _, err := m.Forward(ctx, batch); err != nil {
			b.Fatal(err)
		}
		pos++
		if pos == 64+256 {
			pos = 64
		}
	}
	for pos < 64 {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}
