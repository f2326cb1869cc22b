// Package model defines what every architecture implements (Model), the
// varlen Batch it runs, the Config all formats decode into, the one mapping
// between HF and GGUF tensor names, and the registry that picks an
// architecture's code for a checkpoint.
package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
)

// Model is a loaded decoder. It holds weights only; every per-request bit
// of state lives in the KV cache the Batch names (invariant 2), so one
// Model serves any number of concurrent sequences.
type Model interface {
	Config() *Config
	// Forward runs the batch and returns the logits of its LogitRows.
	Forward(ctx context.Context, b *Batch) (*Logits, error)
	// Close releases the weights' files.
	Close() error
}

// Options tune loading.
type Options struct {
	// Dump, when set, records the named intermediate activations of every
	// forward (see Dumper).
	Dump *Dumper
}

// Constructor builds an architecture's model from its config and weights.
type Constructor func(cfg *Config, w Weights, be compute.Backend, opts Options) (Model, error)

var registry = map[string]Constructor{}

// Register makes an HF architecture name loadable. Architecture packages
// call it from init.
func Register(arch string, c Constructor) { registry[arch] = c }

// Architectures lists the registered HF architecture names, sorted.
func Architectures() []string { return sortedKeys(registry) }

// New builds a model for cfg.Architecture from w.
func New(cfg *Config, w Weights, be compute.Backend, opts Options) (Model, error) {
	c, ok := registry[cfg.Architecture]
	if !ok {
		return nil, fmt.Errorf("architecture %q is not supported (supported: %s)", cfg.Architecture, strings.Join(Architectures(), ", "))
	}
	return c(cfg, w, be, opts)
}

// Load opens a model from an HF folder (config.json + safetensors) or a
// .gguf file. The architecture's package must be linked in (import
// model/llama for its side effect).
func Load(path string, be compute.Backend, opts Options) (Model, error) {
	if opts.Dump == nil {
		d, err := DumperFromEnv()
		if err != nil {
			return nil, err
		}
		opts.Dump = d
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() && strings.EqualFold(filepath.Ext(path), ".gguf") {
		f, err := gguf.Open(path)
		if err != nil {
			return nil, err
		}
		cfg, err := ConfigFromGGUF(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		m, err := New(cfg, GGUFWeights{F: f}, be, opts)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	}
	dir := path
	if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	if err := checkHFFolder(path, dir); err != nil {
		return nil, err
	}
	cfg, err := LoadHFConfig(dir)
	if err != nil {
		return nil, err
	}
	ck, err := safetensors.OpenCheckpoint(path)
	if err != nil {
		return nil, err
	}
	m, err := New(cfg, SafetensorsWeights{C: ck}, be, opts)
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// checkHFFolder tells what is wrong with a path that should be an HF
// model before the config is parsed: no config.json at all, or an
// architecture no linked package handles (say, BertModel, which would
// otherwise be refused for the first field a decoder config rejects).
func checkHFFolder(path, dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		if path != dir {
			return fmt.Errorf("%s: not a model: neither a .gguf file nor a file in a Hugging Face model folder (%s has no config.json)", path, dir)
		}
		return fmt.Errorf("%s: not a model folder: no config.json (want config.json, *.safetensors and tokenizer.json, or a .gguf file)", dir)
	}
	if err != nil {
		return err
	}
	if st, _ := filepath.Glob(filepath.Join(dir, "*.safetensors")); len(st) == 0 {
		if bin, _ := filepath.Glob(filepath.Join(dir, "*.bin")); len(bin) > 0 {
			return fmt.Errorf("%s: no *.safetensors weights, only %s (PyTorch pickles are not loaded; convert them to safetensors)", dir, filepath.Base(bin[0]))
		}
		return fmt.Errorf("%s: no *.safetensors weights", dir)
	}
	var probe struct {
		Architectures []string `json:"architectures"`
	}
	if json.Unmarshal(data, &probe) == nil && len(probe.Architectures) > 0 {
		if _, ok := registry[probe.Architectures[0]]; !ok {
			return fmt.Errorf("%s: architecture %q is not supported (supported: %s)", filepath.Join(dir, "config.json"), probe.Architectures[0], strings.Join(Architectures(), ", "))
		}
	} // else the full parse reports the problem, or infers the architecture
	return nil
}
