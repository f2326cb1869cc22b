package tokenizer

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
)

// TestRegexGoldens splits strings with 400 random Oniguruma patterns
// (tools/refgen/tokenizers_node.js regex) and compares the pieces with HF's.
func TestRegexGoldens(t *testing.T) {
	data, err := readMaybeGzip(filepath.Join(testdataDir, "regex.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Strs []string
		Pats []struct {
			Pat    string
			Pieces [][][2]int
		}
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, p := range g.Pats {
		js, _ := json.Marshal(map[string]any{"type": "Split", "pattern": map[string]string{"Regex": p.Pat}, "behavior": "Isolated"})
		pt, err := buildPreTokenizer(js)
		if err != nil {
			t.Errorf("%q: %v", p.Pat, err)
			bad++
			continue
		}
		for i, s := range g.Strs {
			rs := []rune(s)
			var want, got []string
			for _, o := range p.Pieces[i] {
				want = append(want, string(rs[o[0]:o[1]]))
			}
			for _, pc := range runPreTokenizer(pt, []piece{{s: s, id: -1, first: true}}, nil, &splitScratch{}) {
				got = append(got, pc.s)
			}
			if !slices.Equal(got, want) {
				bad++
				t.Errorf("%q on %q:\n got %q\nwant %q", p.Pat, s, got, want)
				break
			}
		}
	}
	t.Logf("%d of %d patterns split like Oniguruma", len(g.Pats)-bad, len(g.Pats))
}
