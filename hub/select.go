package hub

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// What `pull org/name` downloads: what a safetensors model needs to run or
// embed (config, tokenizer, chat template, weights and their index,
// generation config, sentence-transformers modules), nothing else: not
// PyTorch/ONNX/TF/Flax weights, not the originals Meta and Mistral ship
// beside the HF shards, not README or images.
var (
	wantedExt = map[string]bool{
		".json": true, ".safetensors": true, ".jinja": true, ".txt": true, ".model": true, ".tiktoken": true,
	}
	// sentence-transformers keeps its modules in numbered folders
	// (1_Pooling, 2_Normalize, 2_Dense) named by modules.json.
	stModuleDir = regexp.MustCompile(`^[0-9]+_[A-Za-z]+$`)
	splitGGUF   = regexp.MustCompile(`(?i)^(.*)-([0-9]{5})-of-([0-9]{5})\.gguf$`)
	otherWeight = []string{".bin", ".pth", ".pt", ".ckpt", ".h5", ".msgpack", ".onnx", ".ot", ".pb", ".tflite", ".mlmodel"}
)

func wantedRepoFile(p string) bool {
	dir, base := path.Split(p)
	if dir != "" {
		parts := strings.Split(strings.TrimSuffix(dir, "/"), "/")
		if len(parts) != 1 || !stModuleDir.MatchString(parts[0]) {
			return false
		}
	}
	return wantedExt[strings.ToLower(path.Ext(base))]
}

// selectRepoFiles picks a safetensors model's files from a repo listing.
// It fails, saying why, when the repo holds no weights Ferrum can read.
func selectRepoFiles(repo string, files []string) ([]string, error) {
	var out []string
	hasST, hasConsolidatedOnly := false, true
	for _, f := range files {
		if strings.HasSuffix(strings.ToLower(f), ".safetensors") {
			hasST = true
			if !strings.HasPrefix(path.Base(f), "consolidated") {
				hasConsolidatedOnly = false
			}
		}
	}
	for _, f := range files {
		if !wantedRepoFile(f) {
			continue
		}
		// Mistral repos carry consolidated.safetensors, the same weights in
		// Mistral's own layout, beside the HF shards.
		if hasST && !hasConsolidatedOnly && strings.HasPrefix(path.Base(f), "consolidated") && strings.HasSuffix(f, ".safetensors") {
			continue
		}
		out = append(out, f)
	}
	if !hasST {
		var other []string
		for _, f := range files {
			for _, ext := range otherWeight {
				if strings.HasSuffix(strings.ToLower(f), ext) {
					other = append(other, f)
				}
			}
		}
		if len(other) > 0 {
			return nil, fmt.Errorf("%s has no .safetensors or .gguf weights, only %s; Ferrum reads safetensors and GGUF", repo, strings.Join(firstN(other, 3), ", "))
		}
	}
	return out, nil
}

// ggufFiles lists a repo's GGUF files, leaving out vision projectors
// (mmproj), which are not models on their own.
func ggufFiles(files []string) []string {
	var out []string
	for _, f := range files {
		if isGGUF(f) && !strings.Contains(strings.ToLower(path.Base(f)), "mmproj") {
			out = append(out, f)
		}
	}
	return out
}

// DefaultQuant is picked when a GGUF repo is named without a file or
// quantisation, as llama.cpp's -hf does.
const DefaultQuant = "Q4_K_M"

// selectGGUF picks the GGUF file(s) a ref names from a repo listing: the
// named file, or the file whose name ends in the quantisation, and for a
// split GGUF every part. The first part comes first.
func selectGGUF(ref Ref, files []string) ([]string, error) {
	ggufs := ggufFiles(files)
	if ref.File != "" {
		for _, f := range files {
			if f == ref.File {
				return splitParts(ref.Repo, f, files)
			}
		}
		var byBase []string
		for _, f := range files {
			if path.Base(f) == ref.File {
				byBase = append(byBase, f)
			}
		}
		if len(byBase) == 1 {
			return splitParts(ref.Repo, byBase[0], files)
		}
		return nil, fmt.Errorf("%w: %s@%s has no file %q; its GGUF files: %s", ErrFileNotFound, ref.Repo, ref.Rev(), ref.File, listOrNone(ggufs))
	}
	quant := ref.Quant
	if quant == "" {
		if len(ggufModels(ggufs)) == 1 {
			return splitParts(ref.Repo, ggufs[0], files)
		}
		quant = DefaultQuant
	}
	var match []string
	for _, f := range ggufs {
		if quantMatches(f, quant) {
			match = append(match, f)
		}
	}
	models := ggufModels(match)
	if len(models) > 1 {
		// Prefer files at the top of the repo over those in folders.
		var top []string
		for _, m := range models {
			if !strings.Contains(m, "/") {
				top = append(top, m)
			}
		}
		if len(top) == 1 {
			models = top
		} else {
			return nil, fmt.Errorf("%s@%s: %d GGUF files match %s: %s; name one as %s:FILE", ref.Repo, ref.Rev(), len(models), quant, strings.Join(models, ", "), ref.Repo)
		}
	}
	if len(models) == 0 {
		return nil, fmt.Errorf("%w: %s@%s has no %s GGUF; it has: %s", ErrFileNotFound, ref.Repo, ref.Rev(), strings.ToUpper(quant), listOrNone(quantsOf(ggufs)))
	}
	for _, f := range match {
		if ggufModel(f) == models[0] {
			return splitParts(ref.Repo, f, files)
		}
	}
	return nil, fmt.Errorf("%s: no file for %s", ref.Repo, quant) // unreachable
}

// quantMatches reports whether a GGUF file name ends in the quantisation,
// after '-' or '.', ignoring case and a split suffix: Qwen3-0.6B-Q4_K_M.gguf,
// qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf and
// tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf all match q4_k_m; Q4_K_M does not
// match Q4_K.
func quantMatches(file, quant string) bool {
	stem := strings.ToLower(ggufModel(path.Base(file)))
	q := strings.ToLower(quant)
	return strings.HasSuffix(stem, "-"+q) || strings.HasSuffix(stem, "."+q) || strings.HasSuffix(stem, "_"+q)
}

// ggufModel is a GGUF path without ".gguf" and without a split suffix, so
// all parts of a split model share it.
func ggufModel(f string) string {
	if m := splitGGUF.FindStringSubmatch(f); m != nil {
		return m[1]
	}
	return f[:len(f)-len(".gguf")]
}

func ggufModels(files []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		m := ggufModel(f)
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// quantOf guesses a file's quantisation label from its name, for messages.
func quantOf(f string) string {
	stem := ggufModel(path.Base(f))
	if i := strings.LastIndexAny(stem, "-."); i >= 0 {
		stem = stem[i+1:]
	}
	return strings.ToUpper(stem)
}

func quantsOf(files []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		q := quantOf(f)
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	sort.Strings(out)
	return out
}

// splitParts returns every part of a split GGUF (name-0000K-of-0000N.gguf)
// in order, or f alone; a missing part is an error, since the model cannot
// load without it.
func splitParts(repo, f string, files []string) ([]string, error) {
	m := splitGGUF.FindStringSubmatch(f)
	if m == nil {
		return []string{f}, nil
	}
	n, _ := strconv.Atoi(m[3])
	if n < 1 || n > 9999 {
		return nil, fmt.Errorf("%s: %s: bad split count %s", repo, f, m[3])
	}
	have := map[string]bool{}
	for _, x := range files {
		have[x] = true
	}
	ext := f[len(f)-len(".gguf"):]
	parts := make([]string, n)
	for i := range n {
		parts[i] = fmt.Sprintf("%s-%05d-of-%s%s", m[1], i+1, m[3], ext)
		if !have[parts[i]] {
			return nil, fmt.Errorf("%w: %s: split GGUF %s lacks part %s", ErrFileNotFound, repo, f, parts[i])
		}
	}
	return parts, nil
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func firstN(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], "...")
	}
	return xs
}
