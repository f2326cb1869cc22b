package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/hub"
	"github.com/ferrum-go/ferrum/internal/version"
	"github.com/ferrum-go/ferrum/server"
)

func init() { subcommands = append(subcommands, newServeCmd) }

type serveOptions struct {
	model, embeddingModel   string
	names, embeddingNames   []string
	host                    string
	port                    int
	apiKey                  string
	chatTemplate            string
	task                    string
	toolParser, reasoning   string
	maxSeqs, maxBatchTokens int
	kvCacheSize             string
	cors                    []string
	maxPending              int
	maxBody                 int64
	grace                   time.Duration
	engine                  engineFlags
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve [MODEL | --model MODEL]",
		Short: "Serve a model over an OpenAI-compatible HTTP API",
		Long: `Serves MODEL (a Hugging Face folder, a .gguf file, or a repo id or alias, downloaded
into the Hugging Face cache when missing) on an OpenAI-compatible API: /v1/chat/completions,
/v1/completions, /v1/embeddings, /v1/models, /tokenize, /detokenize, /health, /metrics,
/version (docs/api.md). The port opens at once; /health answers 503 until the model is
loaded. SIGTERM or Ctrl-C stops accepting requests and lets those in progress finish
within --shutdown-grace.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if o.model != "" && o.model != args[0] {
					return fmt.Errorf("serve: MODEL given twice (%s and --model %s)", args[0], o.model)
				}
				o.model = args[0]
			}
			return runServe(cmd, &o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.model, "model", "m", "", "model to serve: a folder, a .gguf file, a repo id or an alias")
	fl.StringArrayVar(&o.names, "served-model-name", nil, "name clients use for the model (repeatable; the first is reported; default: --model as given)")
	fl.StringVar(&o.embeddingModel, "embedding-model", "", "an embedding model to serve beside --model on /v1/embeddings")
	fl.StringArrayVar(&o.embeddingNames, "embedding-model-name", nil, "name of the --embedding-model (repeatable; default: as given)")
	fl.StringVar(&o.task, "task", "auto", "what --model is: generate, embed, rerank, or auto (decided from its config)")
	fl.StringVar(&o.host, "host", "127.0.0.1", "address to listen on (0.0.0.0 for every interface)")
	fl.IntVar(&o.port, "port", 8080, "port to listen on (0: any free port, printed at start)")
	fl.StringVar(&o.apiKey, "api-key", "", "require this key as 'Authorization: Bearer KEY' (default: $FERRUM_API_KEY; none: open)")
	fl.StringVar(&o.chatTemplate, "chat-template", "", "chat template file (.jinja, or a tokenizer_config.json) instead of the model's")
	fl.StringVar(&o.toolParser, "tool-call-parser", "auto", "how the model writes tool calls: hermes, llama3_json, none, or auto (from the chat template)")
	fl.StringVar(&o.reasoning, "reasoning-parser", "auto", "split <think> sections into reasoning_content: think, none, or auto (when the vocabulary has <think>)")
	fl.IntVar(&o.maxSeqs, "max-seqs", 0, "sequences generated at once (default 64)")
	fl.IntVar(&o.maxBatchTokens, "max-batch-tokens", 0, "tokens per forward pass, prompt chunks included (default 2048)")
	fl.StringVar(&o.kvCacheSize, "kv-cache-size", "", "KV cache size in bytes, e.g. 2GiB or 512MB (default: 40% of available memory; see also --kv-cache-tokens)")
	fl.StringArrayVar(&o.cors, "cors-origin", nil, "allow browser calls from this origin (repeatable; * for any)")
	fl.IntVar(&o.maxPending, "max-pending", 512, "requests in progress at once before new ones get 429")
	fl.Int64Var(&o.maxBody, "max-body-bytes", 32<<20, "largest request body accepted (413 beyond)")
	fl.DurationVar(&o.grace, "shutdown-grace", 30*time.Second, "time requests in progress get to finish after SIGTERM")
	o.engine.register(cmd)
	return cmd
}

func runServe(cmd *cobra.Command, o *serveOptions) error {
	modelArg := o.model
	if modelArg == "" {
		if demoModel == nil {
			return errors.New("serve: --model is required (a Hugging Face model folder, a .gguf file, a repo id or an alias)")
		}
		p, err := demoModel() // the embedded demo model, when the build has one
		if err != nil {
			return err
		}
		modelArg = p
		if len(o.names) == 0 {
			o.names = []string{demoName} // listed as ferrum-demo, not by its cache path
		}
	}
	switch o.task {
	case "auto", "generate", "embed", "rerank":
	default:
		return fmt.Errorf("--task %q: want generate, embed, rerank or auto", o.task)
	}
	eopts := o.engine.options()
	eopts.MaxSeqs, eopts.MaxBatchTokens = o.maxSeqs, o.maxBatchTokens
	if o.kvCacheSize != "" {
		n, err := parseByteSize(o.kvCacheSize)
		if err != nil {
			return fmt.Errorf("--kv-cache-size: %w", err)
		}
		eopts.KVCacheBytes = n
	}
	if o.chatTemplate != "" {
		b, err := os.ReadFile(o.chatTemplate)
		if err != nil {
			return fmt.Errorf("--chat-template: %w", err)
		}
		if !strings.HasSuffix(o.chatTemplate, ".json") {
			eopts.ChatTemplate = string(b)
		}
	}
	key := o.apiKey
	if key == "" {
		key = os.Getenv("FERRUM_API_KEY")
	}
	srv := server.New(server.Config{APIKey: key, CORSOrigins: o.cors, MaxBodyBytes: o.maxBody,
		MaxPending: o.maxPending, Version: version.String(), Logger: slog.Default()})

	addr := net.JoinHostPort(o.host, strconv.Itoa(o.port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errOut := cmd.ErrOrStderr()
	fmt.Fprintf(errOut, "ferrum: listening on http://%s (loading %s)\n", ln.Addr(), modelArg)

	// The port answers (503 on /health) while the models load.
	loadErr := make(chan error, 1)
	var closers []func() error
	go func() {
		defer close(loadErr)
		cl, err := loadServed(ctx, srv, o, modelArg, eopts, errOut)
		closers = cl
		if err != nil {
			loadErr <- err
			stop()
			return
		}
		srv.SetReady()
		fmt.Fprintf(errOut, "ferrum: ready on http://%s/v1\n", ln.Addr())
	}()
	serveErr := srv.Serve(ctx, ln, o.grace)
	err = <-loadErr
	for _, c := range closers {
		c()
	}
	if err != nil {
		return err
	}
	return serveErr
}

// loadServed loads --model and --embedding-model into srv; the returned
// functions release them.
func loadServed(ctx context.Context, srv *server.Server, o *serveOptions, modelArg string, eopts engine.Options, progress interface{ Write([]byte) (int, error) }) ([]func() error, error) {
	var closers []func() error
	load := func(arg string, names []string, task string) error {
		path, err := hub.Resolve(ctx, arg, hub.ResolveOptions{Download: true, Progress: progress})
		if err != nil {
			return err
		}
		if len(names) == 0 {
			names = []string{arg}
		}
		t, err := engine.ParseTask(task)
		if err != nil {
			return err
		}
		if t == engine.TaskAuto {
			t = engine.DetectTask(path)
		}
		switch t {
		case engine.TaskRerank:
			e, err := engine.Open(path, engine.Options{Task: engine.TaskRerank, Threads: eopts.Threads, TokenizerPath: eopts.TokenizerPath})
			if err != nil {
				return err
			}
			closers = append(closers, e.Close)
			return srv.AddModel(&server.Model{Names: names, Root: path, Reranker: e.Reranker()})
		case engine.TaskEmbed:
			e, err := engine.Open(path, engine.Options{Task: engine.TaskEmbed, Threads: eopts.Threads, TokenizerPath: eopts.TokenizerPath})
			if err != nil {
				return err
			}
			closers = append(closers, e.Close)
			return srv.AddModel(&server.Model{Names: names, Root: path, Embedder: e.Embedder()})
		}
		ch, err := engine.LoadChat(path, o.chatTemplate)
		if err != nil {
			return err
		}
		eopts.Task = engine.TaskGenerate
		e, err := engine.Open(path, eopts)
		if err != nil {
			return err
		}
		closers = append(closers, e.Close)
		if ch == nil {
			fmt.Fprintf(progress, "warning: %s has no chat template; /v1/chat/completions will answer 400 (pass --chat-template)\n", arg)
		}
		tools := chat.ToolCallFormat(o.toolParser)
		if tools == "auto" {
			tools = ""
		}
		reasoning := o.reasoning
		if reasoning == "auto" {
			reasoning = ""
		}
		return srv.AddModel(&server.Model{Names: names, Root: path, Generator: e, Chat: ch,
			ToolCallFormat: tools, Reasoning: reasoning})
	}
	if err := load(modelArg, o.names, o.task); err != nil {
		return closers, err
	}
	if o.embeddingModel != "" {
		if err := load(o.embeddingModel, o.embeddingNames, "embed"); err != nil {
			return closers, fmt.Errorf("--embedding-model: %w", err)
		}
	}
	return closers, nil
}

// parseByteSize reads 1073741824, 512MB, 2GiB, 1.5G (K/M/G/T: powers of
// 1000 with B, of 1024 with iB or alone).
func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') && t[i-1] != '.' {
		i--
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 2GiB, 512MB)", s)
	}
	mult := map[string]float64{"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1e12}
	m, ok := mult[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (use B, KB, MB, GB, KiB, MiB, GiB)", s, unit)
	}
	return int64(v * m), nil
}
