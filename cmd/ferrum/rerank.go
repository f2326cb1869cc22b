package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/engine"
	"github.com/ferrum-go/ferrum/hub"
)

func init() { subcommands = append(subcommands, newRerankCmd) }

func newRerankCmd() *cobra.Command {
	var (
		modelPath, tok   string
		asJSON, truncate bool
		threads, topN    int
	)
	cmd := &cobra.Command{
		Use:   "rerank --model MODEL [--json] [--top-n N] QUERY [DOC...]",
		Short: "Score documents against a query with a cross-encoder",
		Long: `Rerank runs a cross-encoder (BERT, RoBERTa or XLM-R *ForSequenceClassification
with one label, such as bge-reranker or ms-marco-MiniLM) over (QUERY, DOC)
pairs and prints the documents by relevance, best first: one line per
document with its score (sigmoid of the logit), its index in the arguments
and its text. Without DOC arguments it reads one document per line from
standard input. --json prints the response of POST /v1/rerank.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if modelPath == "" {
				return fmt.Errorf("rerank: --model is required (a reranker folder, a repo id or an alias; the arguments are the query and the documents)")
			}
			if topN < 0 {
				return fmt.Errorf("rerank: --top-n %d is negative", topN)
			}
			query, docs := args[0], args[1:]
			if query == "" {
				return fmt.Errorf("rerank: the query is empty")
			}
			if len(docs) == 0 {
				var err error
				if docs, err = readLines(cmd.InOrStdin()); err != nil {
					return err
				}
			}
			if len(docs) == 0 {
				return fmt.Errorf("rerank: no documents to score")
			}
			path, err := hub.Resolve(cmd.Context(), modelPath, hub.ResolveOptions{Download: true, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			if t := engine.DetectTask(path); t != engine.TaskRerank {
				return fmt.Errorf("rerank: %s is not a reranker (cross-encoder): its task is %s", modelPath, t)
			}
			e, err := engine.Open(path, engine.Options{Task: engine.TaskRerank, Threads: threads, TokenizerPath: tok})
			if err != nil {
				return err
			}
			defer e.Close()
			res, usage, err := e.Rerank(cmd.Context(), query, docs, truncate)
			if embed.IsTooLong(err) {
				return fmt.Errorf("%w (pass --truncate to cut pairs to the limit)", err)
			}
			if err != nil {
				return err
			}
			// Stable, so equal scores keep document order (as the server does).
			slices.SortStableFunc(res, func(a, b embed.RerankResult) int {
				switch {
				case a.Score > b.Score:
					return -1
				case a.Score < b.Score:
					return 1
				}
				return 0
			})
			if topN > 0 && topN < len(res) {
				res = res[:topN]
			}
			if asJSON {
				return writeRerankJSON(cmd.OutOrStdout(), modelPath, docs, res, usage)
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			for _, r := range res {
				fmt.Fprintf(w, "%s\t%d\t%s\n", strconv.FormatFloat(float64(r.Score), 'f', 6, 32), r.Index, docs[r.Index])
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVarP(&modelPath, "model", "m", "", "reranker: a folder (config.json, safetensors, tokenizer.json), a repo id or an alias")
	f.BoolVar(&asJSON, "json", false, "print the response of POST /v1/rerank")
	f.IntVar(&topN, "top-n", 0, "print only the N best documents (0: all)")
	f.BoolVar(&truncate, "truncate", false, "cut (query, document) pairs over the token limit instead of failing")
	f.IntVar(&threads, "threads", 0, "CPU threads (default: all cores)")
	f.StringVar(&tok, "tokenizer", "", "tokenizer.json or folder to use instead of the model's")
	return cmd
}

// writeRerankJSON prints the shape of the server's /v1/rerank response.
func writeRerankJSON(w io.Writer, modelName string, docs []string, res []embed.RerankResult, u embed.Usage) error {
	type document struct {
		Text string `json:"text"`
	}
	type result struct {
		Index          int      `json:"index"`
		RelevanceScore float64  `json:"relevance_score"`
		Document       document `json:"document"`
	}
	resp := struct {
		Model   string   `json:"model"`
		Results []result `json:"results"`
		Usage   struct {
			PromptTokens int `json:"prompt_tokens"`
			TotalTokens  int `json:"total_tokens"`
		} `json:"usage"`
	}{Model: modelName, Results: []result{}}
	for _, r := range res {
		resp.Results = append(resp.Results, result{Index: r.Index, RelevanceScore: float64(r.Score), Document: document{Text: docs[r.Index]}})
	}
	resp.Usage.PromptTokens, resp.Usage.TotalTokens = u.PromptTokens, u.TotalTokens
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(resp)
}
