package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The goldens come from Hugging Face `tokenizers` (tools/refgen/tokenizers.py)
// over testdata/tokenizers/corpus.json.

const testdataDir = "../testdata/tokenizers"

var goldenTokenizers = []string{"qwen3", "llama3", "llama2", "bert-wordpiece", "unigram-sp", "unigram-bf"}

type goldenCase struct {
	IDs        []int    `json:"ids"`
	Tokens     []string `json:"tokens"`
	IDsSpecial []int    `json:"ids_special"`
	Decode     *string  `json:"decode"`
	DecodeSkip *string  `json:"decode_skip"`
	Stream     []string `json:"stream"`
}

func loadCorpus(t testing.TB) []string {
	data, err := os.ReadFile(filepath.Join(testdataDir, "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Cases []string }
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c.Cases
}

func loadGoldens(t testing.TB, name string) []goldenCase {
	path := filepath.Join(testdataDir, name, "goldens.json.gz")
	if dir := os.Getenv("TOK_GOLDENS_DIR"); dir != "" {
		path = filepath.Join(dir, name+".json")
	}
	data, err := readMaybeGzip(path)
	if os.IsNotExist(err) {
		t.Skipf("no goldens for %s", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	var g struct{ Cases []goldenCase }
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g.Cases
}

var tokCache = map[string]*Tokenizer{}

func loadTestTokenizer(t testing.TB, name string) *Tokenizer {
	if tk, ok := tokCache[name]; ok {
		return tk
	}
	dir := filepath.Join(testdataDir, name)
	if d := os.Getenv("TOK_TOKDIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, name)); err == nil {
			dir = filepath.Join(d, name)
		}
	}
	tk, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tokCache[name] = tk
	return tk
}

func TestGoldens(t *testing.T) {
	corpus := loadCorpus(t)
	for _, name := range goldenTokenizers {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(testdataDir, name, "tokenizer.json.gz")); err != nil && os.Getenv("TOK_TOKDIR") == "" {
				t.Skipf("no tokenizer %s", name)
			}
			cases := loadGoldens(t, name)
			tk := loadTestTokenizer(t, name)
			if len(cases) != len(corpus) {
				t.Fatalf("%d goldens for %d corpus strings", len(cases), len(corpus))
			}
			var bad [5]int
			shown := 0
			report := func(kind int, i int, format string, args ...any) {
				bad[kind]++
				if shown < 8 {
					shown++
					t.Errorf("case %d %q: %s", i, trunc(corpus[i]), fmt.Sprintf(format, args...))
				}
			}
			for i, c := range cases {
				s := corpus[i]
				if c.IDs == nil && c.IDsSpecial == nil {
					continue // a development reference that cannot speak for this case
				}
				if got := tk.Encode(s, false); !slices.Equal(got, c.IDs) {
					report(0, i, "ids\n got %v\nwant %v\nwant tokens %q", got, c.IDs, c.Tokens)
				}
				if got := tk.Encode(s, true); !slices.Equal(got, c.IDsSpecial) {
					report(1, i, "ids with special tokens\n got %v\nwant %v", got, c.IDsSpecial)
				}
				if got := tk.Decode(c.IDsSpecial, false); c.Decode != nil && got != *c.Decode {
					report(2, i, "decode\n got %q\nwant %q", got, *c.Decode)
				}
				if got := tk.Decode(c.IDsSpecial, true); c.DecodeSkip != nil && got != *c.DecodeSkip {
					report(3, i, "decode skipping special\n got %q\nwant %q", got, *c.DecodeSkip)
				}
				if c.Stream != nil {
					d := tk.NewStreamDecoder(false)
					var got []string
					for _, id := range c.IDsSpecial {
						got = append(got, d.Add(id))
					}
					if !slices.Equal(got, c.Stream) {
						report(4, i, "stream\n got %q\nwant %q", got, c.Stream)
					}
				}
			}
			n := len(cases)
			t.Logf("%s: ids %d/%d, ids+special %d/%d, decode %d/%d, decode-skip %d/%d, stream %d/%d",
				name, n-bad[0], n, n-bad[1], n, n-bad[2], n, n-bad[3], n, n-bad[4], n)
		})
	}
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}
