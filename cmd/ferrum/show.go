package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/hfconfig"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/hub"
)

func init() { subcommands = append(subcommands, newShowCmd) }

func newShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show MODEL",
		Short: "Describe a GGUF file or a Hugging Face model folder",
		Long: `Show prints a model's architecture, parameter count, context length, vocabulary
size, the mix of tensor types, its metadata (GGUF) and a table of its tensors.
MODEL is a .gguf file, an HF folder (config.json + *.safetensors), a
.safetensors file or shard index, or a repo id or alias already in the
Hugging Face cache (show downloads nothing).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("show: want one MODEL (a .gguf file, a model folder, a repo id or an alias), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := hub.Resolve(cmd.Context(), args[0], hub.ResolveOptions{})
			if err != nil {
				return err
			}
			r, err := inspect(path)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(r)
			}
			return r.print(cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of text (fields in docs/cli.md)")
	return cmd
}

// modelReport is what show prints; its JSON form is documented in docs/cli.md.
type modelReport struct {
	Path          string       `json:"path"`
	Format        string       `json:"format"` // "gguf" or "safetensors"
	GGUFVersion   uint32       `json:"gguf_version,omitempty"`
	Alignment     int          `json:"alignment,omitempty"`
	Files         []string     `json:"files,omitempty"`
	Architecture  string       `json:"architecture"`
	Architectures []string     `json:"architectures,omitempty"`
	ModelType     string       `json:"model_type,omitempty"`
	Name          string       `json:"name,omitempty"`
	DType         string       `json:"dtype,omitempty"`
	Parameters    int64        `json:"parameters"`
	ContextLength int64        `json:"context_length"`
	VocabSize     int64        `json:"vocab_size"`
	TensorBytes   int64        `json:"tensor_bytes"`
	Types         []typeStat   `json:"types"`
	Metadata      []metaEntry  `json:"metadata,omitempty"`
	Tensors       []tensorStat `json:"tensors"`
	Warnings      []string     `json:"warnings,omitempty"`
}

type typeStat struct {
	Type       string `json:"type"`
	Tensors    int    `json:"tensors"`
	Parameters int64  `json:"parameters"`
	Bytes      int64  `json:"bytes"`
}

type tensorStat struct {
	Name  string  `json:"name"`
	Type  string  `json:"type"`
	Shape []int64 `json:"shape"`
	Bytes int64   `json:"bytes"`
}

type metaEntry struct {
	Key       string `json:"key"`
	Type      string `json:"type"`
	Value     any    `json:"value"`
	Len       *int   `json:"len,omitempty"`       // arrays: element count
	Truncated bool   `json:"truncated,omitempty"` // arrays: value holds only the first elements

	value gguf.Value // for the text form
}

// jsonArrayHead is how many array elements the JSON metadata keeps.
const jsonArrayHead = 16

func inspect(path string) (*modelReport, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return inspectHF(path, path)
	}
	if strings.HasSuffix(path, ".safetensors") || strings.HasSuffix(path, ".json") {
		return inspectHF(path, filepath.Dir(path))
	}
	return inspectGGUF(path)
}

func inspectGGUF(path string) (*modelReport, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := f.Metadata
	r := &modelReport{Path: path, Format: "gguf", GGUFVersion: f.Version, Alignment: f.Alignment}
	warn := func(err error) {
		if err != nil && !errors.Is(err, gguf.ErrKeyNotFound) {
			r.Warnings = append(r.Warnings, err.Error())
		}
	}
	r.Architecture, err = m.String("general.architecture")
	warn(err)
	r.Name, err = m.String("general.name")
	warn(err)
	if r.Architecture != "" {
		n, err := m.Uint(r.Architecture + ".context_length")
		warn(err)
		r.ContextLength = clampInt64(n)
	}
	if n, err := m.ArrayLen("tokenizer.ggml.tokens"); err == nil {
		r.VocabSize = int64(n)
	} else {
		warn(err)
		if r.Architecture != "" {
			n, err := m.Uint(r.Architecture + ".vocab_size")
			warn(err)
			r.VocabSize = clampInt64(n)
		}
	}
	if n, err := m.Uint("split.count"); err == nil && n > 1 {
		no, _ := m.Uint("split.no")
		r.Warnings = append(r.Warnings, fmt.Sprintf("file %d of a model split into %d files: parameters and tensors count this file only", no+1, n))
	}
	for _, kv := range m.KVs() {
		r.Metadata = append(r.Metadata, newMetaEntry(kv))
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		r.addTensor(t.Name, t.Type.String(), t.Dims, t.Elements(), t.Size)
	}
	r.finish()
	return r, nil
}

// inspectHF describes a safetensors checkpoint at path, with config.json
// from dir when present.
func inspectHF(path, dir string) (*modelReport, error) {
	ck, err := safetensors.OpenCheckpoint(path)
	if err != nil {
		if ggufs, _ := filepath.Glob(filepath.Join(dir, "*.gguf")); len(ggufs) > 0 && path == dir {
			return nil, fmt.Errorf("%w (GGUF files here: pass one of %s)", err, strings.Join(ggufs, ", "))
		}
		return nil, err
	}
	defer ck.Close()
	r := &modelReport{Path: path, Format: "safetensors"}
	for _, f := range ck.Files() {
		r.Files = append(r.Files, f.Path())
	}
	cfg, err := hfconfig.Read(dir)
	switch {
	case err == nil:
		r.Architecture = cfg.Architecture()
		r.Architectures = cfg.Architectures
		r.ModelType = cfg.ModelType
		r.ContextLength = cfg.MaxPositionEmbeddings
		r.VocabSize = cfg.VocabSize
		r.DType = cfg.DType
	case errors.Is(err, os.ErrNotExist):
		r.Warnings = append(r.Warnings, "no "+hfconfig.FileName+" beside the weights: architecture, context and vocabulary unknown")
	default:
		r.Warnings = append(r.Warnings, err.Error())
	}
	for _, name := range ck.Names() {
		info, _ := ck.Info(name)
		r.addTensor(name, string(info.DType), info.Shape, info.NumElements(), info.End-info.Begin)
	}
	r.finish()
	return r, nil
}

func (r *modelReport) addTensor(name, typ string, shape []int64, elems, bytes int64) {
	if shape == nil {
		shape = []int64{}
	}
	r.Tensors = append(r.Tensors, tensorStat{Name: name, Type: typ, Shape: shape, Bytes: bytes})
	r.Parameters += elems
	r.TensorBytes += bytes
	for i := range r.Types {
		if r.Types[i].Type == typ {
			r.Types[i].Tensors++
			r.Types[i].Parameters += elems
			r.Types[i].Bytes += bytes
			return
		}
	}
	r.Types = append(r.Types, typeStat{Type: typ, Tensors: 1, Parameters: elems, Bytes: bytes})
}

// finish orders the type mix by bytes, largest first, and makes empty
// lists print as [] rather than null.
func (r *modelReport) finish() {
	sort.SliceStable(r.Types, func(i, j int) bool { return r.Types[i].Bytes > r.Types[j].Bytes })
	if r.Types == nil {
		r.Types = []typeStat{}
	}
	if r.Tensors == nil {
		r.Tensors = []tensorStat{}
	}
}

func newMetaEntry(kv gguf.KV) metaEntry {
	v := kv.Value
	e := metaEntry{Key: kv.Key, Type: v.TypeName(), value: v}
	if !v.IsArray() {
		e.Value = jsonScalar(v.Any())
		return e
	}
	n := v.Len()
	e.Len = &n
	e.Value, e.Truncated = jsonArray(v)
	return e
}

// jsonArray converts up to jsonArrayHead elements (at every nesting level).
func jsonArray(v gguf.Value) ([]any, bool) {
	n := min(v.Len(), jsonArrayHead)
	out := make([]any, n)
	truncated := v.Len() > n
	for i := range out {
		e, _ := v.Index(i)
		if e.IsArray() {
			var t bool
			out[i], t = jsonArray(e)
			truncated = truncated || t
			continue
		}
		out[i] = jsonScalar(e.Any())
	}
	return out, truncated
}

// jsonScalar spells the floats JSON has no numbers for as strings.
func jsonScalar(x any) any {
	var f float64
	switch x := x.(type) {
	case float32:
		f = float64(x)
	case float64:
		f = x
	default:
		return x
	}
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return x
}

func clampInt64(n uint64) int64 {
	if n > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(n)
}

func (r *modelReport) print(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(format string, a ...any) { fmt.Fprintf(tw, format+"\n", a...) }
	unknown := func(n int64) string {
		if n == 0 {
			return "unknown"
		}
		return fmt.Sprint(n)
	}
	row("path:\t%s", r.Path)
	switch r.Format {
	case "gguf":
		row("format:\tGGUF v%d, alignment %d", r.GGUFVersion, r.Alignment)
	default:
		row("format:\tsafetensors, %d file(s)", len(r.Files))
	}
	arch := r.Architecture
	if arch == "" {
		arch = "unknown"
	}
	row("architecture:\t%s", arch)
	if r.Name != "" {
		row("name:\t%s", r.Name)
	}
	if r.DType != "" {
		row("dtype:\t%s", r.DType)
	}
	row("parameters:\t%s (%d)", humanCount(r.Parameters), r.Parameters)
	row("context length:\t%s", unknown(r.ContextLength))
	row("vocab size:\t%s", unknown(r.VocabSize))
	row("tensor bytes:\t%s (%d)", humanBytes(r.TensorBytes), r.TensorBytes)
	for _, w := range r.Warnings {
		row("warning:\t%s", w)
	}
	row("")
	row("type\ttensors\tparameters\tbytes")
	for _, t := range r.Types {
		row("%s\t%d\t%d\t%s", t.Type, t.Tensors, t.Parameters, humanBytes(t.Bytes))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Format == "gguf" {
		fmt.Fprintf(out, "\nmetadata (%d keys):\n", len(r.Metadata))
		for _, e := range r.Metadata {
			fmt.Fprintf(out, "  %s: %s = %s\n", e.Key, e.Type, shortValue(e))
		}
	}
	fmt.Fprintf(out, "\ntensors (%d):\n", len(r.Tensors))
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row("  name\ttype\tshape\tbytes")
	for _, t := range r.Tensors {
		row("  %s\t%s\t%v\t%d", t.Name, t.Type, t.Shape, t.Bytes)
	}
	return tw.Flush()
}

// shortValue keeps one metadata value to one line: long strings (chat
// templates) and long arrays (vocabularies) are cut.
func shortValue(e metaEntry) string {
	const maxRunes = 100
	s := e.value.String()
	if r := []rune(s); len(r) > maxRunes {
		s = string(r[:maxRunes]) + "..."
		if e.value.IsArray() {
			s += fmt.Sprintf(" (%d elements)", e.value.Len())
		} else {
			s += fmt.Sprintf(" (%d bytes)", len(e.value.Any().(string)))
		}
	}
	return s
}

func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.2fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), 0
	for f >= unit && i < 4 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", f, [...]string{"B", "KiB", "MiB", "GiB", "TiB"}[i])
}
