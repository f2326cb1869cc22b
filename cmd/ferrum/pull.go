package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/hub"
)

func init() { subcommands = append(subcommands, newPullCmd) }

func newPullCmd() *cobra.Command {
	var (
		listAliases bool
		concurrency int
		quiet       bool
	)
	cmd := &cobra.Command{
		Use:   "pull MODEL...",
		Short: "Download models from the Hugging Face Hub into the local cache",
		Long: `Pull downloads a model into the Hugging Face cache (the one huggingface_hub
and transformers use), resuming interrupted downloads and checking each file's
SHA-256. MODEL is

  org/name[@REV]           a safetensors model: config, tokenizer, chat template, weights
  org/name:FILE.gguf       one GGUF file (every part of a split GGUF)
  org/name:QUANT           the GGUF of that quantisation (Q4_K_M, Q8_0, ...) in a GGUF repo
  ALIAS[-QUANT]            a short name such as qwen3:0.6b or qwen3:0.6b-q4_k_m (--aliases)

It prints each model's local path on stdout; progress goes to stderr.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if listAliases && len(args) > 0 {
				return fmt.Errorf("pull: --aliases takes no MODEL (got %q)", args)
			}
			if !listAliases && len(args) == 0 {
				return fmt.Errorf("pull: MODEL is required (a repo id such as Qwen/Qwen3-0.6B, org/name:QUANT, or an alias; --aliases lists them)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if listAliases {
				return printAliases(cmd)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			h := hub.FromEnv()
			h.Concurrency = concurrency
			if !quiet {
				h.Progress = cmd.ErrOrStderr()
			}
			for _, m := range args {
				if err := pullOne(ctx, cmd, h, m, quiet); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&listAliases, "aliases", false, "list the short model names and what they pull, then exit")
	cmd.Flags().IntVar(&concurrency, "concurrency", 4, "files downloaded at once")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress output")
	return cmd
}

func pullOne(ctx context.Context, cmd *cobra.Command, h *hub.Hub, model string, quiet bool) error {
	ref, err := hub.ParseRef(model)
	if err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "pulling %s from %s/%s\n", ref, h.Client.Endpoint, ref.Repo)
	}
	res, err := h.PullRef(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), res.Path)
	return nil
}

func printAliases(cmd *cobra.Command) error {
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALIAS\tREPO\tGGUF REPO (ALIAS-QUANT)\tNOTES")
	for _, a := range hub.Aliases() {
		gguf := a.GGUFRepo
		if gguf == "" {
			gguf = "-"
		}
		note := ""
		if a.Embedding {
			note = "embedding"
		}
		if a.Gated {
			note = "gated: needs HF_TOKEN"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Repo, gguf, note)
	}
	return tw.Flush()
}
