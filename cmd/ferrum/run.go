package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/hub"
	"github.com/ferrum-go/ferrum/internal/term"
)

func init() { subcommands = append(subcommands, newRunCmd) }

// demoModel, when set, names the model `ferrum run` uses without a MODEL
// argument (the embedded demo model of a later change).
var demoModel func() (string, error)

// sampleFlags are the sampling settings shared by run and bench.
type sampleFlags struct {
	temperature, topP, minP            float64
	topK                               int
	repeatPenalty, presence, frequency float64
	seed                               int64
	maxTokens                          int
	stop                               []string
	ignoreEOS                          bool
}

func (f *sampleFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.Float64Var(&f.temperature, "temperature", 0.8, "sampling temperature; 0 is greedy")
	fl.IntVar(&f.topK, "top-k", 40, "keep the K most likely tokens (0: all)")
	fl.Float64Var(&f.topP, "top-p", 0.95, "keep the most likely tokens up to this probability mass (1: all)")
	fl.Float64Var(&f.minP, "min-p", 0.05, "drop tokens less likely than this fraction of the most likely one")
	fl.Float64Var(&f.repeatPenalty, "repeat-penalty", 1, "repetition penalty (1: off)")
	fl.Float64Var(&f.presence, "presence-penalty", 0, "presence penalty (-2..2)")
	fl.Float64Var(&f.frequency, "frequency-penalty", 0, "frequency penalty (-2..2)")
	fl.Int64Var(&f.seed, "seed", -1, "random seed (-1: random)")
	fl.IntVar(&f.maxTokens, "max-tokens", 0, "stop after this many tokens (0: until the end of the answer or the context)")
	fl.StringArrayVar(&f.stop, "stop", nil, "stop string (repeatable)")
	fl.BoolVar(&f.ignoreEOS, "ignore-eos", false, "keep generating past end-of-sequence tokens (up to --max-tokens)")
}

func (f *sampleFlags) params() engine.SamplingParams {
	p := engine.SamplingParams{MaxTokens: f.maxTokens, Stop: f.stop, IgnoreEOS: f.ignoreEOS}
	p.Temperature, p.TopK, p.TopP, p.MinP = f.temperature, f.topK, f.topP, f.minP
	p.RepetitionPenalty, p.PresencePenalty, p.FrequencyPenalty = f.repeatPenalty, f.presence, f.frequency
	if f.seed >= 0 {
		s := f.seed
		p.Seed = &s
	}
	return p
}

type runOptions struct {
	system  string
	raw     bool
	verbose bool
	sample  sampleFlags
}

func newRunCmd() *cobra.Command {
	var ro runOptions
	var eo engineFlags
	cmd := &cobra.Command{
		Use:   "run [MODEL] [PROMPT]",
		Short: "Answer one prompt, or chat interactively",
		Long: `Loads MODEL (a Hugging Face folder, a .gguf file, or a repo id or alias, downloaded into
the Hugging Face cache when missing) and streams the answer to PROMPT
to stdout. Without PROMPT it starts an interactive chat that keeps the conversation's history:
/clear forgets it, /bye (or end of input) quits, """ starts and ends a multi-line message, a line
ending in \ continues on the next one. Ctrl-C stops the answer being written, not the program.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 2 {
				return fmt.Errorf("run: takes [MODEL] [PROMPT], got %d arguments (quote a prompt that has spaces: ferrum run MODEL \"Once upon a time\")", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && demoModel != nil && promptNotModel(args[0]) {
				args = []string{"", args[0]} // `ferrum run "Once upon a time"`: the demo model answers
			}
			var path string
			switch {
			case len(args) > 0 && args[0] != "":
				path = args[0]
			case demoModel != nil:
				p, err := demoModel()
				if err != nil {
					return err
				}
				path = p
			default:
				return errors.New("run: MODEL is required (a Hugging Face model folder or a .gguf file)")
			}
			path, err := hub.Resolve(cmd.Context(), path, hub.ResolveOptions{Download: true, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			e, err := openGenerator(path, eo.options())
			if err != nil {
				return err
			}
			defer e.Close()
			if !ro.raw && !e.HasChatTemplate() {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning: the model has no chat template; prompts are sent as raw text")
				ro.raw = true
			}
			interrupts := make(chan os.Signal, 1)
			signal.Notify(interrupts, os.Interrupt)
			defer signal.Stop(interrupts)
			s := &chatSession{e: e, opts: &ro, out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr(), interrupts: interrupts}
			if len(args) == 2 {
				s.reset()
				_, err := s.answer(cmd.Context(), args[1])
				return err
			}
			return s.interactive(cmd.Context(), cmd.InOrStdin(), stdinIsTerminal(cmd.InOrStdin()))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&ro.system, "system", "", "system message")
	fl.BoolVar(&ro.raw, "raw", false, "send the prompt as raw text, without the chat template")
	fl.BoolVarP(&ro.verbose, "verbose", "v", false, "print prompt and generation speed to stderr after each answer")
	ro.sample.register(cmd)
	eo.register(cmd)
	return cmd
}

// engineFlags are the engine settings shared by run and bench.
type engineFlags struct {
	threads  int
	ctxSize  int
	kvTokens int
	noPrefix bool
	kvType   string
}

func (f *engineFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.IntVarP(&f.threads, "threads", "t", 0, "CPU threads (0: all cores)")
	fl.IntVar(&f.ctxSize, "ctx-size", 0, "maximum tokens of prompt plus answer (0: the model's context length)")
	fl.IntVar(&f.kvTokens, "kv-cache-tokens", 0, "KV cache size in tokens (0: sized from free memory)")
	fl.BoolVar(&f.noPrefix, "no-prefix-cache", false, "disable prefix caching")
	fl.StringVar(&f.kvType, "kv-cache-type", "f16", "KV cache element type: f16 (half the memory) or f32 (exact)")
}

func (f *engineFlags) options() engine.Options {
	return engine.Options{Threads: f.threads, MaxModelLen: f.ctxSize, KVCacheTokens: f.kvTokens, DisablePrefixCache: f.noPrefix, KVCacheType: f.kvType}
}

func stdinIsTerminal(r io.Reader) bool { return term.IsTerminal(r) }

// chatSession is one conversation.
type chatSession struct {
	e          *engine.Engine
	opts       *runOptions
	out        io.Writer
	errOut     io.Writer
	interrupts <-chan os.Signal
	history    []chat.Message
}

func (s *chatSession) reset() {
	s.history = s.history[:0]
	if s.opts.system != "" && !s.opts.raw {
		s.history = append(s.history, chat.Message{Role: "system", Content: chat.Text(s.opts.system)})
	}
}

// answer streams the reply to text and adds both to the history. An
// interrupt stops the reply (keeping what was written); it is not an error.
func (s *chatSession) answer(ctx context.Context, text string) (string, error) {
	req := engine.Request{Sampling: s.opts.sample.params()}
	if s.opts.raw {
		req.Prompt = text
	} else {
		s.history = append(s.history, chat.Message{Role: "user", Content: chat.Text(text)})
		req.Messages = s.history
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := s.e.Generate(ctx, req)
	if err != nil {
		if !s.opts.raw {
			s.history = s.history[:len(s.history)-1]
		}
		return "", err
	}
	var reply strings.Builder
	var usage *engine.Usage
	var genErr error
	interrupted := false
	for done := false; !done; {
		select {
		case ev, ok := <-ch:
			if !ok {
				done = true
				break
			}
			io.WriteString(s.out, ev.Text)
			reply.WriteString(ev.Text)
			if ev.FinishReason == engine.FinishError {
				genErr = ev.Err
			}
			if ev.Usage != nil {
				usage = ev.Usage
			}
		case <-s.interrupts:
			interrupted = true
			cancel()
		}
	}
	fmt.Fprintln(s.out)
	if interrupted {
		fmt.Fprintln(s.errOut, "(stopped)")
	}
	if !s.opts.raw {
		s.history = append(s.history, chat.Message{Role: "assistant", Content: chat.Text(reply.String())})
	}
	if s.opts.verbose && usage != nil {
		printSpeed(s.errOut, usage)
	}
	return reply.String(), genErr
}

func printSpeed(w io.Writer, u *engine.Usage) {
	computed := u.PromptTokens - u.CachedTokens
	rate := func(n int, d time.Duration) string {
		if n <= 0 || d <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", float64(n)/d.Seconds())
	}
	gen := u.Duration - u.TimeToFirstToken
	fmt.Fprintf(w, "prompt: %d tokens (%d cached), %s tokens/s\n", u.PromptTokens, u.CachedTokens, rate(computed, u.TimeToFirstToken))
	fmt.Fprintf(w, "generation: %d tokens, %s tokens/s\n", u.CompletionTokens, rate(u.CompletionTokens-1, gen))
}

// interactive reads messages until /bye or the end of input.
func (s *chatSession) interactive(ctx context.Context, in io.Reader, terminal bool) error {
	s.reset()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 16<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	prompt := func(p string) {
		if terminal {
			io.WriteString(s.out, p)
		}
	}
	if terminal {
		fmt.Fprintln(s.out, `Type a message; """ for several lines, /clear to forget the conversation, /bye to quit.`)
	}
	for {
		prompt(">>> ")
		msg, ok := s.readMessage(lines, prompt)
		if !ok {
			if terminal {
				fmt.Fprintln(s.out)
			}
			return nil
		}
		switch strings.TrimSpace(msg) {
		case "":
			continue
		case "/bye", "/exit", "/quit":
			return nil
		case "/clear":
			s.reset()
			fmt.Fprintln(s.errOut, "(conversation cleared)")
			continue
		case "/help", "/?":
			fmt.Fprintln(s.out, `/clear  forget the conversation
/bye    quit
"""     start or end a multi-line message
\       at the end of a line: continue on the next`)
			continue
		}
		if _, err := s.answer(ctx, msg); err != nil {
			fmt.Fprintln(s.errOut, "error:", err)
		}
	}
}

// readMessage reads one message: a line, lines joined by trailing
// backslashes, or a """ block. An interrupt at the prompt is a hint, not
// an exit.
func (s *chatSession) readMessage(lines <-chan string, prompt func(string)) (string, bool) {
	var parts []string
	block := false
	for {
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
			if !ok {
				return strings.Join(parts, "\n"), len(parts) > 0
			}
		case <-s.interrupts:
			fmt.Fprintln(s.errOut, "\n(use /bye or Ctrl-D to quit)")
			prompt(">>> ")
			continue
		}
		switch {
		case !block && len(parts) == 0 && strings.HasPrefix(line, `"""`):
			rest := strings.TrimPrefix(line, `"""`)
			if strings.HasSuffix(rest, `"""`) && len(rest) >= 3 {
				return strings.TrimSuffix(rest, `"""`), true
			}
			block = true
			if rest != "" {
				parts = append(parts, rest)
			}
		case block:
			if strings.HasSuffix(line, `"""`) {
				if l := strings.TrimSuffix(line, `"""`); l != "" {
					parts = append(parts, l)
				}
				return strings.Join(parts, "\n"), true
			}
			parts = append(parts, line)
		case strings.HasSuffix(line, `\`):
			parts = append(parts, strings.TrimSuffix(line, `\`))
		default:
			parts = append(parts, line)
			return strings.Join(parts, "\n"), true
		}
		prompt("... ")
	}
}
