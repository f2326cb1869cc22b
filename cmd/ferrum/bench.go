package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/hub"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

func init() { subcommands = append(subcommands, newBenchCmd) }

type benchOptions struct {
	models  []string
	prompts []int
	gens    []int
	threads []int
	reps    int
	batch   int
	json    bool

	concurrency, requests, inputLen, outputLen int
	kvTokens                                   int
	tokenizer                                  string
	kvType                                     string
}

func newBenchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench [MODEL...] [--model MODEL]...",
		Short: "Measure prompt and generation speed (llama-bench style) or serving throughput",
		Long: `Without --concurrency, runs llama-bench style tests in process: for every -p value a
prompt of that many tokens is processed in one go (ppN), for every -n value that many tokens are
generated one at a time (tgN), each -r times after a warm-up, reporting tokens/s as mean ± standard
deviation. With --concurrency, serves --requests requests of --input-len random tokens generating
--output-len tokens each through the engine, at most --concurrency at a time, and reports output
tokens/s, time to first token and time per output token.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.models = append(o.models, args...) // models may be positional too, as for run and serve
			if len(o.models) == 0 {
				return errors.New("bench: MODEL is required (a .gguf file, a Hugging Face folder, a repo id or an alias; positional or --model)")
			}
			if o.reps < 1 {
				return fmt.Errorf("bench: -r must be at least 1, got %d", o.reps)
			}
			for i, m := range o.models {
				p, err := hub.Resolve(cmd.Context(), m, hub.ResolveOptions{})
				if err != nil {
					return err
				}
				o.models[i] = p
			}
			if o.concurrency > 0 {
				return benchServing(cmd.Context(), cmd.OutOrStdout(), &o)
			}
			return benchSpeed(cmd.Context(), cmd.OutOrStdout(), &o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&o.models, "model", "m", nil, "model path (repeatable)")
	fl.IntSliceVarP(&o.prompts, "n-prompt", "p", []int{512}, "prompt lengths to test (comma-separated; 0 skips)")
	fl.IntSliceVarP(&o.gens, "n-gen", "n", []int{128}, "generation lengths to test (comma-separated; 0 skips)")
	fl.IntSliceVarP(&o.threads, "threads", "t", []int{0}, "CPU thread counts to test (comma-separated; 0: all cores)")
	fl.IntVarP(&o.reps, "repetitions", "r", 5, "repetitions of each test")
	fl.IntVarP(&o.batch, "batch-size", "b", 2048, "prompt tokens per forward pass (and the engine's MaxBatchTokens)")
	fl.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	fl.IntVar(&o.concurrency, "concurrency", 0, "serving mode: requests in flight at once")
	fl.IntVar(&o.requests, "requests", 32, "serving mode: number of requests")
	fl.IntVar(&o.inputLen, "input-len", 512, "serving mode: prompt tokens per request")
	fl.IntVar(&o.outputLen, "output-len", 128, "serving mode: generated tokens per request")
	fl.IntVar(&o.kvTokens, "kv-cache-tokens", 0, "serving mode: KV cache size in tokens (0: sized from free memory)")
	fl.StringVar(&o.kvType, "kv-cache-type", "f16", "KV cache element type: f16 or f32")
	fl.StringVar(&o.tokenizer, "tokenizer", "", "serving mode: load the tokenizer from this folder or file (for a GGUF without one)")
	return cmd
}

// speedResult is one llama-bench style test; the JSON field names follow
// llama-bench's -o json.
type speedResult struct {
	Model      string    `json:"model_filename"`
	ModelType  string    `json:"model_type"`
	ModelSize  int64     `json:"model_size"`
	Params     int64     `json:"model_n_params"`
	Backend    string    `json:"backends"`
	Threads    int       `json:"n_threads"`
	NPrompt    int       `json:"n_prompt"`
	NGen       int       `json:"n_gen"`
	AvgNs      int64     `json:"avg_ns"`
	StddevNs   int64     `json:"stddev_ns"`
	AvgTs      float64   `json:"avg_ts"`
	StddevTs   float64   `json:"stddev_ts"`
	SamplesNs  []int64   `json:"samples_ns"`
	SamplesTs  []float64 `json:"samples_ts"`
	Test       string    `json:"-"`
	ThreadsArg int       `json:"-"`
}

func benchSpeed(ctx context.Context, w io.Writer, o *benchOptions) error {
	var tests [][2]int
	for _, p := range o.prompts {
		if p > 0 {
			tests = append(tests, [2]int{p, 0})
		}
	}
	for _, n := range o.gens {
		if n > 0 {
			tests = append(tests, [2]int{0, n})
		}
	}
	if len(tests) == 0 {
		return errors.New("bench: no test (every -p and -n is 0)")
	}
	var results []speedResult
	table := newSpeedTable(w)
	for _, path := range o.models {
		desc, size, params := describeModel(path)
		for _, threads := range o.threads {
			be := cpu.New(threads)
			m, err := model.Load(path, be, model.Options{})
			if err != nil {
				be.Close()
				return err
			}
			for _, t := range tests {
				r := speedResult{Model: path, ModelType: desc, ModelSize: size, Params: params, Backend: "CPU", Threads: be.Threads(), NPrompt: t[0], NGen: t[1]}
				if t[0] > 0 {
					r.Test = fmt.Sprintf("pp%d", t[0])
				} else {
					r.Test = fmt.Sprintf("tg%d", t[1])
				}
				if err := runSpeedTest(ctx, m, be, &r, o.reps, o.batch, o.kvType); err != nil {
					m.Close()
					be.Close()
					return fmt.Errorf("bench %s %s: %w", path, r.Test, err)
				}
				results = append(results, r)
				if !o.json {
					table.row(&r)
				}
			}
			m.Close()
			be.Close()
		}
	}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	return nil
}

// runSpeedTest times r.NPrompt prompt tokens in batches of batch rows, or
// r.NGen single-token decode steps, on random tokens in a fresh context.
func runSpeedTest(ctx context.Context, m model.Model, be *cpu.Backend, r *speedResult, reps, batch int, kvType string) error {
	cfg := m.Config()
	total := r.NPrompt + r.NGen
	const bs = kvcache.DefaultBlockSize
	kvt := quant.F16
	switch kvType {
	case "f16", "":
	case "f32":
		kvt = quant.F32
	default:
		return fmt.Errorf("--kv-cache-type %q is not one of f16, f32", kvType)
	}
	cache, err := model.NewCacheOf(be, cfg, (total+bs-1)/bs, bs, kvt)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	once := func() (time.Duration, error) {
		var table kvcache.BlockTable
		if err := table.Reserve(cache.Alloc, total); err != nil {
			return 0, err
		}
		defer table.Free(cache.Alloc)
		step := func(start, n int) error {
			b := &model.Batch{Cache: cache, Seqs: []model.Seq{{NumRows: n, Blocks: table.Blocks}}, LogitRows: []int{n - 1}}
			for i := 0; i < n; i++ {
				b.Tokens = append(b.Tokens, int32(rng.IntN(cfg.VocabSize)))
				b.Positions = append(b.Positions, int32(start+i))
			}
			_, err := m.Forward(ctx, b)
			return err
		}
		begin := time.Now()
		for pos := 0; pos < r.NPrompt; pos += batch {
			if err := step(pos, min(batch, r.NPrompt-pos)); err != nil {
				return 0, err
			}
		}
		for i := 0; i < r.NGen; i++ {
			if err := step(i, 1); err != nil {
				return 0, err
			}
		}
		return time.Since(begin), nil
	}
	if _, err := once(); err != nil { // warm-up
		return err
	}
	for i := 0; i < reps; i++ {
		d, err := once()
		if err != nil {
			return err
		}
		r.SamplesNs = append(r.SamplesNs, d.Nanoseconds())
		r.SamplesTs = append(r.SamplesTs, float64(total)/d.Seconds())
	}
	var ns []float64
	for _, v := range r.SamplesNs {
		ns = append(ns, float64(v))
	}
	avg, sd := meanStddev(ns)
	r.AvgNs, r.StddevNs = int64(avg), int64(sd)
	r.AvgTs, r.StddevTs = meanStddev(r.SamplesTs)
	return nil
}

func meanStddev(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

// describeModel names a model the way llama-bench does ("qwen3 0.6B
// BF16") with its weight bytes and parameter count.
func describeModel(path string) (string, int64, int64) {
	r, err := inspect(path)
	if err != nil {
		return filepath.Base(path), 0, 0
	}
	arch := r.ModelType
	if arch == "" {
		arch = r.Architecture
	}
	desc := arch + " " + benchCount(r.Parameters)
	if len(r.Types) > 0 {
		desc += " " + r.Types[0].Type
	}
	return desc, r.TensorBytes, r.Parameters
}

func benchCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func benchBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f KiB", float64(n)/(1<<10))
}

type speedTable struct {
	w      io.Writer
	header bool
}

func newSpeedTable(w io.Writer) *speedTable { return &speedTable{w: w} }

func (t *speedTable) row(r *speedResult) {
	if !t.header {
		t.header = true
		fmt.Fprintf(t.w, "| %-30s | %10s | %10s | %-10s | %7s | %13s | %20s |\n", "model", "size", "params", "backend", "threads", "test", "t/s")
		fmt.Fprintf(t.w, "| %s | %s: | %s: | %s | %s: | %s: | %s: |\n", strings.Repeat("-", 30), strings.Repeat("-", 9), strings.Repeat("-", 9), strings.Repeat("-", 10), strings.Repeat("-", 6), strings.Repeat("-", 12), strings.Repeat("-", 19))
	}
	params := benchCount(r.Params)
	ts := fmt.Sprintf("%.2f ± %.2f", r.AvgTs, r.StddevTs)
	ts = strings.Repeat(" ", max(0, 20-utf8.RuneCountInString(ts))) + ts // %20s counts bytes
	fmt.Fprintf(t.w, "| %-30s | %10s | %10s | %-10s | %7d | %13s | %s |\n", r.ModelType, benchBytes(r.ModelSize), params, r.Backend, r.Threads, r.Test, ts)
}

// servingResult is what serving mode reports; times in milliseconds.
type servingResult struct {
	Model           string  `json:"model"`
	Threads         int     `json:"n_threads"`
	Requests        int     `json:"requests"`
	Concurrency     int     `json:"concurrency"`
	InputLen        int     `json:"input_len"`
	OutputLen       int     `json:"output_len"`
	DurationS       float64 `json:"duration_s"`
	InputTokens     int     `json:"input_tokens"`
	OutputTokens    int     `json:"output_tokens"`
	OutputTokPerS   float64 `json:"output_tokens_per_s"`
	TotalTokPerS    float64 `json:"total_tokens_per_s"`
	RequestsPerS    float64 `json:"requests_per_s"`
	TTFTMeanMs      float64 `json:"ttft_mean_ms"`
	TTFTP50Ms       float64 `json:"ttft_p50_ms"`
	TTFTP99Ms       float64 `json:"ttft_p99_ms"`
	TPOTMeanMs      float64 `json:"tpot_mean_ms"`
	TPOTP50Ms       float64 `json:"tpot_p50_ms"`
	TPOTP99Ms       float64 `json:"tpot_p99_ms"`
	Preemptions     int64   `json:"preemptions"`
	PrefixHitTokens int64   `json:"prefix_hit_tokens"`
	KVCacheTokens   int     `json:"kv_cache_tokens"`
}

func benchServing(ctx context.Context, w io.Writer, o *benchOptions) error {
	if o.requests < 1 || o.inputLen < 1 || o.outputLen < 1 {
		return fmt.Errorf("bench: --requests, --input-len and --output-len must be positive")
	}
	var all []servingResult
	for _, path := range o.models {
		for _, threads := range o.threads {
			r, err := serveOnce(ctx, path, threads, o)
			if err != nil {
				return err
			}
			all = append(all, *r)
			if !o.json {
				printServing(w, r)
			}
		}
	}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	return nil
}

func serveOnce(ctx context.Context, path string, threads int, o *benchOptions) (*servingResult, error) {
	be := cpu.New(threads) // made here to report its real worker count
	defer be.Close()
	threads = be.Threads()
	e, err := openGenerator(path, engine.Options{
		Backend: be, MaxSeqs: max(o.concurrency, 1), MaxBatchTokens: o.batch,
		MaxModelLen: o.inputLen + o.outputLen, KVCacheTokens: o.kvTokens, TokenizerPath: o.tokenizer, KVCacheType: o.kvType,
	})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	vocab := e.Config().VocabSize
	rng := rand.New(rand.NewPCG(3, 4))
	prompts := make([][]int32, o.requests)
	for i := range prompts {
		p := make([]int32, o.inputLen)
		for j := range p {
			p[j] = int32(rng.IntN(vocab))
		}
		prompts[i] = p
	}
	sampling := engine.SamplingParams{MaxTokens: o.outputLen, IgnoreEOS: true}
	// Warm up with one short request.
	if ch, err := e.Generate(ctx, engine.Request{PromptTokens: prompts[0][:min(8, len(prompts[0]))], Sampling: engine.SamplingParams{MaxTokens: 2}}); err == nil {
		for range ch {
		}
	}
	before := e.Stats()
	ttft := make([]float64, o.requests)
	tpot := make([]float64, 0, o.requests)
	var outTokens atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < o.concurrency; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= o.requests {
					return
				}
				submitted := time.Now()
				ch, err := e.Generate(ctx, engine.Request{PromptTokens: prompts[i], Sampling: sampling})
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				var first time.Time
				n := 0
				for ev := range ch {
					if len(ev.Tokens) > 0 && first.IsZero() {
						first = time.Now()
					}
					n += len(ev.Tokens)
					if ev.FinishReason == engine.FinishError || ev.FinishReason == engine.FinishCancelled {
						mu.Lock()
						firstErr = cmpErr(firstErr, fmt.Errorf("request %d: %s: %v", i, ev.FinishReason, ev.Err))
						mu.Unlock()
					}
				}
				end := time.Now()
				outTokens.Add(int64(n))
				mu.Lock()
				ttft[i] = float64(first.Sub(submitted)) / 1e6
				if n > 1 {
					tpot = append(tpot, float64(end.Sub(first))/1e6/float64(n-1))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	dur := time.Since(start).Seconds()
	after := e.Stats()
	r := &servingResult{
		Model: path, Threads: threads, Requests: o.requests, Concurrency: o.concurrency,
		InputLen: o.inputLen, OutputLen: o.outputLen, DurationS: dur,
		InputTokens: o.requests * o.inputLen, OutputTokens: int(outTokens.Load()),
		Preemptions: after.Preemptions - before.Preemptions, PrefixHitTokens: after.PrefixHits - before.PrefixHits,
		KVCacheTokens: e.KVCacheTokens(),
	}
	r.OutputTokPerS = float64(r.OutputTokens) / dur
	r.TotalTokPerS = float64(r.OutputTokens+r.InputTokens) / dur
	r.RequestsPerS = float64(o.requests) / dur
	r.TTFTMeanMs, r.TTFTP50Ms, r.TTFTP99Ms = summarize(ttft)
	r.TPOTMeanMs, r.TPOTP50Ms, r.TPOTP99Ms = summarize(tpot)
	return r, nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// summarize returns the mean, median and 99th percentile (nearest rank).
func summarize(x []float64) (mean, p50, p99 float64) {
	if len(x) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(x)
	slices.Sort(s)
	mean, _ = meanStddev(s)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return mean, rank(0.5), rank(0.99)
}

func printServing(w io.Writer, r *servingResult) {
	fmt.Fprintf(w, "model:            %s (%d threads)\n", r.Model, r.Threads)
	fmt.Fprintf(w, "requests:         %d, %d at a time, %d input + %d output tokens each\n", r.Requests, r.Concurrency, r.InputLen, r.OutputLen)
	fmt.Fprintf(w, "duration:         %.2f s (%.2f requests/s)\n", r.DurationS, r.RequestsPerS)
	fmt.Fprintf(w, "output tokens/s:  %.2f\n", r.OutputTokPerS)
	fmt.Fprintf(w, "total tokens/s:   %.2f\n", r.TotalTokPerS)
	fmt.Fprintf(w, "%-17s %10s %10s %10s\n", "", "mean", "p50", "p99")
	fmt.Fprintf(w, "%-17s %10.2f %10.2f %10.2f\n", "TTFT (ms)", r.TTFTMeanMs, r.TTFTP50Ms, r.TTFTP99Ms)
	fmt.Fprintf(w, "%-17s %10.2f %10.2f %10.2f\n", "TPOT (ms)", r.TPOTMeanMs, r.TPOTP50Ms, r.TPOTP99Ms)
	fmt.Fprintf(w, "preemptions:      %d; KV cache %d tokens\n", r.Preemptions, r.KVCacheTokens)
}
