package main

import (
	"fmt"

	"github.com/ferrum-go/ferrum/engine"
)

// openGenerator opens a text generator for run and bench, refusing
// embedding models and rerankers with the command that does take them
// (engine.Open would load them as such, with no Generate).
func openGenerator(path string, opts engine.Options) (*engine.Engine, error) {
	switch opts.Task = engine.DetectTask(path); opts.Task {
	case engine.TaskEmbed:
		return nil, fmt.Errorf("%s is an embedding model, not a text generator (use: ferrum embed --model %s TEXT, or ferrum serve for /v1/embeddings)", path, path)
	case engine.TaskRerank:
		return nil, fmt.Errorf("%s is a reranker (cross-encoder), not a text generator (the Go library's engine.Engine.Rerank scores pairs)", path)
	}
	return engine.Open(path, opts)
}
