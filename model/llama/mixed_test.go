package llama

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
)

// TestMixedPrefillDecode generates for three sequences at once, each
// arriving at a different step, so most forwards mix one sequence's prompt
// (whole or chunked) with others' decode steps; every sequence must produce
// what it produces alone with model.Greedy.
func TestMixedPrefillDecode(t *testing.T) {
	be := cpu.New(2)
	defer be.Close()
	dir := fixtureOr(t, "llama3")
	m, err := model.Load(dir, be, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	prompts := [][]int32{{1, 5, 9, 20, 31, 7, 4}, {3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43}, {42}}
	arrive := []int{0, 2, 3}
	const newTokens, chunk = 8, 5

	want := make([][]int32, len(prompts))
	for i, p := range prompts {
		cache, _ := model.NewCache(be, m.Config(), 32, 4)
		want[i], _, err = model.Greedy(context.Background(), m, cache, p, newTokens, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
	}

	cache, err := model.NewCache(be, m.Config(), 64, 4)
	if err != nil {
		t.Fatal(err)
	}
	type seq struct {
		tokens []int32 // prompt then generated
		done   int     // tokens whose KV is in the cache
		table  kvcache.BlockTable
		out    []int32
	}
	seqs := make([]*seq, len(prompts))
	for step := 0; ; step++ {
		b := &model.Batch{Cache: cache}
		var active []int
		for i := range prompts {
			if step == arrive[i] {
				seqs[i] = &seq{tokens: append([]int32(nil), prompts[i]...)}
			}
			s := seqs[i]
			if s == nil || len(s.out) == newTokens {
				continue
			}
			n := min(len(s.tokens)-s.done, chunk)
			if err := s.table.Reserve(cache.Alloc, s.done+n); err != nil {
				t.Fatal(err)
			}
			first := len(b.Tokens)
			for j := 0; j < n; j++ {
				b.Tokens = append(b.Tokens, s.tokens[s.done+j])
				b.Positions = append(b.Positions, int32(s.done+j))
			}
			b.Seqs = append(b.Seqs, model.Seq{FirstRow: first, NumRows: n, Blocks: s.table.Blocks})
			b.LogitRows = append(b.LogitRows, first+n-1)
			active = append(active, i)
		}
		if len(b.Tokens) == 0 {
			if step > arrive[len(arrive)-1] {
				break
			}
			continue
		}
		lg, err := m.Forward(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		for k, i := range active {
			s := seqs[i]
			s.done += b.Seqs[k].NumRows
			if s.done == len(s.tokens) { // the prompt is in: this row predicts
				next := int32(model.Argmax(lg.Row(k)))
				s.out = append(s.out, next)
				s.tokens = append(s.tokens, next)
			}
		}
	}
	for i := range prompts {
		for j := range want[i] {
			if j >= len(seqs[i].out) || seqs[i].out[j] != want[i][j] {
				t.Fatalf("sequence %d: batched %v, alone %v", i, seqs[i].out, want[i])
			}
		}
	}
}

// fixtureOr returns a fixture folder, or a synthetic model when the
// fixtures are absent.
func fixtureOr(t *testing.T, name string) string {
	dir := fixturesDir + "/" + name
	if exists(dir + "/config.json") {
		return dir
	}
	return writeSynthetic(t, nil)
}

// TestConcurrentForwardAndCancel: one Model serves concurrent forwards on
// separate caches (it holds no request state), and a cancelled context
// stops a forward with the context's error.
func TestConcurrentForwardAndCancel(t *testing.T) {
	be := cpu.New(2)
	defer be.Close()
	m, err := model.Load(fixtureOr(t, "qwen3"), be, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	prompt := []int32{5, 6, 7, 8, 9, 10, 11}
	cache, _ := model.NewCache(be, m.Config(), 8, 16)
	want, _, err := model.Greedy(context.Background(), m, cache, prompt, 6, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			cache, _ := model.NewCache(be, m.Config(), 8, 16)
			got, _, err := model.Greedy(context.Background(), m, cache, prompt, 6, 2, nil)
			if err == nil && !slices.Equal(got, want) {
				err = fmt.Errorf("concurrent greedy %v, alone %v", got, want)
			}
			errs <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := model.Greedy(ctx, m, cache, prompt, 2, 0, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled forward: %v", err)
	}
	if cache.Alloc.NumFree() != cache.Alloc.NumBlocks() {
		t.Errorf("%d of %d blocks still held after Greedy returned", cache.Alloc.NumBlocks()-cache.Alloc.NumFree(), cache.Alloc.NumBlocks())
	}
}
