package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-go/ferrum/engine"
)

const rerankFixture = "../../testdata/embed/rerank_bert"

func TestRerankCmd(t *testing.T) {
	query := "what is a cat"
	docs := []string{"a cat is an animal", "paris is in france", "cats purr"}
	e, err := engine.Open(rerankFixture, engine.Options{Task: engine.TaskRerank, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	want, use, err := e.Rerank(context.Background(), query, docs, false)
	e.Close()
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetArgs(append([]string{"rerank", "--model", rerankFixture, "--threads", "1", query}, docs...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(docs) {
		t.Fatalf("text output: %q", out.String())
	}
	prev := math.Inf(1)
	for _, l := range lines {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			t.Fatalf("line %q", l)
		}
		score, _ := strconv.ParseFloat(f[0], 64)
		i, _ := strconv.Atoi(f[1])
		if i < 0 || i >= len(docs) || f[2] != docs[i] || math.Abs(score-float64(want[i].Score)) > 1e-6 || score > prev {
			t.Errorf("line %q (engine: %+v)", l, want)
		}
		prev = score
	}

	out.Reset()
	root = newRootCmd()
	root.SetOut(&out)
	root.SetIn(strings.NewReader(strings.Join(docs, "\n") + "\n"))
	root.SetArgs([]string{"rerank", "-m", rerankFixture, "--threads", "1", "--json", "--top-n", "1", query})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Results []struct {
			Index          int     `json:"index"`
			RelevanceScore float64 `json:"relevance_score"`
			Document       struct {
				Text string `json:"text"`
			} `json:"document"`
		} `json:"results"`
		Usage struct {
			TotalTokens int `json:"total_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	best := 0
	for i, w := range want {
		if w.Score > want[best].Score {
			best = i
		}
	}
	if len(resp.Results) != 1 || resp.Results[0].Index != best || resp.Results[0].Document.Text != docs[best] || resp.Usage.TotalTokens != use.TotalTokens {
		t.Errorf("json: %s (best %d, usage %+v)", out.String(), best, use)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rerank", "q", "d"}, "--model is required"},
		{[]string{"rerank", "-m", "../../testdata/embed/bert", "q", "d"}, "not a reranker"},
		{[]string{"rerank", "-m", rerankFixture, "q", strings.Repeat("word ", 200)}, "--truncate"},
	} {
		root = newRootCmd()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs(c.args)
		if err := root.Execute(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// TestServeReranker: `ferrum serve` with a cross-encoder serves /v1/rerank
// and answers 404 for chat.
func TestServeReranker(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr serveLog
	root := newRootCmd()
	root.SetArgs([]string{"serve", rerankFixture, "--port", "0", "--served-model-name", "rr", "--threads", "1"})
	root.SetErr(&stderr)
	root.SetOut(io.Discard)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	ready := regexp.MustCompile(`ready on (http://\S+)/v1`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; {
		if m := ready.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	call := func(path, body string) (int, string) {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := call("/v1/rerank", `{"model": "rr", "query": "cat", "documents": ["a cat", "a car"]}`); code != 200 || !strings.Contains(body, `"relevance_score"`) {
		t.Errorf("rerank: %d %s", code, body)
	}
	if code, body := call("/v1/chat/completions", `{"messages": [{"role": "user", "content": "hi"}]}`); code != 404 || !strings.Contains(body, "serves no generation model") {
		t.Errorf("chat: %d %s", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
