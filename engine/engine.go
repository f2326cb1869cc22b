package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/model"
	_ "github.com/ferrum-go/ferrum/model/llama"    // registers the Llama family
	_ "github.com/ferrum-go/ferrum/model/qwen3moe" // registers Qwen3-MoE
	"github.com/ferrum-go/ferrum/tokenizer"
)

// ErrClosed is returned by Generate after Close, and ends the requests
// still running when Close is called.
var ErrClosed = errors.New("engine: closed")

// Engine serves one model: generation requests for a decoder LLM, or
// Embed / Rerank calls for an embedding model or a cross-encoder.
type Engine struct {
	task   Task
	notGen error // why Generate fails; nil for a generator

	// Embedding models and rerankers (package embed); nil otherwise.
	emb       *embed.Embedder
	rr        *embed.Reranker
	encMu     sync.RWMutex // held for reading by Embed and Rerank calls
	encClosed bool

	model  model.Model
	tok    *tokenizer.Tokenizer
	chat   *chat.Chat // nil when the model has no chat template
	chatEr error      // why chat is nil
	be     compute.Backend
	ownBe  io.Closer
	cache  *kvcache.Cache
	blocks *kvcache.PrefixCache
	opts   Options
	vocab  int

	mu       sync.Mutex
	incoming []*request
	closed   bool
	nextID   uint64
	wake     chan struct{}
	closing  chan struct{}
	done     chan struct{}
	stopStep context.CancelFunc
	stepCtx  context.Context

	statsMu sync.Mutex
	stats   Stats

	sched scheduler // touched only by the loop goroutine
}

// Open loads the model at path (an HF folder or a .gguf file). A
// generator (Options.Task, else DetectTask) comes with its tokenizer and
// chat template and starts the scheduler; an embedding model or reranker
// is opened through package embed and serves Embed or Rerank.
func Open(path string, opts Options) (*Engine, error) {
	if opts.Threads < 0 {
		return nil, fmt.Errorf("engine: %d threads: want 0 (all cores) or more", opts.Threads)
	}
	task := opts.Task
	if task == TaskAuto {
		task = DetectTask(path)
	}
	switch task {
	case TaskEmbed, TaskRerank:
		return openEncoder(path, task, opts)
	case TaskGenerate:
	default:
		return nil, fmt.Errorf("engine: Options.Task %q: want generate, embed, rerank or empty (auto)", task)
	}
	be := opts.Backend
	var own io.Closer
	if be == nil {
		c := cpu.New(opts.Threads)
		be, own = c, c
	}
	fail := func(err error) (*Engine, error) {
		if own != nil {
			own.Close()
		}
		return nil, err
	}
	m, err := model.Load(path, be, model.Options{})
	if err != nil {
		return fail(err)
	}
	tokPath := path
	if opts.TokenizerPath != "" {
		tokPath = opts.TokenizerPath
	}
	tok, err := tokenizer.Load(tokPath)
	if err != nil {
		m.Close()
		return fail(fmt.Errorf("tokenizer: %w", err))
	}
	var ch *chat.Chat
	var chatErr error
	if opts.ChatTemplate != "" {
		if ch, err = chat.FromString("chat template option", opts.ChatTemplate).Compile(); err != nil {
			m.Close()
			return fail(err)
		}
	} else if ch, chatErr = LoadChat(tokPath, ""); chatErr == nil && ch == nil {
		chatErr = fmt.Errorf("engine: %s has no chat template", tokPath)
	}
	// A model template that does not parse fails chat requests only
	// (chatErr says why); completions still work.
	opts.Backend = be
	e, err := New(m, tok, ch, opts)
	if err != nil {
		m.Close()
		return fail(err)
	}
	e.chatEr = chatErr
	e.ownBe = own
	e.be = be
	return e, nil
}

// New builds an engine around an already loaded model and tokenizer; ch
// may be nil (chat requests then fail). The model's backend is not closed
// by Close; the model is.
func New(m model.Model, tok *tokenizer.Tokenizer, ch *chat.Chat, opts Options) (*Engine, error) {
	cfg := m.Config()
	opts.setDefaults(cfg.MaxPositionEmbeddings)
	widths := make([]int, cfg.NumLayers)
	for i := range widths {
		widths[i] = cfg.KVWidth()
	}
	be := opts.Backend
	if be == nil {
		return nil, fmt.Errorf("engine: New needs Options.Backend (the model's backend)")
	}
	kvt, err := opts.kvType(be)
	if err != nil {
		return nil, err
	}
	nb, err := opts.kvBlocks(kvt, widths)
	if err != nil {
		return nil, err
	}
	cache, err := model.NewCacheOf(be, cfg, nb, opts.BlockSize, kvt)
	if err != nil {
		return nil, err
	}
	// Dynamic NTK scaling makes a block's keys depend on how long the
	// sequence was when they were computed, so they cannot be shared.
	prefix := !opts.DisablePrefixCache && cfg.RopeScaling.Type != "dynamic"
	e := &Engine{
		task:  TaskGenerate,
		model: m, tok: tok, chat: ch, be: be, cache: cache,
		blocks: kvcache.NewPrefixCache(cache.Alloc, prefix),
		opts:   opts, vocab: cfg.VocabSize,
		wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{}),
	}
	if ch == nil {
		e.chatEr = errors.New("engine: the model has no chat template")
	}
	e.stepCtx, e.stopStep = context.WithCancel(context.Background())
	e.sched.init(e)
	e.updateStats()
	go e.loop()
	return e, nil
}

// Tokenizer is the model's tokenizer.
func (e *Engine) Tokenizer() *tokenizer.Tokenizer { return e.tok }

// Config is the generator's configuration; nil for an embedding model or
// reranker.
func (e *Engine) Config() *model.Config {
	if e.model == nil {
		return nil
	}
	return e.model.Config()
}

// Options are the engine's settings with defaults filled in.
func (e *Engine) Options() Options { return e.opts }

// KVCacheTokens is the size of the KV pool in tokens (0 without a
// generator).
func (e *Engine) KVCacheTokens() int {
	if e.cache == nil {
		return 0
	}
	return e.cache.Alloc.NumBlocks() * e.cache.BlockSize()
}

// HasChatTemplate reports whether chat requests can be rendered.
func (e *Engine) HasChatTemplate() bool { return e.chat != nil }

// RenderChat renders messages through the chat template with the
// generation prompt, as Generate does for a chat request.
func (e *Engine) RenderChat(messages []chat.Message, tools []json.RawMessage, kwargs map[string]any) (string, error) {
	if e.chat == nil {
		return "", e.chatEr
	}
	return e.chat.Render("", chat.Context{Messages: messages, Tools: tools, Kwargs: kwargs, AddGenerationPrompt: true})
}

// PromptTokens returns the token ids a request's prompt becomes.
func (e *Engine) PromptTokens(r *Request) ([]int32, error) {
	if e.notGen != nil {
		return nil, e.notGen
	}
	set := 0
	for _, b := range []bool{r.Prompt != "", r.PromptTokens != nil, r.Messages != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("engine: a request needs exactly one of Prompt, PromptTokens and Messages (%d given)", set)
	}
	var ids []int
	switch {
	case r.PromptTokens != nil:
		for i, t := range r.PromptTokens {
			if t < 0 || int(t) >= e.vocab {
				return nil, fmt.Errorf("engine: prompt token %d (at %d) is outside the vocabulary of %d", t, i, e.vocab)
			}
		}
		return r.PromptTokens, nil
	case r.Messages != nil:
		text, err := e.RenderChat(r.Messages, r.Tools, r.TemplateKwargs)
		if err != nil {
			return nil, err
		}
		ids = e.tok.Encode(text, false)
	default:
		ids = e.tok.Encode(r.Prompt, true)
	}
	out := make([]int32, len(ids))
	for i, id := range ids {
		if id >= e.vocab {
			return nil, fmt.Errorf("engine: tokenizer id %d is outside the model's vocabulary of %d", id, e.vocab)
		}
		out[i] = int32(id)
	}
	return out, nil
}

// Generate submits a request and returns its event stream. Every choice
// ends with an event carrying a FinishReason, the last event of all
// carries Usage, and then the channel is closed. Read until it closes or
// cancel ctx: a cancelled request's blocks are released at the next step
// and its channel closed without blocking on the reader.
func (e *Engine) Generate(ctx context.Context, r Request) (<-chan Event, error) {
	prompt, err := e.PromptTokens(&r)
	if err != nil {
		return nil, err
	}
	p := r.Sampling
	if err := p.check(e.vocab); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if p.N == 0 {
		p.N = 1
	}
	if len(prompt) == 0 {
		return nil, fmt.Errorf("engine: empty prompt")
	}
	maxLen := e.opts.MaxModelLen
	if len(prompt) >= maxLen {
		return nil, fmt.Errorf("engine: prompt of %d tokens leaves no room within the maximum length of %d", len(prompt), maxLen)
	}
	if p.MaxTokens == 0 {
		p.MaxTokens = maxLen - len(prompt)
	} else if len(prompt)+p.MaxTokens > maxLen {
		return nil, fmt.Errorf("engine: prompt of %d tokens plus max_tokens %d exceeds the maximum length of %d", len(prompt), p.MaxTokens, maxLen)
	}
	if pool := e.KVCacheTokens(); len(prompt)+1 > pool {
		return nil, fmt.Errorf("engine: prompt of %d tokens does not fit the KV cache of %d tokens", len(prompt), pool)
	}
	req := newRequest(ctx, prompt, p)
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	req.id = e.nextID
	e.nextID++
	e.incoming = append(e.incoming, req)
	e.mu.Unlock()
	e.poke()
	out := make(chan Event, 16)
	go req.out.forward(ctx, out, e.poke)
	return out, nil
}

// poke wakes the scheduler loop.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Close cancels every request, stops the scheduler and releases the model
// (and the backend the engine made).
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		<-e.done
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	close(e.closing)
	if e.model == nil {
		return e.closeEncoder()
	}
	e.stopStep()
	<-e.done
	err := e.model.Close()
	if e.ownBe != nil {
		if cerr := e.ownBe.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Stats describe the engine's load, for metrics.
type Stats struct {
	Running, Waiting int
	// KV pool in blocks: total, held by sequences, and cached but held
	// by none (reusable or evictable).
	KVBlocks, KVBlocksUsed, KVBlocksCached int
	// KVUsage is KVBlocksUsed / KVBlocks.
	KVUsage float64
	// Prefix cache lookups and hits, in tokens.
	PrefixQueries, PrefixHits int64
	// PromptTokens counts prompt tokens computed (not cached);
	// GenerationTokens tokens generated.
	PromptTokens, GenerationTokens int64
	Preemptions                    int64
	RequestsFinished               int64
	// Choices ended, by finish reason (vllm:request_success_total's
	// finished_reason counts these per request).
	ChoicesStop, ChoicesLength, ChoicesCancelled, ChoicesError int64
	Steps                                                      int64
	LastStep                                                   time.Time
}

// Stats returns a snapshot taken after the latest scheduler step.
func (e *Engine) Stats() Stats {
	e.statsMu.Lock()
	defer e.statsMu.Unlock()
	s := e.stats
	if e.blocks == nil {
		return s
	}
	s.PrefixQueries, s.PrefixHits = e.blocks.Counters()
	return s
}
