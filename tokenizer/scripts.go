package tokenizer

import (
	"sort"
	"sync"
	"unicode"
)

// unicodeScriptsPreTokenizer splits where the Unicode script changes, as
// Hugging Face's UnicodeScripts does: Hiragana, Katakana and U+30FC count
// as Han, a space (U+0020) and unassigned code points belong to no script
// and never start a piece, so such runes before the first scripted rune are
// dropped. Scripts come from Go's Unicode 15 tables; HF's own table is
// older and differs for some punctuation (e.g. U+0589 is Common there).
type unicodeScriptsPreTokenizer struct{}

const (
	scriptAny     = -1
	scriptUnknown = 0
)

var (
	scriptOnce  sync.Once
	scriptNames []string
	scriptBMP   []int16
	scriptHan   int
	scriptIDs   map[string]int
)

func initScripts() {
	scriptNames = []string{"Unknown"}
	names := make([]string, 0, len(unicode.Scripts))
	for n := range unicode.Scripts {
		names = append(names, n)
	}
	sort.Strings(names)
	scriptIDs = map[string]int{}
	scriptBMP = make([]int16, 0x10000)
	for _, n := range names {
		id := len(scriptNames)
		scriptNames = append(scriptNames, n)
		scriptIDs[n] = id
		for _, r := range unicode.Scripts[n].R16 {
			for c := int(r.Lo); c <= int(r.Hi); c += int(r.Stride) {
				scriptBMP[c] = int16(id)
			}
		}
	}
	scriptHan = scriptIDs["Han"]
	for _, n := range []string{"Hiragana", "Katakana"} {
		for _, r := range unicode.Scripts[n].R16 {
			for c := int(r.Lo); c <= int(r.Hi); c += int(r.Stride) {
				scriptBMP[c] = int16(scriptHan)
			}
		}
	}
}

func fixedScript(r rune) int {
	scriptOnce.Do(initScripts)
	switch {
	case r == ' ':
		return scriptAny
	case r == 0x30FC:
		return scriptHan
	case r < 0x10000:
		if id := int(scriptBMP[r]); id != scriptUnknown {
			return id
		}
		return scriptAny // unassigned: no script, as in Hugging Face
	}
	for _, n := range scriptNames[1:] {
		if unicode.Is(unicode.Scripts[n], r) {
			if n == "Hiragana" || n == "Katakana" {
				return scriptHan
			}
			return scriptIDs[n]
		}
	}
	return scriptAny
}

func (unicodeScriptsPreTokenizer) preTokenize(p piece, dst []piece, _ *splitScratch) []piece {
	s := p.s
	var cuts []int
	last := scriptAny - 1 // none yet
	for i, r := range s {
		sc := fixedScript(r)
		if sc != scriptAny && sc != last {
			cuts = append(cuts, i)
		}
		if sc != scriptAny {
			last = sc
		}
	}
	cuts = append(cuts, len(s))
	for k := 0; k+1 < len(cuts); k++ {
		if cuts[k+1] > cuts[k] {
			dst = append(dst, piece{s: s[cuts[k]:cuts[k+1]], id: -1, first: p.first && cuts[k] == 0})
		}
	}
	return dst
}
