package engine

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/model/modeltest"
)

// TestEngineEmbed: Open recognises a sentence-transformers folder, and
// Embed gives sentence-transformers' vectors with the tokens counted.
func TestEngineEmbed(t *testing.T) {
	e, err := Open("../testdata/embed/bert", Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Task() != TaskEmbed || e.Embedder() == nil || e.Config() != nil || e.KVCacheTokens() != 0 {
		t.Fatalf("task %s, embedder %v, config %v", e.Task(), e.Embedder(), e.Config())
	}
	var ref struct {
		Texts    []string  `json:"texts"`
		InputIDs [][]int32 `json:"input_ids"`
		Variants []struct {
			Pooling    string      `json:"pooling"`
			Normalize  bool        `json:"normalize"`
			Embeddings [][]float32 `json:"embeddings"`
		} `json:"variants"`
	}
	data, err := os.ReadFile("../testdata/embed/bert/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ref.Variants, func(v struct {
		Pooling    string      `json:"pooling"`
		Normalize  bool        `json:"normalize"`
		Embeddings [][]float32 `json:"embeddings"`
	}) bool {
		return v.Pooling == "mean" && v.Normalize
	})
	if i < 0 {
		t.Fatal("no mean/normalized reference")
	}
	want := ref.Variants[i].Embeddings
	inputs := make([]embed.Input, len(ref.Texts))
	tokens := 0
	for j, text := range ref.Texts {
		inputs[j] = embed.Input{Text: text, Truncate: true}
		tokens += len(ref.InputIDs[j])
	}
	vecs, usage, err := e.Embed(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range vecs {
		if c := modeltest.Cosine(v, want[j]); c < 0.9999 {
			t.Errorf("text %d: cosine %v with sentence-transformers", j, c)
		}
	}
	if usage.PromptTokens != tokens || usage.TotalTokens != tokens {
		t.Errorf("usage %+v, want %d tokens", usage, tokens)
	}

	// A generator's calls fail with a reason, and so does Rerank.
	if _, err := e.Generate(context.Background(), Request{Prompt: "hi"}); err == nil || !strings.Contains(err.Error(), "not a text generator") {
		t.Errorf("Generate on an embedder: %v", err)
	}
	if _, _, err := e.Rerank(context.Background(), "q", []string{"d"}, false); err == nil {
		t.Error("Rerank on an embedder: no error")
	}
	e.Close()
	if _, _, err := e.Embed(context.Background(), inputs); !errors.Is(err, ErrClosed) {
		t.Errorf("Embed after Close: %v", err)
	}
}

// TestEngineRerank: a *ForSequenceClassification folder opens as a
// reranker whose scores are CrossEncoder's.
func TestEngineRerank(t *testing.T) {
	e, err := Open("../testdata/embed/rerank_xlmr", Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Task() != TaskRerank {
		t.Fatalf("task %s", e.Task())
	}
	var ref struct {
		Query     string    `json:"query"`
		Documents []string  `json:"documents"`
		InputIDs  [][]int32 `json:"input_ids"`
		Scores    []float32 `json:"scores"`
	}
	data, err := os.ReadFile("../testdata/embed/rerank_xlmr/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	res, usage, err := e.Rerank(context.Background(), ref.Query, ref.Documents, true)
	if err != nil {
		t.Fatal(err)
	}
	tokens := 0
	for i, want := range ref.Scores {
		tokens += len(ref.InputIDs[i])
		if math.Abs(float64(res[i].Score-want)) > 1e-5 {
			t.Errorf("doc %d: score %v, CrossEncoder %v", i, res[i].Score, want)
		}
	}
	if usage.PromptTokens != tokens {
		t.Errorf("usage %+v, want %d tokens", usage, tokens)
	}
	if _, _, err := e.Embed(context.Background(), []embed.Input{{Text: "x"}}); err == nil {
		t.Error("Embed on a reranker: no error")
	}
}

// TestEmbedOnGenerator: a generator refuses Embed; an explicit Task
// overrides detection.
func TestEmbedOnGenerator(t *testing.T) {
	e := openEngine(t, "qwen3", Options{})
	if e.Task() != TaskGenerate {
		t.Fatalf("task %s", e.Task())
	}
	if _, _, err := e.Embed(context.Background(), []embed.Input{{Text: "x"}}); err == nil || !strings.Contains(err.Error(), "embedding model") {
		t.Errorf("Embed on a generator: %v", err)
	}
	if _, err := Open("../testdata/embed/bert", Options{Task: "chat"}); err == nil || !strings.Contains(err.Error(), `"chat"`) {
		t.Errorf("bad task: %v", err)
	}
	// A BERT folder forced to generate fails, naming its config.
	if _, err := Open("../testdata/embed/bert", Options{Task: TaskGenerate, KVCacheTokens: 64}); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("BERT as a generator: %v", err)
	}
}

// TestMoEGenerate: a Qwen3-MoE checkpoint loads through Open (its package
// is linked in) and its greedy continuations are transformers'.
func TestMoEGenerate(t *testing.T) {
	const variant = "../moe/qwen3moe" // under testdata/models' parent
	e := openEngine(t, variant, Options{})
	ref := loadReference(t, variant)
	for _, c := range ref.Cases {
		r := generate(t, e, Request{PromptTokens: c.InputIDs, Sampling: SamplingParams{MaxTokens: len(c.Greedy.IDs), IgnoreEOS: true}})
		if !slices.Equal(r.tokens[0], c.Greedy.IDs) {
			t.Errorf("%s: got %v, want %v", c.Name, r.tokens[0], c.Greedy.IDs)
		}
	}
	got, err := e.PromptTokens(&Request{Messages: chatMessages()})
	if err != nil || !slices.Equal(got, ref.Chat.InputIDs) {
		t.Errorf("chat prompt %v (%v), want %v", got, err, ref.Chat.InputIDs)
	}
}

// TestEmbedConcurrentClose: Embed calls racing Close either finish or get
// ErrClosed; Close waits for those in progress (the weights stay mapped
// under them).
func TestEmbedConcurrentClose(t *testing.T) {
	e, err := Open("../testdata/embed/bert", Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, _, err := e.Embed(context.Background(), []embed.Input{{Text: strings.Repeat("word ", i+1)}})
			done <- err
		}()
	}
	e.Close()
	for range 8 {
		if err := <-done; err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Embed during Close: %v", err)
		}
	}
}
