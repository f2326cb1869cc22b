package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/tokenizer"
)

// Generator is what the server needs of a generation engine;
// *engine.Engine is one.
type Generator interface {
	Generate(ctx context.Context, r engine.Request) (<-chan engine.Event, error)
	Tokenizer() *tokenizer.Tokenizer
	Options() engine.Options
	Stats() engine.Stats
}

// Embedder is what the server needs of an embedding model; *embed.Embedder
// is one.
type Embedder interface {
	Embed(ctx context.Context, inputs []embed.Input) ([]embed.Vector, embed.Usage, error)
	Info() embed.Info
	Tokenizer() *tokenizer.Tokenizer
}

// Reranker is what the server needs of a cross-encoder; *embed.Reranker
// is one.
type Reranker interface {
	Rerank(ctx context.Context, query string, docs []string, truncate bool) ([]embed.RerankResult, embed.Usage, error)
	Tokenizer() *tokenizer.Tokenizer
}

// Model is one served model: a generator (with its chat template), an
// embedder or a reranker.
type Model struct {
	// Names are the names clients use; Names[0] is the one responses
	// report. At least one.
	Names []string
	// Root is where the model was loaded from (shown by /v1/models).
	Root string

	Generator Generator
	// Chat renders chat requests; nil makes /v1/chat/completions fail
	// with 400 for this model.
	Chat *chat.Chat
	// ToolCallFormat parses the model's tool calls: "" detects it from
	// the chat template, "none" turns parsing off.
	ToolCallFormat chat.ToolCallFormat
	// Reasoning splits <think> sections into reasoning_content: "" (auto:
	// when the vocabulary has <think> and </think>), "none", or "think".
	Reasoning string

	Embedder Embedder
	Reranker Reranker

	created   int64
	embedTurn chan struct{}
	tools     chat.ToolCallFormat
	reasoning *chat.Reasoning
	metrics   *modelMetrics
}

// Config tunes a Server. Zero values are sensible.
type Config struct {
	// APIKey, when set, is required as "Authorization: Bearer KEY" on /v1/*,
	// /tokenize and /detokenize.
	APIKey string
	// CORSOrigins are the origins browsers may call from ("*" for any);
	// none sends no CORS headers.
	CORSOrigins []string
	// MaxBodyBytes caps a request body (413 beyond). Default 32 MiB.
	MaxBodyBytes int64
	// MaxPending caps the generation and embedding requests in progress
	// (running or queued in the engine); more get 429. Default 512.
	MaxPending int
	// Version is reported by GET /version.
	Version string
	// Logger receives request errors; nil uses slog.Default().
	Logger *slog.Logger
}

// Server is an OpenAI-compatible HTTP API over loaded models.
type Server struct {
	cfg Config
	log *slog.Logger

	mu     sync.RWMutex
	models []*Model

	ready    atomic.Bool
	draining atomic.Bool
	pending  atomic.Int64
}

// New makes a server with no models; it answers /health with 503 until
// SetReady.
func New(cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 32 << 20
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 512
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// AddModel serves m under its names.
func (s *Server) AddModel(m *Model) error {
	if len(m.Names) == 0 || slices.Contains(m.Names, "") {
		return fmt.Errorf("server: a model needs non-empty names")
	}
	if n := btoi(m.Generator != nil) + btoi(m.Embedder != nil) + btoi(m.Reranker != nil); n != 1 {
		return fmt.Errorf("server: model %s needs exactly one of Generator, Embedder and Reranker", m.Names[0])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.models {
		for _, n := range m.Names {
			if slices.Contains(old.Names, n) {
				return fmt.Errorf("server: model name %q is served twice", n)
			}
		}
	}
	m.created = time.Now().Unix()
	m.metrics = newModelMetrics(m.Names[0])
	m.embedTurn = make(chan struct{}, 1)
	if m.Generator != nil {
		if err := m.setupParsers(); err != nil {
			return err
		}
	}
	s.models = append(s.models, m)
	return nil
}

func (m *Model) setupParsers() error {
	switch m.ToolCallFormat {
	case "":
		if m.Chat != nil {
			for _, name := range []string{"tool_use", "default"} {
				if t, ok := m.Chat.Template(name); ok {
					if m.tools = chat.DetectToolCallFormat(t.Source()); m.tools != "" {
						break
					}
				}
			}
		}
	case "none":
	case chat.ToolCallsHermes, chat.ToolCallsLlama3JSON:
		m.tools = m.ToolCallFormat
	default:
		return fmt.Errorf("server: unknown tool call format %q (want hermes, llama3_json or none)", m.ToolCallFormat)
	}
	switch m.Reasoning {
	case "":
		tok := m.Generator.Tokenizer()
		_, a := tok.TokenToID(chat.ThinkTags.Start)
		_, b := tok.TokenToID(chat.ThinkTags.End)
		if a && b {
			m.reasoning = &chat.ThinkTags
		}
	case "none":
	case "think":
		m.reasoning = &chat.ThinkTags
	default:
		return fmt.Errorf("server: unknown reasoning parser %q (want think or none)", m.Reasoning)
	}
	return nil
}

// SetReady makes /health answer 200 and the API serve requests.
func (s *Server) SetReady() { s.ready.Store(true) }

// Drain makes new requests fail with 503 (and /health too) while those in
// progress go on. Serve drains by itself when its context ends.
func (s *Server) Drain() { s.draining.Store(true) }

// Handler routes the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.api(s.handleChat))
	mux.HandleFunc("POST /v1/completions", s.api(s.handleCompletions))
	mux.HandleFunc("POST /v1/embeddings", s.api(s.handleEmbeddings))
	mux.HandleFunc("POST /v1/rerank", s.api(s.handleRerank))
	mux.HandleFunc("POST /rerank", s.api(s.handleRerank))
	mux.HandleFunc("GET /v1/models", s.api(s.handleModels))
	mux.HandleFunc("GET /v1/models/{id...}", s.api(s.handleModel))
	mux.HandleFunc("POST /tokenize", s.api(s.handleTokenize))
	mux.HandleFunc("POST /detokenize", s.api(s.handleDetokenize))
	mux.HandleFunc("GET /health", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.HandleFunc("GET /version", s.handleVersion)
	mux.HandleFunc("/", s.handleUnknown)
	return s.recoverer(s.logged(s.cors(s.auth(mux))))
}

var knownPaths = []string{"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/rerank", "/rerank", "/v1/models",
	"/tokenize", "/detokenize", "/health", "/metrics", "/version"}

func (s *Server) handleUnknown(w http.ResponseWriter, r *http.Request) {
	if slices.Contains(knownPaths, r.URL.Path) {
		writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Type: "invalid_request_error",
			Message: fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path)})
		return
	}
	writeError(w, notFound("", "not_found", "no such endpoint: %s %s", r.Method, r.URL.Path))
}

// api wraps an API endpoint: 503 until ready and while draining.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request) *apiError) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case s.draining.Load():
			writeError(w, unavailable("the server is shutting down"))
			return
		case !s.ready.Load():
			writeError(w, unavailable("the model is loading"))
			return
		}
		if err := h(w, r); err != nil {
			if err.Status >= 500 {
				s.log.Error("request failed", "path", r.URL.Path, "status", err.Status, "err", err.Message)
			}
			writeError(w, err)
		}
	}
}

// admit reserves a pending slot (429 when all are taken); release frees it.
func (s *Server) admit() (release func(), err *apiError) {
	if n := s.pending.Add(1); n > int64(s.cfg.MaxPending) {
		s.pending.Add(-1)
		return nil, &apiError{Status: http.StatusTooManyRequests, Type: "rate_limit_error", Code: "rate_limit_exceeded",
			Message: fmt.Sprintf("the server is overloaded: %d requests are in progress (the limit is %d); retry later", n-1, s.cfg.MaxPending)}
	}
	return func() { s.pending.Add(-1) }, nil
}

// modelKind is what a model does; each endpoint serves one kind.
type modelKind int

const (
	kindGenerate modelKind = iota
	kindEmbed
	kindRerank
)

func (m *Model) kind() modelKind {
	switch {
	case m.Generator != nil:
		return kindGenerate
	case m.Reranker != nil:
		return kindRerank
	}
	return kindEmbed
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// model finds the generation (wantGenerator) or embedding model a request
// names.
func (s *Server) model(name string, wantGenerator bool) (*Model, *apiError) {
	if wantGenerator {
		return s.modelOf(name, kindGenerate)
	}
	return s.modelOf(name, kindEmbed)
}

// modelOf finds the model a request names; "" picks the first model of the
// kind wanted (the one --model loaded).
func (s *Server) modelOf(name string, want modelKind) (*Model, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, m := range s.models {
		if name == "" && m.kind() == want {
			return m, nil
		}
		if slices.Contains(m.Names, name) {
			if m.kind() != want {
				return nil, badRequest("model", "model %q is not %s model", name, kindName(want))
			}
			return m, nil
		}
	}
	if name == "" {
		return nil, notFound("model", "model_not_found", "this server serves no %s model", strings.TrimPrefix(strings.TrimPrefix(kindName(want), "an "), "a "))
	}
	return nil, notFound("model", "model_not_found", "the model `%s` does not exist", name)
}

func kindName(k modelKind) string {
	switch k {
	case kindGenerate:
		return "a generation"
	case kindRerank:
		return "a reranker"
	}
	return "an embedding"
}

// logged logs each request at debug level (info for errors), with its
// status and duration.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		lvl := slog.LevelDebug
		if sw.status >= 400 {
			lvl = slog.LevelInfo
		}
		s.log.Log(r.Context(), lvl, "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start).Round(time.Microsecond), "remote", r.RemoteAddr)
	})
}

// statusWriter remembers the status; Unwrap lets http.ResponseController
// reach the connection's Flush.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving a request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeError(w, serverError("internal error: %v", v))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// auth checks the bearer key on the API paths (not on /health, /metrics
// and /version, which load balancers and scrapers call).
func (s *Server) auth(h http.Handler) http.Handler {
	if s.cfg.APIKey == "" {
		return h
	}
	want := []byte("Bearer " + s.cfg.APIKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		protected := strings.HasPrefix(p, "/v1/") || p == "/tokenize" || p == "/detokenize"
		if protected && r.Method != http.MethodOptions &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			msg := "missing API key: send it as Authorization: Bearer KEY"
			if r.Header.Get("Authorization") != "" {
				msg = "incorrect API key provided"
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="ferrum"`)
			writeError(w, &apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_api_key", Message: msg})
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) cors(h http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return h
	}
	anyOrigin := slices.Contains(s.cfg.CORSOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && (anyOrigin || slices.Contains(s.cfg.CORSOrigins, origin)) {
			hd := w.Header()
			if anyOrigin {
				hd.Set("Access-Control-Allow-Origin", "*")
			} else {
				hd.Set("Access-Control-Allow-Origin", origin)
				hd.Add("Vary", "Origin")
			}
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				hd.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				hd.Set("Access-Control-Max-Age", "86400")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	status := "ok"
	code := http.StatusOK
	switch {
	case s.draining.Load():
		status, code = "draining", http.StatusServiceUnavailable
	case !s.ready.Load():
		status, code = "loading", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"status": status})
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]string{"version": s.cfg.Version})
}
