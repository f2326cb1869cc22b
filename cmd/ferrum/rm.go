package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/hub"
)

func init() { subcommands = append(subcommands, newRmCmd) }

func newRmCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "rm MODEL...",
		Short: "Remove models from the local Hugging Face cache",
		Long: `Rm deletes a model from the Hugging Face cache. A repo id or alias removes the
whole repo (every revision); a GGUF (org/name:FILE.gguf, org/name:QUANT,
ALIAS-QUANT) removes that GGUF and keeps the rest of the repo. It asks first
unless -y is given.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("rm: MODEL is required (a repo id, a GGUF ref or an alias; ferrum list shows the cached ones)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			h := hub.FromEnv()
			var plans []*hub.Removal
			for _, m := range args {
				p, err := h.PlanRemove(m)
				if err != nil {
					return err
				}
				plans = append(plans, p)
			}
			in := bufio.NewReader(cmd.InOrStdin())
			for _, p := range plans {
				if !yes {
					fmt.Fprintf(cmd.ErrOrStderr(), "remove %s from %s? [y/N] ", p, h.Cache.Dir)
					line, err := in.ReadString('\n')
					answer := strings.ToLower(strings.TrimSpace(line))
					if answer != "y" && answer != "yes" {
						if err != nil && line == "" {
							return fmt.Errorf("no answer on stdin; pass -y to remove without asking")
						}
						fmt.Fprintf(cmd.ErrOrStderr(), "kept %s\n", p.What)
						continue
					}
				}
				if err := p.Apply(); err != nil {
					return fmt.Errorf("removing %s: %w", p.What, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", p)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "remove without asking")
	return cmd
}
