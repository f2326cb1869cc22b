package hub

import (
	"fmt"
	"strings"
)

// Ref is a parsed MODEL that names something on the hub (not a local path).
//
//	org/name                 the repo's safetensors model (config, tokenizer, weights)
//	org/name@rev             at a branch, tag or commit
//	org/name:file.gguf       one file (all parts of a split GGUF)
//	org/name:Q4_K_M          the GGUF of that quantisation in a GGUF repo
//	alias[-quant]            an entry of the alias table (see Aliases)
//
// A revision may come before or after the selector: org/name@rev:file or
// org/name:file@rev.
type Ref struct {
	Repo     string // "org/name"
	Revision string // branch, tag or commit; "" means main
	File     string // a file inside the repo, e.g. "Qwen3-0.6B-Q8_0.gguf"
	Quant    string // a GGUF quantisation to pick from the repo's files, e.g. "Q4_K_M"
	Alias    string // the alias this came from, "" if none
}

// Rev is the revision to ask for: Revision, or "main".
func (r Ref) Rev() string {
	if r.Revision == "" {
		return "main"
	}
	return r.Revision
}

// GGUF reports whether the ref names a GGUF file or quantisation rather than
// a whole safetensors repo.
func (r Ref) GGUF() bool { return r.Quant != "" || isGGUF(r.File) }

func (r Ref) String() string {
	s := r.Repo
	if r.Revision != "" {
		s += "@" + r.Revision
	}
	switch {
	case r.File != "":
		s += ":" + r.File
	case r.Quant != "":
		s += ":" + r.Quant
	}
	return s
}

// hubPrefixes are stripped so that URLs pasted from a browser, and Ollama's
// hf.co/org/name:quant form, work too.
var hubPrefixes = []string{"https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "https://hf.co/", "hf.co/"}

// ParseRef parses a repo id or alias. It does not look at the file system;
// Resolve checks for a local path first.
func ParseRef(s string) (Ref, error) {
	in := s
	s = strings.TrimSpace(s)
	for _, p := range hubPrefixes {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	if s == "" {
		return Ref{}, fmt.Errorf("empty model name")
	}
	if !strings.Contains(s, "/") || strings.IndexAny(s, ":@") >= 0 && strings.IndexAny(s, ":@") < strings.Index(s, "/") {
		return lookupAlias(s)
	}
	end := strings.IndexAny(s, ":@")
	if end < 0 {
		end = len(s)
	}
	ref := Ref{Repo: s[:end]}
	if err := validRepoID(ref.Repo); err != nil {
		return Ref{}, fmt.Errorf("model %q: %w", in, err)
	}
	rest := s[end:]
	for rest != "" {
		mark := rest[0]
		body := rest[1:]
		next := len(body)
		if mark == '@' {
			if i := strings.IndexByte(body, ':'); i >= 0 {
				next = i
			}
			if ref.Revision != "" {
				return Ref{}, fmt.Errorf("model %q: two revisions", in)
			}
			ref.Revision = body[:next]
			if strings.ContainsAny(ref.Revision, "@:") {
				return Ref{}, fmt.Errorf("model %q: two revisions, or '@' or ':' inside one", in)
			}
			if err := validRevision(ref.Revision); err != nil {
				return Ref{}, fmt.Errorf("model %q: %w", in, err)
			}
		} else {
			if i := strings.IndexByte(body, '@'); i >= 0 {
				next = i
			}
			if ref.File != "" || ref.Quant != "" {
				return Ref{}, fmt.Errorf("model %q: two file selectors", in)
			}
			sel := body[:next]
			if strings.Contains(sel, ":") {
				return Ref{}, fmt.Errorf("model %q: two file selectors, or ':' inside one", in)
			}
			if strings.Contains(sel, ".") {
				if err := validRepoPath(sel); err != nil {
					return Ref{}, fmt.Errorf("model %q: %w", in, err)
				}
				ref.File = sel
			} else {
				if !validQuant(sel) {
					return Ref{}, fmt.Errorf("model %q: %q is neither a file name (with an extension) nor a quantisation such as Q4_K_M", in, sel)
				}
				ref.Quant = sel
			}
		}
		rest = body[next:]
	}
	return ref, nil
}

// validRepoID follows the hub's naming rules closely enough that a repo id
// can never escape the cache folder: "--" would make the folder name
// ambiguous, "." and ".." would be path tricks.
func validRepoID(id string) error {
	parts := strings.Split(id, "/")
	if len(parts) != 2 {
		return fmt.Errorf("repo id %q must be org/name", id)
	}
	for _, p := range parts {
		if p == "" || len(p) > 96 {
			return fmt.Errorf("repo id %q: each part must be 1 to 96 characters", id)
		}
		if strings.Contains(p, "--") || strings.Contains(p, "..") || p[0] == '.' || p[0] == '-' || p[len(p)-1] == '.' || p[len(p)-1] == '-' {
			return fmt.Errorf("repo id %q: '--' and '..' are not allowed, and no part may start or end with '-' or '.'", id)
		}
		for _, c := range p {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return fmt.Errorf("repo id %q: character %q is not allowed", id, c)
			}
		}
	}
	return nil
}

// validRevision keeps revisions usable as paths under refs/ (they may hold
// slashes: refs/pr/1) without escaping it.
func validRevision(rev string) error {
	if rev == "" {
		return fmt.Errorf("empty revision")
	}
	if err := validRelPath(rev); err != nil {
		return fmt.Errorf("revision %q: %v", rev, err)
	}
	return nil
}

// validRepoPath checks a file path inside a repo, from the user or from the
// hub's listing, before it becomes a path under snapshots/.
func validRepoPath(p string) error {
	if err := validRelPath(p); err != nil {
		return fmt.Errorf("file %q: %v", p, err)
	}
	return nil
}

func validRelPath(p string) error {
	if p == "" || len(p) > 1024 {
		return fmt.Errorf("must be 1 to 1024 characters")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("empty, '.' or '..' path segment")
		}
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("control character or backslash")
		}
	}
	return nil
}

// validQuant accepts llama.cpp's quantisation names (Q4_K_M, IQ4_XS, F16,
// BF16, UD-Q4_K_XL, ...) in any case.
func validQuant(q string) bool {
	if q == "" || len(q) > 32 {
		return false
	}
	for _, c := range q {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isGGUF(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".gguf")
}
