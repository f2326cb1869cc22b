package engine

import (
	"context"
	"fmt"

	"github.com/ferrum-go/ferrum/embed"
)

// openEncoder opens an embedding model or a reranker (package embed does
// the work) behind an Engine that has no generation loop.
func openEncoder(path string, task Task, opts Options) (*Engine, error) {
	eo := opts.Embedding
	if eo.Backend == nil {
		eo.Backend = opts.Backend
	}
	if eo.Threads == 0 {
		eo.Threads = opts.Threads
	}
	if eo.Tokenizer == "" {
		eo.Tokenizer = opts.TokenizerPath
	}
	e := &Engine{task: task, opts: opts, closing: make(chan struct{}), done: make(chan struct{})}
	close(e.done) // no scheduler loop to wait for
	var err error
	if task == TaskRerank {
		if e.rr, err = embed.OpenReranker(path, eo); err != nil {
			return nil, err
		}
		e.tok = e.rr.Tokenizer()
	} else {
		if e.emb, err = embed.Open(path, eo); err != nil {
			return nil, err
		}
		e.tok = e.emb.Tokenizer()
	}
	what := "an embedding model"
	if task == TaskRerank {
		what = "a reranker (cross-encoder)"
	}
	e.chatEr = fmt.Errorf("engine: %s is %s, not a text generator", path, what)
	e.notGen = e.chatEr
	return e, nil
}

// Embed returns one vector per input, in order, and the tokens they took.
// The engine must hold an embedding model (Task() == TaskEmbed).
func (e *Engine) Embed(ctx context.Context, inputs []embed.Input) ([]embed.Vector, embed.Usage, error) {
	if e.emb == nil {
		return nil, embed.Usage{}, fmt.Errorf("engine: Embed needs an embedding model; this one's task is %s", e.task)
	}
	e.encMu.RLock()
	defer e.encMu.RUnlock()
	if e.encClosed {
		return nil, embed.Usage{}, ErrClosed
	}
	return e.emb.Embed(ctx, inputs)
}

// Rerank scores every document against the query (Score is the
// sigmoid of the model's logit), in document order. Documents over the
// token limit fail the call unless truncate is set. The engine must hold a
// cross-encoder (Task() == TaskRerank).
func (e *Engine) Rerank(ctx context.Context, query string, docs []string, truncate bool) ([]embed.RerankResult, embed.Usage, error) {
	if e.rr == nil {
		return nil, embed.Usage{}, fmt.Errorf("engine: Rerank needs a reranker (cross-encoder); this model's task is %s", e.task)
	}
	e.encMu.RLock()
	defer e.encMu.RUnlock()
	if e.encClosed {
		return nil, embed.Usage{}, ErrClosed
	}
	return e.rr.Rerank(ctx, query, docs, truncate)
}

// Embedder is the embedding model, or nil when the engine holds another
// kind of model.
func (e *Engine) Embedder() *embed.Embedder { return e.emb }

// Reranker is the cross-encoder, or nil when the engine holds another
// kind of model.
func (e *Engine) Reranker() *embed.Reranker { return e.rr }

// Task is what the loaded model does.
func (e *Engine) Task() Task { return e.task }

// closeEncoder waits for the Embed and Rerank calls in progress, then
// releases the weights.
func (e *Engine) closeEncoder() error {
	e.encMu.Lock()
	defer e.encMu.Unlock()
	if e.encClosed {
		return nil
	}
	e.encClosed = true
	if e.rr != nil {
		return e.rr.Close()
	}
	return e.emb.Close()
}
