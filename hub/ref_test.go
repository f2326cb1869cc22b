package hub

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	cases := []struct {
		in   string
		want Ref
	}{
		{"Qwen/Qwen3-0.6B", Ref{Repo: "Qwen/Qwen3-0.6B"}},
		{"Qwen/Qwen3-0.6B@main", Ref{Repo: "Qwen/Qwen3-0.6B", Revision: "main"}},
		{"Qwen/Qwen3-0.6B@refs/pr/12", Ref{Repo: "Qwen/Qwen3-0.6B", Revision: "refs/pr/12"}},
		{"org/m-GGUF:m-Q4_K_M.gguf", Ref{Repo: "org/m-GGUF", File: "m-Q4_K_M.gguf"}},
		{"org/m-GGUF:sub/m.gguf@v1", Ref{Repo: "org/m-GGUF", File: "sub/m.gguf", Revision: "v1"}},
		{"org/m-GGUF@v1:Q8_0", Ref{Repo: "org/m-GGUF", Quant: "Q8_0", Revision: "v1"}},
		{"hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", Ref{Repo: "bartowski/Llama-3.2-1B-Instruct-GGUF", Quant: "Q4_K_M"}},
		{"https://huggingface.co/Qwen/Qwen3-0.6B", Ref{Repo: "Qwen/Qwen3-0.6B"}},
		{"org/m:config.json", Ref{Repo: "org/m", File: "config.json"}},
		{"qwen3:0.6b", Ref{Repo: "Qwen/Qwen3-0.6B", Alias: "qwen3:0.6b"}},
		{"Qwen3:0.6B", Ref{Repo: "Qwen/Qwen3-0.6B", Alias: "qwen3:0.6b"}},
		{"qwen3:0.6b-q4_k_m", Ref{Repo: "unsloth/Qwen3-0.6B-GGUF", Quant: "Q4_K_M", Alias: "qwen3:0.6b-q4_k_m"}},
		{"qwen3:30b-a3b", Ref{Repo: "Qwen/Qwen3-30B-A3B", Alias: "qwen3:30b-a3b"}},
		{"qwen3:30b-a3b-q8_0", Ref{Repo: "unsloth/Qwen3-30B-A3B-GGUF", Quant: "Q8_0", Alias: "qwen3:30b-a3b-q8_0"}},
		{"qwen3:0.6b-ud-q4_k_xl", Ref{Repo: "unsloth/Qwen3-0.6B-GGUF", Quant: "UD-Q4_K_XL", Alias: "qwen3:0.6b-ud-q4_k_xl"}},
		{"qwen3", Ref{Repo: "Qwen/Qwen3-8B", Alias: "qwen3:8b"}},
		{"qwen3:latest", Ref{Repo: "Qwen/Qwen3-8B", Alias: "qwen3:8b"}},
		{"llama3.2:1b-q4_k_m", Ref{Repo: "bartowski/Llama-3.2-1B-Instruct-GGUF", Quant: "Q4_K_M", Alias: "llama3.2:1b-q4_k_m"}},
		{"tinyllama-q4_k_m", Ref{Repo: "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF", Quant: "Q4_K_M", Alias: "tinyllama-q4_k_m"}},
		{"bge-small", Ref{Repo: "BAAI/bge-small-en-v1.5", Alias: "bge-small"}},
		{"qwen2.5:0.5b", Ref{Repo: "Qwen/Qwen2.5-0.5B-Instruct", Alias: "qwen2.5:0.5b"}},
	}
	for _, c := range cases {
		got, err := ParseRef(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseRefErrors(t *testing.T) {
	cases := map[string]string{
		"":                    "empty",
		"a/b/c":               "org/name",
		"org/na--me":          "--",
		"org/..":              "..",
		"org/m@../../etc":     "revision",
		"org/m@":              "revision",
		"org/m:../x.gguf":     "file",
		"org/m:a b":           "quantisation",
		"org/m@a@b":           "two revisions",
		"org/m:x.gguf:y.gguf": "two file selectors",
		"org/m\x00:x.gguf":    "not allowed",
		"nosuchmodel":         "unknown model alias",
		"all-minilm-q4_k_m":   "no GGUF repo",
	}
	for in, want := range cases {
		_, err := ParseRef(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRef(%q) = %v, want an error with %q", in, err, want)
		}
	}
	if _, err := ParseRef("nosuchmodel"); !errors.Is(err, ErrUnknownAlias) {
		t.Error("unknown alias is not ErrUnknownAlias")
	}
}

func TestAliasTable(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range Aliases() {
		if seen[a.Name] {
			t.Errorf("duplicate alias %s", a.Name)
		}
		seen[a.Name] = true
		if a.Name != strings.ToLower(a.Name) {
			t.Errorf("alias %s is not lower case", a.Name)
		}
		if err := validRepoID(a.Repo); err != nil {
			t.Errorf("%s: %v", a.Name, err)
		}
		if a.GGUFRepo != "" {
			if err := validRepoID(a.GGUFRepo); err != nil {
				t.Errorf("%s: %v", a.Name, err)
			}
		}
		ref, err := ParseRef(a.Name)
		if err != nil || ref.Repo != a.Repo {
			t.Errorf("%s resolves to %+v, %v", a.Name, ref, err)
		}
	}
	for from, to := range aliasDefaults {
		if !seen[to] {
			t.Errorf("default %s -> %s: no such alias", from, to)
		}
	}
}

// FuzzParseRef: any input parses or fails without panicking; what parses
// names a valid repo and safe paths, and prints back to itself.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"Qwen/Qwen3-0.6B", "org/m@refs/pr/1:sub/x.gguf", "org/m:Q4_K_M@v1", "qwen3:0.6b-q4_k_m",
		"hf.co/a/b:c", "a/b@..", "a/b:../../x.gguf", "tinyllama", "a/b@c@d", "::", "/", "a/b:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseRef(s)
		if err != nil {
			return
		}
		if err := validRepoID(ref.Repo); err != nil {
			t.Fatalf("%q parsed to bad repo: %v", s, err)
		}
		if ref.Revision != "" && validRevision(ref.Revision) != nil || ref.File != "" && validRepoPath(ref.File) != nil {
			t.Fatalf("%q parsed to unsafe paths: %+v", s, ref)
		}
		if ref.Alias != "" {
			return
		}
		again, err := ParseRef(ref.String())
		if err != nil || again != ref {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, ref, ref.String(), again, err)
		}
	})
}

func TestNormalizeETag(t *testing.T) {
	for in, want := range map[string]string{`"abc"`: "abc", `W/"abc"`: "abc", "abc": "abc", ` "abc" `: "abc"} {
		if got := normalizeETag(in); got != want {
			t.Errorf("normalizeETag(%q) = %q", in, got)
		}
	}
}
