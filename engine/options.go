package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/embed"
	"github.com/ferrum-go/ferrum/kvcache"
	"github.com/ferrum-go/ferrum/quant"
)

// Options tune an Engine. The zero value is sensible everywhere.
type Options struct {
	// Task picks the kind of model Open loads: TaskGenerate, TaskEmbed or
	// TaskRerank; TaskAuto (zero) decides from the model's files
	// (DetectTask).
	Task Task
	// Embedding tunes embedding models and rerankers (pooling,
	// normalization, token limits); its Backend, Threads and Tokenizer
	// default to Backend, Threads and TokenizerPath below. The other
	// fields below apply to generators only.
	Embedding embed.Options

	// Backend runs the model; nil makes a CPU backend with Threads
	// workers, which the Engine closes on Close.
	Backend compute.Backend
	// Threads is the CPU backend's worker count (0: all cores).
	Threads int

	// MaxBatchTokens caps the rows of one forward step (decode tokens plus
	// prefill chunks). Default 2048.
	MaxBatchTokens int
	// MaxSeqs caps the sequences running at once. Default 64.
	MaxSeqs int
	// MaxModelLen caps prompt plus output tokens of one sequence. Default:
	// the model's max_position_embeddings (4096 when unknown).
	MaxModelLen int

	// BlockSize is the number of token rows per KV block. Default 16.
	BlockSize int
	// The KV pool is sized by KVCacheTokens if set, else KVCacheBytes if
	// set, else KVMemoryFraction (default 0.4) of the memory the kernel
	// reports available (MemAvailable) - but never more than MaxSeqs
	// sequences of MaxModelLen tokens need.
	KVCacheTokens    int
	KVCacheBytes     int64
	KVMemoryFraction float64
	// KVCacheType is the KV cache's element type: "f16" (half the memory
	// per token, as llama.cpp's default; keys and values are rounded to
	// nearest even when written) or "f32" (exact). Empty means f16 on a
	// backend that has F16 pools (the CPU backend), else f32.
	KVCacheType string
	// DisablePrefixCache turns prefix caching off (it is on by default).
	DisablePrefixCache bool

	// ChatTemplate replaces the model's chat template (template text).
	ChatTemplate string
	// TokenizerPath loads the tokenizer (and, unless ChatTemplate is set,
	// the chat template) from another folder or file than the model's,
	// e.g. for a GGUF without tokenizer metadata.
	TokenizerPath string
}

func (o *Options) setDefaults(maxPositions int) {
	if o.MaxBatchTokens <= 0 {
		o.MaxBatchTokens = 2048
	}
	if o.MaxSeqs <= 0 {
		o.MaxSeqs = 64
	}
	// Every running sequence must fit a step, or the newest would starve.
	o.MaxSeqs = min(o.MaxSeqs, o.MaxBatchTokens)
	if o.MaxModelLen <= 0 {
		o.MaxModelLen = maxPositions
		if o.MaxModelLen <= 0 {
			o.MaxModelLen = 4096
		}
	}
	if o.BlockSize <= 0 {
		o.BlockSize = kvcache.DefaultBlockSize
	}
	if o.KVMemoryFraction <= 0 {
		o.KVMemoryFraction = 0.4
	}
}

// kvType resolves KVCacheType for be.
func (o *Options) kvType(be compute.Backend) (quant.Type, error) {
	_, f16 := be.(compute.KVAllocator)
	switch o.KVCacheType {
	case "":
		if f16 {
			return quant.F16, nil
		}
		return quant.F32, nil
	case "f32":
		return quant.F32, nil
	case "f16":
		if !f16 {
			return 0, fmt.Errorf("engine: KV cache type f16: backend %s has no F16 KV cache", be.Name())
		}
		return quant.F16, nil
	}
	return 0, fmt.Errorf("engine: KV cache type %q is not one of f16, f32", o.KVCacheType)
}

// kvBlocks picks the pool size in blocks for a cache of kvWidth per layer
// with elements of type t.
func (o *Options) kvBlocks(t quant.Type, kvWidth []int) (int, error) {
	bs := o.BlockSize
	perBlock := kvcache.BytesPerBlockOf(t, kvWidth, bs)
	ceil := func(tokens int) int { return (tokens + bs - 1) / bs }
	switch {
	case o.KVCacheTokens > 0:
		return ceil(o.KVCacheTokens), nil
	case o.KVCacheBytes > 0:
		n := int(o.KVCacheBytes / perBlock)
		if n < 1 {
			return 0, fmt.Errorf("engine: KV cache of %d bytes holds no block of %d bytes", o.KVCacheBytes, perBlock)
		}
		return n, nil
	}
	want := ceil(o.MaxSeqs * o.MaxModelLen)
	avail, err := memAvailable()
	if err != nil {
		// Without /proc/meminfo, size for a handful of full-length sequences.
		return min(want, ceil(4*o.MaxModelLen)), nil
	}
	n := int(float64(avail) * o.KVMemoryFraction / float64(perBlock))
	if n < 1 {
		return 0, fmt.Errorf("engine: %d bytes available hold no KV block of %d bytes; set KVCacheTokens", avail, perBlock)
	}
	return min(n, want), nil
}

// memAvailable reads MemAvailable from /proc/meminfo, in bytes.
func memAvailable() (int64, error) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	return parseMemAvailable(data)
}

func parseMemAvailable(data []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "MemAvailable:" {
			kb, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil || kb < 0 {
				return 0, fmt.Errorf("/proc/meminfo: bad MemAvailable %q", f[1])
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemAvailable line")
}
