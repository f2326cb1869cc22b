package hub

import (
	"reflect"
	"strings"
	"testing"
)

func TestSelectRepoFilesMistral(t *testing.T) {
	files := []string{"config.json", "consolidated.safetensors", "params.json", "tekken.json", "tokenizer.model.v3",
		"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
		"model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model"}
	got, err := selectRepoFiles("mistralai/Mistral-7B-Instruct-v0.3", files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"config.json", "params.json", "tekken.json",
		"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
		"model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestSelectRepoFilesLlamaSkipsOriginal(t *testing.T) {
	files := []string{"config.json", "model.safetensors", "original/consolidated.00.pth", "original/params.json", "original/tokenizer.model", "USE_POLICY.md"}
	got, err := selectRepoFiles("meta-llama/Llama-3.2-1B-Instruct", files)
	if err != nil || !reflect.DeepEqual(got, []string{"config.json", "model.safetensors"}) {
		t.Fatalf("%v %v", got, err)
	}
}

func TestQuantMatches(t *testing.T) {
	cases := []struct {
		file, quant string
		want        bool
	}{
		{"Qwen3-0.6B-Q4_K_M.gguf", "q4_k_m", true},
		{"qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf", "Q4_K_M", true},
		{"tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf", "Q4_K_M", true},
		{"Qwen3-0.6B-Q4_K_M.gguf", "Q4_K", false},
		{"Qwen3-0.6B-UD-Q4_K_XL.gguf", "UD-Q4_K_XL", true},
		{"Qwen3-0.6B-BF16.gguf", "F16", false},
		{"bge-small-en-v1.5-f16.gguf", "F16", true},
	}
	for _, c := range cases {
		if got := quantMatches(c.file, c.quant); got != c.want {
			t.Errorf("quantMatches(%s, %s) = %v", c.file, c.quant, got)
		}
	}
}

// FuzzSelectGGUF: any listing and selector picks files from the listing
// (first part first) or fails, never panics.
func FuzzSelectGGUF(f *testing.F) {
	f.Add("a-Q4_K_M.gguf\nb-Q8_0.gguf", "Q4_K_M", "")
	f.Add("m-Q4_K_M-00001-of-00002.gguf\nm-Q4_K_M-00002-of-00002.gguf", "", "m-Q4_K_M-00002-of-00002.gguf")
	f.Add("x-00001-of-99999.gguf", "", "x-00001-of-99999.gguf")
	f.Add("dir/a.GGUF\nmmproj.gguf", "", "")
	f.Fuzz(func(t *testing.T, listing, quant, file string) {
		files := strings.Split(listing, "\n")
		got, err := selectGGUF(Ref{Repo: "o/r", Quant: quant, File: file}, files)
		if err != nil {
			return
		}
		have := map[string]bool{}
		for _, f := range files {
			have[f] = true
		}
		for _, g := range got {
			if !have[g] {
				t.Fatalf("picked %q, not in the listing", g)
			}
		}
	})
}
