package tokenizer

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestComponentGoldens runs the variants of tools/refgen/tokenizers_node.js:
// committed tokenizers with components swapped (every Split behavior,
// Whitespace, Punctuation, Digits, the normalizers, post-processors,
// decoders, added-token options, Metaspace schemes, byte-level options,
// BPE prefix/suffix), against HF tokenizers' own output.
func TestComponentGoldens(t *testing.T) {
	data, err := readMaybeGzip(filepath.Join(testdataDir, "components.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		CorpusCases int `json:"corpus_cases"`
		Variants    []struct {
			Name     string                     `json:"name"`
			Base     string                     `json:"base"`
			Override map[string]json.RawMessage `json:"override"`
			Cases    []goldenCase               `json:"cases"`
		} `json:"variants"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	corpus := loadCorpus(t)[:g.CorpusCases]
	bases := map[string]map[string]json.RawMessage{}
	total, bad := 0, 0
	for _, v := range g.Variants {
		doc := map[string]json.RawMessage{}
		if v.Base != "" {
			if bases[v.Base] == nil {
				raw, err := readMaybeGzip(filepath.Join(testdataDir, v.Base, "tokenizer.json.gz"))
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]json.RawMessage{}
				if err := json.Unmarshal(raw, &m); err != nil {
					t.Fatal(err)
				}
				bases[v.Base] = m
			}
			for k, x := range bases[v.Base] {
				doc[k] = x
			}
		}
		for k, x := range v.Override {
			doc[k] = x
		}
		// Assemble the raw parts (json.Marshal would re-encode megabytes).
		js := []byte{'{'}
		for k, x := range doc {
			if len(js) > 1 {
				js = append(js, ',')
			}
			kq, _ := json.Marshal(k)
			js = append(append(append(js, kq...), ':'), x...)
		}
		js = append(js, '}')
		tk, err := FromJSON(js)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		vbad := 0
		for i, c := range v.Cases {
			s := corpus[i]
			skip := c.Decode
			if c.DecodeSkip != nil {
				skip = c.DecodeSkip
			}
			var diff string
			switch got, gotS := tk.Encode(s, false), tk.Encode(s, true); {
			case !slices.Equal(got, c.IDs):
				diff = fmt.Sprintf("ids\n got %v\nwant %v", got, c.IDs)
			case !slices.Equal(gotS, c.IDsSpecial):
				diff = fmt.Sprintf("ids with special tokens\n got %v\nwant %v", gotS, c.IDsSpecial)
			case tk.Decode(c.IDsSpecial, false) != *c.Decode:
				diff = fmt.Sprintf("decode\n got %q\nwant %q", tk.Decode(c.IDsSpecial, false), *c.Decode)
			case tk.Decode(c.IDsSpecial, true) != *skip:
				diff = fmt.Sprintf("decode skipping special\n got %q\nwant %q", tk.Decode(c.IDsSpecial, true), *skip)
			}
			total++
			if diff != "" {
				bad++
				vbad++
				if vbad <= 2 {
					t.Errorf("%s: case %d %q: %s", v.Name, i, trunc(s), diff)
				}
			}
		}
	}
	t.Logf("%d variants, %d of %d cases equal to HF tokenizers", len(g.Variants), total-bad, total)
}
