package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/hub"
)

func init() { subcommands = append(subcommands, newListCmd) }

func newListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the models in the local Hugging Face cache",
		Long: `List shows the models in the Hugging Face cache, whichever tool downloaded
them: one row per safetensors model and one per GGUF model (split GGUFs as one),
with its size, revision and when it was last downloaded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h := hub.FromEnv()
			rows, err := h.List()
			if err != nil {
				return fmt.Errorf("reading the cache %s: %w", h.Cache.Dir, err)
			}
			if asJSON {
				if rows == nil {
					rows = []hub.CachedModel{}
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no models in %s\n", h.Cache.Dir)
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSIZE\tREVISION\tMODIFIED")
			for _, r := range rows {
				name := r.Name
				if !r.Complete {
					name += " (incomplete)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, hub.HumanBytes(r.Size), r.Revision(), listAgo(r.Modified))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array (fields in docs/cli.md)")
	return cmd
}

// listAgo prints a time as Ollama's list does, relative to now.
func listAgo(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return listPlural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return listPlural(int(d/time.Hour), "hour") + " ago"
	case d < 60*24*time.Hour:
		return listPlural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return t.Format("2006-01-02")
}

func listPlural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
