package convert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/quant"
)

func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(fixtures, name)
	dst := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// narrowGGUF writes a GGUF whose ffn_down rows (48 values) split into no
// 32- or 256-wide blocks.
func narrowGGUF(t *testing.T) string {
	t.Helper()
	w := gguf.NewWriter()
	for _, kv := range []struct {
		k string
		v any
	}{{"general.architecture", "llama"}, {"llama.block_count", uint32(1)}, {"llama.attention.head_count", uint32(2)}} {
		if err := w.Set(kv.k, kv.v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.AddTensor("blk.0.ffn_down.weight", quant.F32, []int64{48, 2}, make([]byte, 48*2*4)); err != nil {
		t.Fatal(err)
	}
	if err := w.AddTensor("blk.0.attn_norm.weight", quant.F32, []int64{48}, make([]byte, 48*4)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "narrow.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestErrors(t *testing.T) {
	noTokenizer := copyFixture(t, "qwen3")
	os.Remove(filepath.Join(noTokenizer, "tokenizer.json"))
	wordPiece := copyFixture(t, "qwen3")
	edit(t, filepath.Join(wordPiece, "tokenizer.json"), `"type": "BPE"`, `"type": "WordPiece"`)
	oddRegex := copyFixture(t, "qwen3")
	edit(t, filepath.Join(oddRegex, "tokenizer.json"), `\\p{N}|`, `\\p{N}{1,2}|`)
	badArch := copyFixture(t, "qwen3")
	edit(t, filepath.Join(badArch, "config.json"), `"Qwen3ForCausalLM"`, `"GPT2LMHeadModel"`)
	f16 := copyFixture(t, "qwen3")
	notModel := filepath.Join(t.TempDir(), "weights.bin")
	os.WriteFile(notModel, []byte("x"), 0o644)

	for _, c := range []struct {
		name, src string
		ft        FileType
		want      []string
	}{
		{"no tokenizer", noTokenizer, F16, []string{"vocabulary", "tokenizer.json"}},
		{"wordpiece", wordPiece, F16, []string{`"WordPiece"`, "supported"}},
		{"unknown pre-tokenizer", oddRegex, F16, []string{"pre-tokenizer", "llama-bpe", "qwen2"}},
		{"architecture", badArch, F16, []string{"GPT2LMHeadModel"}},
		{"narrow rows", narrowGGUF(t), Q8_0, []string{"blk.0.ffn_down.weight", "48", "no fallback"}},
		{"k-quant fallback to F16", narrowGGUF(t), Q6_K, nil},
		{"file type", f16, FileType(99), []string{"99", "Q4_K_M"}},
		{"not a model", notModel, F16, []string{"HF model folder", ".gguf"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Convert(c.src, filepath.Join(t.TempDir(), "out.gguf"), Options{Type: c.ft})
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := ParseFileType("Q9_K"); err == nil || !strings.Contains(err.Error(), "Q4_K_M") {
		t.Errorf("ParseFileType(Q9_K) = %v, want an error listing the types", err)
	}
	src := narrowGGUF(t)
	if _, err := Convert(src, src, Options{Type: F16}); err == nil || !strings.Contains(err.Error(), "is the input") {
		t.Errorf("converting onto the input: %v", err)
	}
}

func TestParseFileType(t *testing.T) {
	for name, want := range map[string]FileType{"q4_k_m": Q4_K_M, "Q4_K": Q4_K_M, "f32": AllF32, "BF16": BF16, " Q8_0 ": Q8_0, "iq4_xs": IQ4_XS} {
		if got, err := ParseFileType(name); err != nil || got != want {
			t.Errorf("ParseFileType(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
}

func FuzzPreTokenizerName(f *testing.F) {
	f.Add([]byte(`{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"x"}},{"type":"ByteLevel"}]}`))
	f.Add([]byte(`{"type":"ByteLevel","use_regex":true}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"type":"Sequence","pretokenizers":[null,1]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = preTokenizerName(data)
	})
}

func FuzzParseMerges(f *testing.F) {
	f.Add([]byte(`["a b","c d"]`))
	f.Add([]byte(`[["a b","c"],["d","e"]]`))
	f.Add([]byte(`[["a"]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseMerges(data)
	})
}

// FuzzVocabMetadata feeds arbitrary tokenizer.json and tokenizer_config.json
// bytes to the vocabulary reader: errors, never panics.
func FuzzVocabMetadata(f *testing.F) {
	for _, name := range []string{"qwen3", "llama2"} {
		tj, _ := os.ReadFile(filepath.Join(fixtures, name, "tokenizer.json"))
		tc, _ := os.ReadFile(filepath.Join(fixtures, name, "tokenizer_config.json"))
		f.Add(tj, tc, 448)
	}
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":5},"merges":[["a","a"]]},"decoder":{"type":"ByteLevel"},"pre_tokenizer":{"type":"ByteLevel"},"added_tokens":[{"id":-3,"content":"x"}],"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"x"}},{"Sequence":{"id":"A"}}]}}`),
		[]byte(`{"bos_token":{"content":"x"},"chat_template":[{"name":"default","template":"t"},{"name":"tool_use","template":"u"}]}`), 3)
	f.Fuzz(func(t *testing.T, tj, tc []byte, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "tokenizer.json"), tj, 0o644)
		os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), tc, 0o644)
		_, _ = vocabMetadata(dir, n)
	})
}
