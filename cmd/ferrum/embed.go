package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/hub"
)

func init() { subcommands = append(subcommands, newEmbedCmd) }

func newEmbedCmd() *cobra.Command {
	var (
		modelPath, pooling, tok  string
		asJSON, truncate, noNorm bool
		threads, maxTokens       int
	)
	cmd := &cobra.Command{
		Use:   "embed --model MODEL [--json] [TEXT...]",
		Short: "Print sentence embeddings of texts",
		Long: `Embed runs an embedding model (BERT, RoBERTa, XLM-R encoders; Qwen3-Embedding
style decoders) over the texts - all of them in one padding-free batch - and
prints one vector per text. Without TEXT arguments it reads one text per line
from standard input. Pooling, normalisation and the token limit come from
the model's sentence-transformers files (docs/models.md, "Embedding models").`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if modelPath == "" {
				return fmt.Errorf("embed: --model is required (a model folder, a .gguf file, a repo id or an alias; the arguments are the texts)")
			}
			path, err := hub.Resolve(cmd.Context(), modelPath, hub.ResolveOptions{Download: true, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			if engine.DetectTask(path) == engine.TaskRerank {
				return fmt.Errorf("embed: %s is a reranker (cross-encoder), which scores (query, document) pairs rather than embedding texts", modelPath)
			}
			texts := args
			if len(texts) == 0 {
				var err error
				if texts, err = readLines(cmd.InOrStdin()); err != nil {
					return err
				}
			}
			if len(texts) == 0 {
				return fmt.Errorf("no texts to embed")
			}
			opts := embed.Options{Threads: threads, Pooling: pooling, MaxTokens: maxTokens, Tokenizer: tok}
			if noNorm {
				f := false
				opts.Normalize = &f
			}
			e, err := embed.Open(path, opts)
			if err != nil {
				return err
			}
			defer e.Close()
			inputs := make([]embed.Input, len(texts))
			for i, t := range texts {
				inputs[i] = embed.Input{Text: t, Truncate: truncate}
			}
			vecs, usage, err := e.Embed(cmd.Context(), inputs)
			if embed.IsTooLong(err) {
				return fmt.Errorf("%w (pass --truncate to cut texts to the limit)", err)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeEmbedJSON(out, modelPath, vecs, usage)
			}
			w := bufio.NewWriter(out)
			for _, v := range vecs {
				for i, x := range v {
					if i > 0 {
						w.WriteByte(' ')
					}
					w.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
				}
				w.WriteByte('\n')
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVarP(&modelPath, "model", "m", "", "model: a folder (config.json, safetensors, tokenizer.json), a .gguf file, a repo id or an alias")
	f.BoolVar(&asJSON, "json", false, "print an OpenAI-style embeddings response")
	f.StringVar(&pooling, "pooling", "", "override the pooling: cls, mean, max, lasttoken, weightedmean")
	f.BoolVar(&noNorm, "no-normalize", false, "do not L2-normalize the vectors")
	f.BoolVar(&truncate, "truncate", false, "cut texts over the token limit instead of failing")
	f.IntVar(&maxTokens, "max-tokens", 0, "token limit per text (default: the model's max_seq_length)")
	f.IntVar(&threads, "threads", 0, "CPU threads (default: all cores)")
	f.StringVar(&tok, "tokenizer", "", "tokenizer.json or folder to use instead of the model's (needed for GGUF)")
	return cmd
}

func readLines(r io.Reader) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), "\r"); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}

// writeEmbedJSON prints the shape of OpenAI's /v1/embeddings response.
func writeEmbedJSON(w io.Writer, modelName string, vecs []embed.Vector, u embed.Usage) error {
	type item struct {
		Object    string       `json:"object"`
		Index     int          `json:"index"`
		Embedding embed.Vector `json:"embedding"`
	}
	resp := struct {
		Object string `json:"object"`
		Data   []item `json:"data"`
		Model  string `json:"model"`
		Usage  struct {
			PromptTokens int `json:"prompt_tokens"`
			TotalTokens  int `json:"total_tokens"`
		} `json:"usage"`
	}{Object: "list", Model: modelName}
	for i, v := range vecs {
		resp.Data = append(resp.Data, item{Object: "embedding", Index: i, Embedding: v})
	}
	resp.Usage.PromptTokens, resp.Usage.TotalTokens = u.PromptTokens, u.TotalTokens
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(resp)
}
