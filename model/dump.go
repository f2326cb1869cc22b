package model

import (
	"fmt"
	"os"
	"path"
	"strings"
	"sync"
	"unsafe"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/format/safetensors"
)

// Dumper records named intermediate activations (invariant 6) so a run can
// be diffed layer by layer against transformers (tools/refgen's
// dump_activations.py writes the same names). Names are llama.cpp's:
// tok_embd, blk.N.attn_norm, blk.N.attn_q, ..., result_norm, result_output.
// A name recorded again (a prompt prefilled in chunks, decode steps) gets
// its new rows appended, so the file holds every position in order.
type Dumper struct {
	Path     string   // safetensors file written by Flush
	Patterns []string // path.Match globs; empty means every name

	mu     sync.Mutex
	order  []string
	values map[string][]float32
	cols   map[string]int
}

// DumperFromEnv returns a Dumper when FERRUM_DUMP names an output file;
// FERRUM_DUMP_NAMES is a comma-separated list of globs (default: all).
func DumperFromEnv() (*Dumper, error) {
	p := os.Getenv("FERRUM_DUMP")
	if p == "" {
		return nil, nil
	}
	d := &Dumper{Path: p}
	if n := os.Getenv("FERRUM_DUMP_NAMES"); n != "" {
		d.Patterns = strings.Split(n, ",")
	}
	for _, pat := range d.Patterns {
		if _, err := path.Match(pat, ""); err != nil {
			return nil, fmt.Errorf("FERRUM_DUMP_NAMES: bad pattern %q: %w", pat, err)
		}
	}
	return d, nil
}

// Wants reports whether name is to be recorded.
func (d *Dumper) Wants(name string) bool {
	if d == nil {
		return false
	}
	if len(d.Patterns) == 0 {
		return true
	}
	for _, p := range d.Patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// Record copies t (all rows) from the backend under name.
func (d *Dumper) Record(be compute.Backend, name string, t compute.Tensor) {
	if !d.Wants(name) {
		return
	}
	v := make([]float32, t.Rows()*t.Cols())
	be.Download(t, nil, v)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.values == nil {
		d.values, d.cols = map[string][]float32{}, map[string]int{}
	}
	if _, ok := d.values[name]; !ok {
		d.order = append(d.order, name)
		d.cols[name] = t.Cols()
	}
	if d.cols[name] != t.Cols() {
		return // a different width under one name cannot be stacked; keep the first
	}
	d.values[name] = append(d.values[name], v...)
}

// Names lists the recorded names in recording order.
func (d *Dumper) Names() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.order...)
}

// Get returns a recorded activation as rows x cols values.
func (d *Dumper) Get(name string) (values []float32, cols int, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.values[name]
	return v, d.cols[name], ok
}

// Flush writes everything recorded to Path as F32 tensors [rows, cols].
func (d *Dumper) Flush() error {
	if d == nil || d.Path == "" {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var ts []safetensors.Tensor
	for _, n := range d.order {
		v := d.values[n]
		var raw []byte
		if len(v) > 0 {
			raw = unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
		}
		ts = append(ts, safetensors.Tensor{Name: n, DType: safetensors.F32, Shape: []int64{int64(len(v) / d.cols[n]), int64(d.cols[n])}, Data: raw})
	}
	return safetensors.WriteFile(d.Path, ts, map[string]string{"producer": "ferrum"})
}
