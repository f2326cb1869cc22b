package hub

import (
	"fmt"
	"sort"
	"strings"
)

// Alias is a short model name. Name alone pulls Repo (safetensors); Name
// followed by a quantisation (qwen3:0.6b-q4_k_m) pulls that GGUF from
// GGUFRepo, the file chosen from the repo's listing by its quantisation
// suffix, so file-name spellings (Q4_K_M, q4_k_m, .Q4_K_M) need no table.
//
// This table is the one place aliases live; docs/models.md lists it.
type Alias struct {
	Name      string
	Repo      string // safetensors model
	GGUFRepo  string // GGUF quantisations of the same model; "" if none is known
	Embedding bool   // an embedding model rather than a generator
	Gated     bool   // the hub wants HF_TOKEN and an accepted license
}

var aliases = []Alias{
	{Name: "qwen3:0.6b", Repo: "Qwen/Qwen3-0.6B", GGUFRepo: "unsloth/Qwen3-0.6B-GGUF"},
	{Name: "qwen3:1.7b", Repo: "Qwen/Qwen3-1.7B", GGUFRepo: "unsloth/Qwen3-1.7B-GGUF"},
	{Name: "qwen3:4b", Repo: "Qwen/Qwen3-4B", GGUFRepo: "unsloth/Qwen3-4B-GGUF"},
	{Name: "qwen3:8b", Repo: "Qwen/Qwen3-8B", GGUFRepo: "unsloth/Qwen3-8B-GGUF"},
	{Name: "qwen3:14b", Repo: "Qwen/Qwen3-14B", GGUFRepo: "unsloth/Qwen3-14B-GGUF"},
	{Name: "qwen3:32b", Repo: "Qwen/Qwen3-32B", GGUFRepo: "unsloth/Qwen3-32B-GGUF"},
	{Name: "qwen3:30b-a3b", Repo: "Qwen/Qwen3-30B-A3B", GGUFRepo: "unsloth/Qwen3-30B-A3B-GGUF"},
	{Name: "qwen3:4b-instruct-2507", Repo: "Qwen/Qwen3-4B-Instruct-2507", GGUFRepo: "unsloth/Qwen3-4B-Instruct-2507-GGUF"},
	{Name: "qwen3:30b-a3b-instruct-2507", Repo: "Qwen/Qwen3-30B-A3B-Instruct-2507", GGUFRepo: "unsloth/Qwen3-30B-A3B-Instruct-2507-GGUF"},

	{Name: "qwen2.5:0.5b", Repo: "Qwen/Qwen2.5-0.5B-Instruct", GGUFRepo: "Qwen/Qwen2.5-0.5B-Instruct-GGUF"},
	{Name: "qwen2.5:1.5b", Repo: "Qwen/Qwen2.5-1.5B-Instruct", GGUFRepo: "Qwen/Qwen2.5-1.5B-Instruct-GGUF"},
	{Name: "qwen2.5:3b", Repo: "Qwen/Qwen2.5-3B-Instruct", GGUFRepo: "Qwen/Qwen2.5-3B-Instruct-GGUF"},
	{Name: "qwen2.5:7b", Repo: "Qwen/Qwen2.5-7B-Instruct", GGUFRepo: "Qwen/Qwen2.5-7B-Instruct-GGUF"},
	{Name: "qwen2.5:14b", Repo: "Qwen/Qwen2.5-14B-Instruct", GGUFRepo: "Qwen/Qwen2.5-14B-Instruct-GGUF"},
	{Name: "qwen2.5-coder:1.5b", Repo: "Qwen/Qwen2.5-Coder-1.5B-Instruct", GGUFRepo: "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF"},
	{Name: "qwen2.5-coder:7b", Repo: "Qwen/Qwen2.5-Coder-7B-Instruct", GGUFRepo: "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF"},

	{Name: "llama3.2:1b", Repo: "meta-llama/Llama-3.2-1B-Instruct", GGUFRepo: "bartowski/Llama-3.2-1B-Instruct-GGUF", Gated: true},
	{Name: "llama3.2:3b", Repo: "meta-llama/Llama-3.2-3B-Instruct", GGUFRepo: "bartowski/Llama-3.2-3B-Instruct-GGUF", Gated: true},
	{Name: "llama3.1:8b", Repo: "meta-llama/Llama-3.1-8B-Instruct", GGUFRepo: "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", Gated: true},
	{Name: "mistral:7b", Repo: "mistralai/Mistral-7B-Instruct-v0.3", GGUFRepo: "bartowski/Mistral-7B-Instruct-v0.3-GGUF", Gated: true},
	{Name: "tinyllama", Repo: "TinyLlama/TinyLlama-1.1B-Chat-v1.0", GGUFRepo: "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF"},
	{Name: "smollm2:135m", Repo: "HuggingFaceTB/SmolLM2-135M-Instruct"},
	{Name: "smollm2:360m", Repo: "HuggingFaceTB/SmolLM2-360M-Instruct"},
	{Name: "smollm2:1.7b", Repo: "HuggingFaceTB/SmolLM2-1.7B-Instruct"},

	{Name: "bge-small", Repo: "BAAI/bge-small-en-v1.5", GGUFRepo: "CompendiumLabs/bge-small-en-v1.5-gguf", Embedding: true},
	{Name: "bge-base", Repo: "BAAI/bge-base-en-v1.5", GGUFRepo: "CompendiumLabs/bge-base-en-v1.5-gguf", Embedding: true},
	{Name: "bge-large", Repo: "BAAI/bge-large-en-v1.5", GGUFRepo: "CompendiumLabs/bge-large-en-v1.5-gguf", Embedding: true},
	{Name: "all-minilm", Repo: "sentence-transformers/all-MiniLM-L6-v2", Embedding: true},
	{Name: "all-minilm:l12", Repo: "sentence-transformers/all-MiniLM-L12-v2", Embedding: true},
	{Name: "mxbai-embed-large", Repo: "mixedbread-ai/mxbai-embed-large-v1", Embedding: true},
	{Name: "nomic-embed-text", Repo: "nomic-ai/nomic-embed-text-v1.5", GGUFRepo: "nomic-ai/nomic-embed-text-v1.5-GGUF", Embedding: true},
	{Name: "e5-small", Repo: "intfloat/e5-small-v2", Embedding: true},
	{Name: "qwen3-embedding:0.6b", Repo: "Qwen/Qwen3-Embedding-0.6B", GGUFRepo: "Qwen/Qwen3-Embedding-0.6B-GGUF", Embedding: true},
	{Name: "qwen3-embedding:4b", Repo: "Qwen/Qwen3-Embedding-4B", GGUFRepo: "Qwen/Qwen3-Embedding-4B-GGUF", Embedding: true},
	{Name: "qwen3-embedding:8b", Repo: "Qwen/Qwen3-Embedding-8B", GGUFRepo: "Qwen/Qwen3-Embedding-8B-GGUF", Embedding: true},
}

// aliasDefaults maps a family without a size, or another spelling, to an
// entry; the family defaults are Ollama's, so `qwen3` means the same model
// in both tools.
var aliasDefaults = map[string]string{
	"qwen3":           "qwen3:8b",
	"qwen2.5":         "qwen2.5:7b",
	"qwen2.5-coder":   "qwen2.5-coder:7b",
	"llama3.2":        "llama3.2:3b",
	"llama3.1":        "llama3.1:8b",
	"mistral":         "mistral:7b",
	"smollm2":         "smollm2:1.7b",
	"qwen3-embedding": "qwen3-embedding:0.6b",
	"all-minilm:l6":   "all-minilm",
	"tinyllama:1.1b":  "tinyllama",
}

// Aliases returns the alias table sorted by name.
func Aliases() []Alias {
	out := append([]Alias(nil), aliases...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func findAlias(name string) (Alias, bool) {
	if d, ok := aliasDefaults[name]; ok {
		name = d
	}
	for _, a := range aliases {
		if a.Name == name {
			return a, true
		}
	}
	return Alias{}, false
}

// lookupAlias turns "qwen3:0.6b" or "qwen3:0.6b-q4_k_m" into a Ref. The
// quantisation is split off at the rightmost '-' that leaves a known alias,
// so aliases that themselves contain '-' (qwen3:30b-a3b) still work.
func lookupAlias(s string) (Ref, error) {
	name := strings.ToLower(strings.TrimSuffix(s, ":latest"))
	if a, ok := findAlias(name); ok {
		return Ref{Repo: a.Repo, Alias: a.Name}, nil
	}
	for i := strings.LastIndexByte(name, '-'); i > 0; i = strings.LastIndexByte(name[:i], '-') {
		a, ok := findAlias(name[:i])
		if !ok {
			continue
		}
		quant := strings.ToUpper(name[i+1:])
		if !validQuant(quant) {
			break
		}
		if a.GGUFRepo == "" {
			return Ref{}, fmt.Errorf("%w: %q: no GGUF repo is known for %s; name one as ORG/NAME:%s", ErrUnknownAlias, s, a.Name, quant)
		}
		return Ref{Repo: a.GGUFRepo, Quant: quant, Alias: a.Name + "-" + strings.ToLower(quant)}, nil
	}
	return Ref{}, fmt.Errorf("%w %q: not a path, not an org/name repo id, and not one of %s", ErrUnknownAlias, s, aliasNames())
}

func aliasNames() string {
	names := make([]string, 0, len(aliases))
	for _, a := range Aliases() {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}
