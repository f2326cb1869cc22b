package server

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/ferrum-go/ferrum/engine"
)

// Metrics use vLLM's names and model_name label, so that dashboards and
// gateways made for vLLM (the Gateway API Inference Extension reads
// vllm:num_requests_waiting and vllm:kv_cache_usage_perc) work on Ferrum.
// The exposition is Prometheus' text format 0.0.4, written here.

type histogram struct {
	mu     sync.Mutex
	bounds []float64
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newHistogram(bounds ...float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds))}
}

func (h *histogram) observe(v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += v
	h.n++
}

// Buckets as vLLM sets them.
var (
	ttftBuckets = []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0}
	itlBuckets  = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0}
	e2eBuckets  = []float64{0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0}
	tokBuckets  = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000}
)

// modelMetrics are one served model's request-side series; the engine's
// load gauges are read at scrape time.
type modelMetrics struct {
	name string

	mu               sync.Mutex
	promptTokens     int64
	generationTokens int64
	finished         map[string]int64 // by vLLM's finished_reason

	ttft, itl, e2e       *histogram
	promptLen, outputLen *histogram
}

func newModelMetrics(name string) *modelMetrics {
	return &modelMetrics{name: name, finished: map[string]int64{},
		ttft: newHistogram(ttftBuckets...), itl: newHistogram(itlBuckets...), e2e: newHistogram(e2eBuckets...),
		promptLen: newHistogram(tokBuckets...), outputLen: newHistogram(tokBuckets...)}
}

// finished counts one ended choice (vLLM counts each of n as a request).
func (m *modelMetrics) finishedChoice(f engine.FinishReason) {
	reason := string(f)
	switch f {
	case engine.FinishCancelled:
		reason = "abort"
	}
	m.mu.Lock()
	m.finished[reason]++
	m.mu.Unlock()
}

func (m *modelMetrics) usage(u *engine.Usage) {
	m.mu.Lock()
	m.promptTokens += int64(u.PromptTokens)
	m.generationTokens += int64(u.CompletionTokens)
	m.mu.Unlock()
	if u.CompletionTokens > 0 {
		m.ttft.observe(u.TimeToFirstToken.Seconds())
	}
	m.e2e.observe(u.Duration.Seconds())
	m.promptLen.observe(float64(u.PromptTokens))
	m.outputLen.observe(float64(u.CompletionTokens))
}

// embedded counts an embedding request.
func (m *modelMetrics) embedded(promptTokens int, seconds float64, ok bool) {
	m.mu.Lock()
	m.promptTokens += int64(promptTokens)
	if ok {
		m.finished["stop"]++
	} else {
		m.finished["error"]++
	}
	m.mu.Unlock()
	m.e2e.observe(seconds)
	m.promptLen.observe(float64(promptTokens))
}

type expo struct {
	w *bufio.Writer
}

func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (e *expo) header(name, typ, help string) {
	fmt.Fprintf(e.w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func (e *expo) sample(name, labels string, v float64) {
	fmt.Fprintf(e.w, "%s{%s} %s\n", name, labels, fmtFloat(v))
}

func (e *expo) histogram(name, labels string, h *histogram) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(e.w, "%s_bucket{%s,le=\"%s\"} %d\n", name, labels, fmtFloat(b), cum)
	}
	fmt.Fprintf(e.w, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, h.n)
	fmt.Fprintf(e.w, "%s_sum{%s} %s\n", name, labels, fmtFloat(h.sum))
	fmt.Fprintf(e.w, "%s_count{%s} %d\n", name, labels, h.n)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	models := append([]*Model(nil), s.models...)
	s.mu.RUnlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	e := &expo{w: bufio.NewWriter(w)}
	defer e.w.Flush()

	type gen struct {
		labels string
		st     engine.Stats
	}
	var gens []gen
	labels := make([]string, len(models))
	for i, m := range models {
		labels[i] = `model_name="` + labelValue(m.Names[0]) + `"`
		if m.Generator != nil {
			gens = append(gens, gen{labels[i], m.Generator.Stats()})
		}
	}
	gauge := func(name, help string, v func(engine.Stats) float64, typ string) {
		e.header(name, typ, help)
		for _, g := range gens {
			e.sample(name, g.labels, v(g.st))
		}
	}
	gauge("vllm:num_requests_running", "Number of sequences running in the engine.",
		func(s engine.Stats) float64 { return float64(s.Running) }, "gauge")
	gauge("vllm:num_requests_waiting", "Number of sequences waiting to be scheduled.",
		func(s engine.Stats) float64 { return float64(s.Waiting) }, "gauge")
	gauge("vllm:kv_cache_usage_perc", "Fraction of KV-cache blocks in use (1 = full).",
		func(s engine.Stats) float64 { return s.KVUsage }, "gauge")
	gauge("vllm:gpu_cache_usage_perc", "Deprecated name of vllm:kv_cache_usage_perc, for older gateways.",
		func(s engine.Stats) float64 { return s.KVUsage }, "gauge")
	gauge("vllm:prefix_cache_queries_total", "Prompt tokens looked up in the prefix cache.",
		func(s engine.Stats) float64 { return float64(s.PrefixQueries) }, "counter")
	gauge("vllm:prefix_cache_hits_total", "Prompt tokens found in the prefix cache.",
		func(s engine.Stats) float64 { return float64(s.PrefixHits) }, "counter")
	gauge("vllm:num_preemptions_total", "Sequences preempted for lack of KV-cache blocks.",
		func(s engine.Stats) float64 { return float64(s.Preemptions) }, "counter")

	counter := func(name, help string, v func(*modelMetrics) int64) {
		e.header(name, "counter", help)
		for i, m := range models {
			m.metrics.mu.Lock()
			x := v(m.metrics)
			m.metrics.mu.Unlock()
			e.sample(name, labels[i], float64(x))
		}
	}
	counter("vllm:prompt_tokens_total", "Prompt tokens of finished requests (cached ones included).",
		func(m *modelMetrics) int64 { return m.promptTokens })
	counter("vllm:generation_tokens_total", "Tokens generated.",
		func(m *modelMetrics) int64 { return m.generationTokens })

	e.header("vllm:request_success_total", "counter", "Finished requests (each of n choices counts), by finish reason.")
	for i, m := range models {
		for _, reason := range []string{"stop", "length", "abort", "error"} {
			m.metrics.mu.Lock()
			x := m.metrics.finished[reason]
			m.metrics.mu.Unlock()
			e.sample("vllm:request_success_total", labels[i]+`,finished_reason="`+reason+`"`, float64(x))
		}
	}

	hist := func(name, help string, h func(*modelMetrics) *histogram, genOnly bool) {
		e.header(name, "histogram", help)
		for i, m := range models {
			if genOnly && m.Generator == nil {
				continue
			}
			e.histogram(name, labels[i], h(m.metrics))
		}
	}
	hist("vllm:time_to_first_token_seconds", "Time from arrival to the first generated token.",
		func(m *modelMetrics) *histogram { return m.ttft }, true)
	hist("vllm:inter_token_latency_seconds", "Time between successive tokens of a sequence.",
		func(m *modelMetrics) *histogram { return m.itl }, true)
	hist("vllm:time_per_output_token_seconds", "Deprecated name of vllm:inter_token_latency_seconds, for older dashboards.",
		func(m *modelMetrics) *histogram { return m.itl }, true)
	hist("vllm:e2e_request_latency_seconds", "Time from arrival to the end of a request.",
		func(m *modelMetrics) *histogram { return m.e2e }, false)
	hist("vllm:request_prompt_tokens", "Prompt tokens per request.",
		func(m *modelMetrics) *histogram { return m.promptLen }, false)
	hist("vllm:request_generation_tokens", "Generated tokens per request (all choices).",
		func(m *modelMetrics) *histogram { return m.outputLen }, true)

	e.header("ferrum:requests_in_progress", "gauge", "HTTP requests admitted and not yet finished (the 429 limit counts these).")
	fmt.Fprintf(e.w, "ferrum:requests_in_progress %d\n", s.pending.Load())
}

// count is the number of choices that ended with a vLLM finished_reason.
func (m *modelMetrics) count(reason string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.finished[reason]
}
