package embed

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model/bert"
	"github.com/ferrum-go/ferrum/tokenizer"
)

// Reranker scores (query, document) pairs with a cross-encoder: a BERT,
// RoBERTa or XLM-R *ForSequenceClassification with one label, as
// sentence-transformers' CrossEncoder does.
type Reranker struct {
	c         *bert.Classifier
	tok       *tokenizer.Tokenizer
	ownBE     *cpu.Backend
	maxTokens int
	maxBatch  int
	// The pair template: cls A sep [sep] B sep, and whether B's tokens
	// (and its closing sep) have token type 1 (BERT) or 0 (RoBERTa).
	cls, sep   int32
	doubleSep  bool
	secondType int32
}

// RerankResult is one document's relevance.
type RerankResult struct {
	Index int
	// Logit is the model's output; Score is sigmoid(Logit), CrossEncoder's
	// default activation for one label.
	Logit, Score float32
}

// OpenReranker loads a cross-encoder from an HF folder. Options.Threads,
// Backend, MaxTokens, MaxBatchTokens and Tokenizer apply.
func OpenReranker(dir string, opts Options) (*Reranker, error) {
	if opts.Threads < 0 {
		return nil, fmt.Errorf("embed: %d threads: want 0 (all cores) or more", opts.Threads)
	}
	r := &Reranker{maxBatch: opts.MaxBatchTokens}
	be := opts.Backend
	if be == nil {
		r.ownBE = cpu.New(opts.Threads)
		be = r.ownBE
	}
	if r.maxBatch <= 0 {
		r.maxBatch = 8192
	}
	fail := func(err error) (*Reranker, error) {
		if r.c != nil {
			r.c.Close()
		}
		if r.ownBE != nil {
			r.ownBE.Close()
		}
		return nil, err
	}
	var err error
	if r.c, err = bert.LoadClassifier(dir, be); err != nil {
		return fail(err)
	}
	if r.c.Labels() != 1 {
		return fail(fmt.Errorf("%s: a reranker has one label, this model has %d", dir, r.c.Labels()))
	}
	tokPath := opts.Tokenizer
	if tokPath == "" {
		tokPath = dir
	}
	if r.tok, err = tokenizer.Load(tokPath); err != nil {
		return fail(fmt.Errorf("reranker: tokenizer: %w", err))
	}
	// The single-sequence template around an empty text gives the special
	// tokens: [CLS] [SEP] or <s> </s>.
	sp := r.tok.Encode("", true)
	if len(sp) != 2 {
		return fail(fmt.Errorf("%s: the tokenizer adds %v around a text; a [CLS] ... [SEP] template is needed", dir, sp))
	}
	r.cls, r.sep = int32(sp[0]), int32(sp[1])
	if mt := r.c.Config().ModelType; mt == "bert" {
		r.secondType = 1
	} else {
		r.doubleSep = true
	}
	r.maxTokens = r.c.MaxTokens()
	var tc struct {
		ModelMaxLength float64 `json:"model_max_length"`
	}
	if err := readJSON(filepath.Join(dir, "tokenizer_config.json"), &tc); err != nil && !os.IsNotExist(err) {
		return fail(err)
	}
	if tc.ModelMaxLength > 0 && tc.ModelMaxLength < float64(r.maxTokens) {
		r.maxTokens = int(tc.ModelMaxLength)
	}
	if opts.MaxTokens > 0 {
		r.maxTokens = min(r.c.MaxTokens(), opts.MaxTokens)
	}
	return r, nil
}

// Close releases the weights (and the backend OpenReranker made).
func (r *Reranker) Close() error {
	err := r.c.Close()
	if r.ownBE != nil {
		r.ownBE.Close()
	}
	return err
}

// pair builds the ids and token types of (query, doc), truncating with
// transformers' longest_first rule when truncate is set.
func (r *Reranker) pair(i int, query, doc []int, truncate bool) ([]int32, []int32, error) {
	specials := 3
	if r.doubleSep {
		specials = 4
	}
	if total := len(query) + len(doc) + specials; total > r.maxTokens {
		if !truncate {
			return nil, nil, &TooLongError{Index: i, Tokens: total, Max: r.maxTokens}
		}
		n1, n2 := longestFirst(len(query), len(doc), max(r.maxTokens-specials, 0))
		query, doc = query[:n1], doc[:n2]
	}
	ids := []int32{r.cls}
	for _, t := range query {
		ids = append(ids, int32(t))
	}
	ids = append(ids, r.sep)
	if r.doubleSep {
		ids = append(ids, r.sep)
	}
	firstLen := len(ids)
	for _, t := range doc {
		ids = append(ids, int32(t))
	}
	ids = append(ids, r.sep)
	types := make([]int32, len(ids))
	for j := firstLen; j < len(types); j++ {
		types[j] = r.secondType
	}
	return ids, types, nil
}

// longestFirst is Hugging Face tokenizers' LongestFirst pair truncation:
// the shorter side keeps its length if the longer can take the rest (but
// not less than the shorter), else both get half (the second the odd one).
func longestFirst(n1, n2, budget int) (int, int) {
	if n1+n2 <= budget {
		return n1, n2
	}
	a, b, swap := n1, n2, false
	if a > b {
		a, b, swap = b, a, true
	}
	if a > budget {
		b = a
	} else {
		b = max(a, budget-a)
	}
	if a+b > budget {
		a = budget / 2
		b = a + budget%2
	}
	if swap {
		a, b = b, a
	}
	return a, b
}

// Rerank scores every document against the query, in document order; the
// pairs run as one padding-free batch (or passes of MaxBatchTokens).
func (r *Reranker) Rerank(ctx context.Context, query string, docs []string, truncate bool) ([]RerankResult, Usage, error) {
	var usage Usage
	q := r.tok.Encode(query, false)
	type item struct{ ids, types []int32 }
	items := make([]item, len(docs))
	for i, d := range docs {
		ids, types, err := r.pair(i, q, r.tok.Encode(d, false), truncate)
		if err != nil {
			return nil, usage, err
		}
		items[i] = item{ids, types}
		usage.PromptTokens += len(ids)
	}
	usage.TotalTokens = usage.PromptTokens
	out := make([]RerankResult, len(docs))
	for start := 0; start < len(items); {
		end, n := start, 0
		for end < len(items) && (end == start || n+len(items[end].ids) <= r.maxBatch) {
			n += len(items[end].ids)
			end++
		}
		var tokens, types []int32
		seqs := make([]compute.AttentionSeq, 0, end-start)
		for _, it := range items[start:end] {
			seqs = append(seqs, compute.AttentionSeq{FirstRow: len(tokens), NumRows: len(it.ids)})
			tokens = append(tokens, it.ids...)
			types = append(types, it.types...)
		}
		logits, err := r.c.Classify(ctx, tokens, types, seqs)
		if err != nil {
			return nil, usage, err
		}
		for i, l := range logits {
			out[start+i] = RerankResult{Index: start + i, Logit: l, Score: float32(1 / (1 + math.Exp(-float64(l))))}
		}
		start = end
	}
	return out, usage, nil
}

// Tokenizer is the tokenizer queries and documents go through.
func (r *Reranker) Tokenizer() *tokenizer.Tokenizer { return r.tok }
