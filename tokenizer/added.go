package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// AddedToken is an entry of tokenizer.json's "added_tokens": text that is
// cut out of the input before the model sees it.
type AddedToken struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// tokenTrie finds added tokens, leftmost-longest, as the Aho-Corasick
// automaton Hugging Face builds does.
type tokenTrie struct {
	nodes []trieNode
	first [256]bool
}

type trieNode struct {
	next  map[byte]int32
	token int32 // index into the added tokens, or -1
}

func newTokenTrie() *tokenTrie {
	return &tokenTrie{nodes: []trieNode{{token: -1}}}
}

func (t *tokenTrie) add(key string, token int) {
	if key == "" {
		return
	}
	t.first[key[0]] = true
	n := int32(0)
	for i := 0; i < len(key); i++ {
		nx, ok := t.nodes[n].next[key[i]]
		if !ok {
			if t.nodes[n].next == nil {
				t.nodes[n].next = make(map[byte]int32, 2)
			}
			t.nodes = append(t.nodes, trieNode{token: -1})
			nx = int32(len(t.nodes) - 1)
			t.nodes[n].next[key[i]] = nx
		}
		n = nx
	}
	if t.nodes[n].token < 0 {
		t.nodes[n].token = int32(token)
	}
}

func (t *tokenTrie) empty() bool { return len(t.nodes) == 1 }

type tokenMatch struct{ start, end, token int }

// findAll returns non-overlapping leftmost-longest matches.
func (t *tokenTrie) findAll(s string, dst []tokenMatch) []tokenMatch {
	for i := 0; i < len(s); i++ {
		if !t.first[s[i]] {
			continue
		}
		n, best, bestEnd := int32(0), -1, -1
		for j := i; j < len(s); j++ {
			nx, ok := t.nodes[n].next[s[j]]
			if !ok {
				break
			}
			n = nx
			if tok := t.nodes[n].token; tok >= 0 {
				best, bestEnd = int(tok), j+1
			}
		}
		if best >= 0 {
			dst = append(dst, tokenMatch{i, bestEnd, best})
			i = bestEnd - 1
		}
	}
	return dst
}

// addedVocab holds the added tokens and the two tries Hugging Face splits
// with: one for tokens matched on the raw input, one for tokens matched
// after normalization.
type addedVocab struct {
	tokens []AddedToken
	// text is what each token decodes to: its content, normalized for a
	// normalized token (Hugging Face stores it so).
	text      []string
	byID      map[int]int // id -> index in tokens
	byContent map[string]int
	raw       *tokenTrie
	norm      *tokenTrie
}

func newAddedVocab(tokens []AddedToken, n normalizer) *addedVocab {
	v := &addedVocab{tokens: tokens, text: make([]string, len(tokens)), byID: map[int]int{}, byContent: map[string]int{}, raw: newTokenTrie(), norm: newTokenTrie()}
	for i, tok := range tokens {
		v.byID[tok.ID] = i
		v.byContent[tok.Content] = tok.ID
		v.text[i] = tok.Content
		if tok.Normalized {
			key := tok.Content
			if n != nil {
				key = n.normalize(key)
			}
			v.text[i] = key
			v.norm.add(key, i)
		} else {
			v.raw.add(tok.Content, i)
		}
	}
	return v
}

// assignAddedIDs gives the added tokens of a tokenizer.json the ids Hugging
// Face gives them, which ignores the "id" fields: a token whose content is
// already in the vocabulary (or added before) takes that id, any other the
// next free id past the model's vocabulary. Files written by Hugging Face
// agree with this; hand-edited ones may not. A repeated content is dropped.
func assignAddedIDs(tokens []AddedToken, m model) []AddedToken {
	out := make([]AddedToken, 0, len(tokens))
	ids := map[string]int{}
	maxID := -1
	vocabLen := m.vocabLen()
	for _, tok := range tokens {
		if tok.Content == "" {
			continue
		}
		if _, dup := ids[tok.Content]; dup {
			continue
		}
		id, ok := m.tokenToID(tok.Content)
		if !ok {
			switch {
			case maxID < 0:
				id = vocabLen
			case maxID >= vocabLen || vocabLen == 0:
				id = maxID + 1
			default:
				id = vocabLen
			}
		}
		ids[tok.Content] = id
		maxID = max(maxID, id)
		tok.ID = id
		out = append(out, tok)
	}
	return out
}

// endsWithWord and startsWithWord are Hugging Face's `\w$` and `^\w`
// (Rust's regex crate), which decide single_word matches.
func endsWithWord(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && rustWordChar(r)
}

func startsWithWord(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && rustWordChar(r)
}

// split cuts s at the added tokens of trie, applying single_word, lstrip and
// rstrip as Hugging Face's find_matches does, and appends the non-empty parts.
func (v *addedVocab) split(s string, trie *tokenTrie, parent piece, dst []piece) []piece {
	if trie.empty() || s == "" {
		if s != "" {
			dst = append(dst, parent)
		}
		return dst
	}
	matches := trie.findAll(s, nil)
	if len(matches) == 0 {
		return append(dst, parent)
	}
	emit := func(lo, hi, id int) {
		if hi > lo {
			dst = append(dst, piece{s: s[lo:hi], id: id, first: parent.first && lo == 0})
		}
	}
	startOffset := 0
	for _, m := range matches {
		tok := &v.tokens[m.token]
		start, stop := m.start, m.end
		if tok.SingleWord {
			startSpace := start == 0 || !endsWithWord(s[:start])
			stopSpace := stop == len(s) || !startsWithWord(s[stop:])
			if !startSpace || !stopSpace {
				continue
			}
		}
		if tok.LStrip {
			ns := len(strings.TrimRightFunc(s[:start], isSpace))
			start = max(ns, startOffset)
		}
		if tok.RStrip {
			stop = len(s) - len(strings.TrimLeftFunc(s[stop:], isSpace))
		}
		if start > startOffset {
			emit(startOffset, start, -1)
		}
		dst = append(dst, piece{s: s[start:stop], id: tok.ID, first: parent.first && start == 0})
		startOffset = stop
	}
	if startOffset < len(s) {
		emit(startOffset, len(s), -1)
	}
	return dst
}
