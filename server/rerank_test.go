package server

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/engine"
)

const rerankDir = "../testdata/embed/rerank_bert"

type rerankResponse struct {
	ID    string `json:"id"`
	Model string `json:"model"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
	Results []struct {
		Index          int             `json:"index"`
		RelevanceScore float64         `json:"relevance_score"`
		Document       *rerankDocument `json:"document"`
	} `json:"results"`
}

// rerankServer is the test server with the BERT cross-encoder fixture
// added as "rr".
func rerankServer(t *testing.T) (*testServer, *engine.Engine) {
	t.Helper()
	ts := newTestServer(t, Config{})
	e, err := engine.Open(rerankDir, engine.Options{Task: engine.TaskRerank, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := ts.AddModel(&Model{Names: []string{"rr"}, Root: rerankDir, Reranker: e.Reranker()}); err != nil {
		t.Fatal(err)
	}
	return ts, e
}

func TestRerank(t *testing.T) {
	ts, e := rerankServer(t)
	query := "what is a cat"
	docs := []string{"a cat is an animal", "paris is in france", "cats purr", "the stock market fell today"}
	want, use, err := e.Rerank(context.Background(), query, docs, false)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"model": "rr", "query": query, "documents": docs})
	for _, path := range []string{"/v1/rerank", "/rerank"} {
		code, apiErr, raw := post(t, ts.url, path, string(body))
		if code != 200 {
			t.Fatalf("%s: %d %v", path, code, apiErr)
		}
		var resp rerankResponse
		if err := json.Unmarshal([]byte(raw), &resp); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(resp.ID, "rerank-") || resp.Model != "rr" || resp.Usage.PromptTokens != use.PromptTokens || resp.Usage.TotalTokens != use.TotalTokens {
			t.Errorf("%s: envelope %+v", path, resp)
		}
		if len(resp.Results) != len(docs) {
			t.Fatalf("%s: %d results, want %d", path, len(resp.Results), len(docs))
		}
		seen := map[int]bool{}
		for i, r := range resp.Results {
			if seen[r.Index] || r.Index < 0 || r.Index >= len(docs) {
				t.Fatalf("%s: bad index %d", path, r.Index)
			}
			seen[r.Index] = true
			if d := math.Abs(r.RelevanceScore - float64(want[r.Index].Score)); d > 1e-6 {
				t.Errorf("%s: document %d score %g, engine %g", path, r.Index, r.RelevanceScore, want[r.Index].Score)
			}
			if r.Document == nil || r.Document.Text != docs[r.Index] {
				t.Errorf("%s: document %d: %+v", path, r.Index, r.Document)
			}
			if i > 0 && r.RelevanceScore > resp.Results[i-1].RelevanceScore {
				t.Errorf("%s: results not sorted by score: %v", path, raw)
			}
		}
	}

	// top_n and return_documents false.
	body, _ = json.Marshal(map[string]any{"model": "rr", "query": query, "documents": docs, "top_n": 2, "return_documents": false})
	code, apiErr, raw := post(t, ts.url, "/v1/rerank", string(body))
	if code != 200 {
		t.Fatalf("top_n: %d %v", code, apiErr)
	}
	var resp rerankResponse
	if err := json.Unmarshal([]byte(raw), &resp); err != nil {
		t.Fatal(err)
	}
	best := 0
	for i, w := range want {
		if w.Score > want[best].Score {
			best = i
		}
	}
	if len(resp.Results) != 2 || resp.Results[0].Index != best || strings.Contains(raw, `"document"`) {
		t.Errorf("top_n 2 without documents: %s (best is %d)", raw, best)
	}

	// "" picks the reranker; truncation to the limit scores a long pair.
	long := strings.Repeat("word ", 200)
	body, _ = json.Marshal(map[string]any{"query": query, "documents": []string{long}, "truncate_prompt_tokens": -1})
	if code, apiErr, _ := post(t, ts.url, "/v1/rerank", string(body)); code != 200 {
		t.Errorf("truncated: %d %v", code, apiErr)
	}
}

func TestRerankErrors(t *testing.T) {
	ts, _ := rerankServer(t)
	long := strings.Repeat("word ", 200)
	for _, c := range []struct {
		name, body string
		status     int
		param      string
	}{
		{"no documents", `{"model": "rr", "query": "q", "documents": []}`, 400, "documents"},
		{"documents missing", `{"model": "rr", "query": "q"}`, 400, "documents"},
		{"documents not strings", `{"model": "rr", "query": "q", "documents": [1, 2]}`, 400, ""},
		{"empty document", `{"model": "rr", "query": "q", "documents": ["a", ""]}`, 400, "documents"},
		{"no query", `{"model": "rr", "documents": ["a"]}`, 400, "query"},
		{"query not a string", `{"model": "rr", "query": 3, "documents": ["a"]}`, 400, ""},
		{"negative top_n", `{"model": "rr", "query": "q", "documents": ["a"], "top_n": -1}`, 400, "top_n"},
		{"truncate length", `{"model": "rr", "query": "q", "documents": ["a"], "truncate_prompt_tokens": 5}`, 400, "truncate_prompt_tokens"},
		{"too long", `{"model": "rr", "query": "q", "documents": ["` + long + `"]}`, 400, "documents"},
		{"unknown model", `{"model": "nope", "query": "q", "documents": ["a"]}`, 404, "model"},
		{"embedder", `{"model": "bert", "query": "q", "documents": ["a"]}`, 400, "model"},
		{"generator", `{"model": "qwen3", "query": "q", "documents": ["a"]}`, 400, "model"},
		{"not json", `{"model": `, 400, ""},
	} {
		code, e, raw := post(t, ts.url, "/v1/rerank", c.body)
		if code != c.status || e == nil || (c.param != "" && (e.Param == nil || *e.Param != c.param)) {
			t.Errorf("%s: %d %s", c.name, code, raw)
		}
	}
	// The reranker is not a chat or embedding model.
	if code, e, _ := post(t, ts.url, "/v1/embeddings", `{"model": "rr", "input": "a"}`); code != 400 || !strings.Contains(e.Message, "not an embedding model") {
		t.Errorf("embeddings from the reranker: %d %v", code, e)
	}
	if code, e, _ := post(t, ts.url, "/v1/chat/completions", `{"model": "rr", "messages": [{"role": "user", "content": "x"}]}`); code != 400 || !strings.Contains(e.Message, "not a generation model") {
		t.Errorf("chat with the reranker: %d %v", code, e)
	}
	if code, _, _ := post(t, ts.url, "/tokenize", `{"model": "rr", "prompt": "a cat"}`); code != 200 {
		t.Errorf("tokenize with the reranker: %d", code)
	}
	req, _ := http.NewRequest("GET", ts.url+"/v1/rerank", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 405 {
		t.Errorf("GET /v1/rerank: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// TestRerankOnly: a server with only a reranker answers 404 "serves no"
// for the other kinds, as it does for an embedder alone.
func TestRerankOnly(t *testing.T) {
	e, err := engine.Open(rerankDir, engine.Options{Task: engine.TaskRerank, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := New(Config{Logger: discardLogger()})
	if err := s.AddModel(&Model{Names: []string{"rr"}, Reranker: e.Reranker()}); err != nil {
		t.Fatal(err)
	}
	_, b := models(t)
	if err := s.AddModel(&Model{Names: []string{"two"}, Reranker: e.Reranker(), Embedder: b}); err == nil {
		t.Error("a model with two kinds was accepted")
	}
	s.SetReady()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	hs := srv.URL
	for _, c := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"messages": [{"role": "user", "content": "x"}]}`},
		{"/v1/embeddings", `{"input": "x"}`},
	} {
		code, e, _ := post(t, hs, c.path, c.body)
		if code != 404 || !strings.Contains(e.Message, "serves no") {
			t.Errorf("%s: %d %v", c.path, code, e)
		}
	}
	if code, e, _ := post(t, hs, "/v1/rerank", `{"query": "q", "documents": ["a", "b"]}`); code != 200 {
		t.Errorf("rerank: %d %v", code, e)
	}
}
