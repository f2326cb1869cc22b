package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/convert"
)

func init() { subcommands = append(subcommands, newQuantizeCmd) }

func newQuantizeCmd() *cobra.Command {
	var (
		typeName string
		name     string
		threads  int
		dryRun   bool
		progress string
	)
	cmd := &cobra.Command{
		Use:   "quantize SRC DST --type TYPE",
		Short: "Convert an HF folder or a GGUF file to a GGUF file of another type",
		Long: `Quantize writes DST, a GGUF file, from SRC: a Hugging Face model folder
(config.json, *.safetensors, tokenizer.json: Llama, Mistral, Qwen2, Qwen3, Qwen3-MoE,
or a BERT/RoBERTa/XLM-R encoder) or a .gguf file (requantization).
Tensor types follow llama.cpp's llama-quantize recipes; the _S/_M/_L mixes give
some tensors more bits. Types: ` + strings.Join(convert.FileTypeNames(), ", ") + ".",
		Args: func(cmd *cobra.Command, args []string) error {
			if dryRun {
				return cobra.RangeArgs(1, 2)(cmd, args)
			}
			return cobra.ExactArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ft, err := convert.ParseFileType(typeName)
			if err != nil {
				return err
			}
			opts := convert.Options{Type: ft, Name: name, Threads: threads}
			if dryRun {
				rep, err := convert.Plan(args[0], opts)
				if err != nil {
					return err
				}
				return printPlan(cmd.OutOrStdout(), rep)
			}
			stderr := cmd.ErrOrStderr()
			mode, err := progressMode(progress, stderr)
			if err != nil {
				return err
			}
			p := &progressPrinter{w: stderr, mode: mode}
			opts.Progress = p.update
			rep, err := convert.Convert(args[0], args[1], opts)
			p.finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %s, %d tensors, %s -> %s", args[1], rep.Type, len(rep.Tensors),
				humanBytes(rep.InBytes), humanBytes(rep.OutBytes))
			if rep.Fallbacks > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), " (%d tensors fell back to a 32-wide type)", rep.Fallbacks)
			}
			fmt.Fprintln(cmd.OutOrStdout())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&typeName, "type", "", "output type: "+strings.Join(convert.FileTypeNames(), ", ")+" (also Q3_K, Q4_K, Q5_K for the _M mixes)")
	f.StringVar(&name, "name", "", "general.name for an HF source (default: the folder's name)")
	f.IntVar(&threads, "threads", 0, "quantization threads (default: all cores)")
	f.BoolVar(&dryRun, "dry-run", false, "print each tensor's planned type and size; write nothing (DST optional)")
	f.StringVar(&progress, "progress", "auto", "progress on stderr: auto (a bar on a terminal, lines otherwise), bar, lines, none")
	_ = cmd.MarkFlagRequired("type")
	return cmd
}

func printPlan(w io.Writer, rep *convert.Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TENSOR\tSHAPE\tFROM\tTO\tBYTES\t")
	for _, t := range rep.Tensors {
		to := t.To.String()
		if t.Fallback {
			to += " (fallback from " + t.FallbackFrom.String() + ")"
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%s\t\n", t.Name, t.Dims, t.From, to, humanBytes(t.OutBytes))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %d tensors, %s -> %s, %d fallbacks\n", rep.Type, len(rep.Tensors),
		humanBytes(rep.InBytes), humanBytes(rep.OutBytes), rep.Fallbacks)
	return err
}
