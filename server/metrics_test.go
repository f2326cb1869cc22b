package server

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$`)

// scrape fetches /metrics and checks it is well-formed Prometheus text:
// every sample's family was declared by a TYPE line before it, values
// parse, and each histogram's +Inf bucket equals its count.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	types := map[string]string{}
	out := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			types[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("malformed line %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		family := m[1]
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if base := strings.TrimSuffix(family, suf); base != family && types[base] == "histogram" {
				family = base
			}
		}
		if types[family] == "" {
			t.Fatalf("sample %q before its TYPE line", line)
		}
		out[m[1]+m[2]] = v
	}
	for key, v := range out {
		if i := strings.Index(key, "_count{"); i >= 0 {
			inf := key[:i] + "_bucket{" + strings.TrimSuffix(key[i+len("_count{"):], "}") + `,le="+Inf"}`
			if out[inf] != v {
				t.Errorf("%s = %v but %s = %v", key, v, inf, out[inf])
			}
		}
	}
	return out
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t, Config{})
	before := scrape(t, ts.url)
	resp, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:       "qwen3",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello there")},
		Temperature: openai.Float(0),
		MaxTokens:   openai.Int(5),
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	if _, err := ts.client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "bert", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")},
	}); err != nil {
		t.Fatal(describe(err))
	}
	after := scrape(t, ts.url)
	q := `{model_name="qwen3"}`
	for _, name := range []string{"vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc",
		"vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total", "vllm:num_preemptions_total"} {
		if _, ok := after[name+q]; !ok {
			t.Errorf("no %s%s", name, q)
		}
	}
	delta := func(key string) float64 { return after[key] - before[key] }
	if d := delta("vllm:prompt_tokens_total" + q); d != float64(resp.Usage.PromptTokens) {
		t.Errorf("prompt tokens grew by %v, want %d", d, resp.Usage.PromptTokens)
	}
	if d := delta("vllm:generation_tokens_total" + q); d != float64(resp.Usage.CompletionTokens) {
		t.Errorf("generation tokens grew by %v, want %d", d, resp.Usage.CompletionTokens)
	}
	reason := resp.Choices[0].FinishReason
	if d := delta(`vllm:request_success_total{model_name="qwen3",finished_reason="` + reason + `"}`); d != 1 {
		t.Errorf("request_success_total{%s} grew by %v", reason, d)
	}
	for _, h := range []string{"vllm:time_to_first_token_seconds", "vllm:e2e_request_latency_seconds", "vllm:request_prompt_tokens"} {
		if d := delta(h + "_count" + q); d != 1 {
			t.Errorf("%s_count grew by %v", h, d)
		}
	}
	if d := delta("vllm:inter_token_latency_seconds_count" + q); d != float64(resp.Usage.CompletionTokens-1) {
		t.Errorf("inter-token latencies grew by %v for %d tokens", d, resp.Usage.CompletionTokens)
	}
	if d := delta(`vllm:e2e_request_latency_seconds_count{model_name="bert"}`); d != 1 {
		t.Errorf("embedding request latency count grew by %v", d)
	}
}
