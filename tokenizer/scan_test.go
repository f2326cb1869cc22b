package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The hand-written scanners must find exactly the matches the general
// regex engine finds for the same pattern, on the corpus, the benchmark
// text and random strings built from tricky runes.
func TestScannersMatchRegex(t *testing.T) {
	inputs := loadCorpus(t)
	for _, d := range strings.Split(benchText(), "\n\n")[:200] {
		inputs = append(inputs, d)
	}
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []string{"a", "Z", "é", "中", "1", "٣", "²", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000",
		"'", "'s", "'S", "'ll", "'LL", "'re", "'ve", "'m", "'d", "'t", "'x", "ſ", "!", "?", ".", "😀", "\u200d",
		"\u0301", "_", "-", "\ufeff", "\u2028", "\u0085"}
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := r.IntN(16); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	for _, pat := range []string{patGPT2, patLlama3, patQwen2} {
		sc := knownScanner(pat)
		re, err := compileRegex(pat)
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for _, s := range inputs {
			s = validUTF8(s)
			got := sc(s, nil)
			want := re.findAll(s, nil)
			if !slices.Equal(got, want) {
				bad++
				if bad < 5 {
					t.Errorf("pattern %.30q on %q:\nscanner %v\n  regex %v", pat, s, got, want)
				}
			}
		}
		if bad > 0 {
			t.Errorf("pattern %.30q: %d of %d inputs differ", pat, bad, len(inputs))
		}
	}
}

func TestRegexEngine(t *testing.T) {
	cases := []struct {
		pat, in string
		want    [][2]int
	}{
		{`a+`, "caaab", [][2]int{{1, 4}}},
		{`a+?`, "aa", [][2]int{{0, 1}, {1, 2}}},
		{`\s+(?!\S)`, "a   b", [][2]int{{1, 3}}},
		{`(?<=a)b`, "abcb", [][2]int{{1, 2}}},
		{`(?i:ab)`, "xAbaB", [][2]int{{1, 3}, {3, 5}}},
		{`[^\s\p{L}]+`, "ab12 !?c", [][2]int{{2, 4}, {5, 7}}},
		{` {2,}`, "a  b c   d", [][2]int{{1, 3}, {6, 9}}},
		{`\p{N}{1,3}`, "12345", [][2]int{{0, 3}, {3, 5}}},
		{`x*`, "ab", [][2]int{{0, 0}, {1, 1}, {2, 2}}},
		{`\d+(?=px)`, "10px 20em 30px", [][2]int{{0, 2}, {10, 12}}},
		{`[a-c]|\x{4e2d}`, "zb中", [][2]int{{1, 2}, {2, 5}}},
		{`(?>a+)b`, "aaab", [][2]int{{0, 4}}},
		{`a++a`, "aaa", nil},
		{`^\w+$`, "ab\ncd", [][2]int{{0, 2}, {3, 5}}},
	}
	for _, c := range cases {
		re, err := compileRegex(c.pat)
		if err != nil {
			t.Errorf("%q: %v", c.pat, err)
			continue
		}
		if got := re.findAll(c.in, nil); !slices.Equal(got, c.want) {
			t.Errorf("%q on %q: got %v, want %v", c.pat, c.in, got, c.want)
		}
	}
	for _, bad := range []string{`(`, `[a`, `a{`, `\p{Nope}`, `(?x)a`, `\q`, `a)`, `[z-a]`} {
		if _, err := compileRegex(bad); err == nil && bad != `a{` {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// A catastrophic pattern stops at the step limits instead of hanging.
func TestRegexStepLimit(t *testing.T) {
	defer func(a, b int) { regexStepLimit, regexTotalLimit = a, b }(regexStepLimit, regexTotalLimit)
	regexStepLimit, regexTotalLimit = 100_000, 500_000
	re, err := compileRegex(`(a*)*b`)
	if err != nil {
		t.Fatal(err)
	}
	if got := re.findAll(strings.Repeat("a", 200), nil); len(got) != 0 {
		t.Errorf("got %v", got)
	}
}
