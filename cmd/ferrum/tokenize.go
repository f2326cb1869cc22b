package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/hub"
	"github.com/ferrum-go/ferrum/tokenizer"
)

func init() { subcommands = append(subcommands, newTokenizeCmd, newDetokenizeCmd) }

func newTokenizeCmd() *cobra.Command {
	var model string
	var addSpecial, asJSON bool
	cmd := &cobra.Command{
		Use:   "tokenize --model PATH [--add-special-tokens] [--json] -- TEXT",
		Short: "Print the token ids of a text",
		Long: `Tokenize encodes TEXT with a model's tokenizer exactly as Hugging Face
tokenizers does and prints the ids, space separated. Several TEXT arguments
are joined with one space; with none, the text is read from standard input.
PATH is a folder holding tokenizer.json (a model folder or one with only the
tokenizer files), a tokenizer.json file, a .gguf file, or a repo id or alias
already in the Hugging Face cache.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			tk, err := loadTokenizer(cmd.Context(), model)
			if err != nil {
				return err
			}
			text := strings.Join(args, " ")
			if len(args) == 0 {
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return fmt.Errorf("reading standard input: %w", err)
				}
				text = string(b)
			}
			ids, toks := tk.EncodeTokens(text, addSpecial)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetEscapeHTML(false)
				if ids == nil {
					ids, toks = []int{}, []string{}
				}
				return enc.Encode(struct {
					IDs    []int    `json:"ids"`
					Tokens []string `json:"tokens"`
				}{ids, toks})
			}
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = strconv.Itoa(id)
			}
			_, err = fmt.Fprintln(out, strings.Join(parts, " "))
			return err
		},
	}
	cmd.Flags().StringVarP(&model, "model", "m", "", "tokenizer folder, model folder, tokenizer.json, .gguf file, or a cached repo id or alias (required)")
	cmd.Flags().BoolVar(&addSpecial, "add-special-tokens", false, "add the model's special tokens (BOS, [CLS] ... [SEP]) as its post-processor says")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print one JSON object {"ids":[...],"tokens":[...]}`)
	_ = cmd.MarkFlagRequired("model")
	return cmd
}

func newDetokenizeCmd() *cobra.Command {
	var model string
	var skipSpecial bool
	cmd := &cobra.Command{
		Use:   "detokenize --model PATH [--skip-special-tokens] IDS...",
		Short: "Print the text of token ids",
		Long: `Detokenize decodes token ids back to text exactly as Hugging Face tokenizers
does and prints it followed by a newline. Ids are separate arguments or
separated by commas or spaces; with none, they are read from standard input.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			tk, err := loadTokenizer(cmd.Context(), model)
			if err != nil {
				return err
			}
			fields := args
			if len(args) == 0 {
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return fmt.Errorf("reading standard input: %w", err)
				}
				fields = []string{string(b)}
			}
			var ids []int
			for _, a := range fields {
				for _, f := range strings.FieldsFunc(a, func(r rune) bool {
					return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '[' || r == ']'
				}) {
					id, err := strconv.Atoi(f)
					if err != nil {
						return fmt.Errorf("token id %q is not an integer", f)
					}
					if _, ok := tk.IDToToken(id); !ok {
						return fmt.Errorf("token id %d is not in the vocabulary (size %d)", id, tk.VocabSize())
					}
					ids = append(ids, id)
				}
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), tk.Decode(ids, skipSpecial))
			return err
		},
	}
	cmd.Flags().StringVarP(&model, "model", "m", "", "tokenizer folder, model folder, tokenizer.json, .gguf file, or a cached repo id or alias (required)")
	cmd.Flags().BoolVar(&skipSpecial, "skip-special-tokens", false, "leave special tokens (BOS, EOS, <|im_start|> ...) out of the text")
	_ = cmd.MarkFlagRequired("model")
	return cmd
}

func loadTokenizer(ctx context.Context, model string) (*tokenizer.Tokenizer, error) {
	if model == "" {
		return nil, fmt.Errorf("--model is required")
	}
	// A repo id or alias must already be in the cache: tokenizing
	// downloads nothing.
	path, err := hub.Resolve(ctx, model, hub.ResolveOptions{})
	if err != nil {
		return nil, err
	}
	tk, err := tokenizer.Load(path)
	if err != nil {
		return nil, fmt.Errorf("loading the tokenizer of %s: %w", path, err)
	}
	return tk, nil
}
