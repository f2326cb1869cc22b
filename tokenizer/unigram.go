package tokenizer

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// unigramModel picks the segmentation with the highest total log
// probability (Viterbi), as SentencePiece's unigram model does.
type unigramModel struct {
	pieces       []string
	scores       []float64
	vocab        map[string]int
	unkID        int
	byteFallback bool
	fuseUnk      bool
	minScore     float64
	trie         byteTrie
	byteIDs      [256]int

	cache wordCache
}

// unkPenalty is what an unknown rune costs below the lowest piece score.
const unkPenalty = 10.0

func newUnigram(pieces []string, scores []float64, unkID int, byteFallback bool) (*unigramModel, error) {
	m := &unigramModel{pieces: pieces, scores: scores, vocab: make(map[string]int, len(pieces)),
		unkID: unkID, byteFallback: byteFallback, fuseUnk: true, minScore: math.Inf(1)}
	for i, p := range pieces {
		m.vocab[p] = i // a repeated piece keeps its last id, as in Hugging Face
		if scores[i] < m.minScore {
			m.minScore = scores[i]
		}
	}
	m.trie = newByteTrie(pieces)
	if unkID >= len(pieces) {
		return nil, fmt.Errorf("Unigram: unk_id %d is outside the vocabulary of %d", unkID, len(pieces))
	}
	for b := 0; b < 256; b++ {
		m.byteIDs[b] = -1
		if id, ok := m.vocab[fmt.Sprintf("<0x%02X>", b)]; ok {
			m.byteIDs[b] = id
		}
	}
	return m, nil
}

func (m *unigramModel) tokenToID(t string) (int, bool) { id, ok := m.vocab[t]; return id, ok }
func (m *unigramModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.pieces) {
		return "", false
	}
	return m.pieces[id], true
}
func (m *unigramModel) vocabSize() int { return len(m.pieces) }

type viterbiNode struct {
	id    int
	score float64
	start int // -1 when unreached
}

// segment returns the best segmentation of s as substrings.
func (m *unigramModel) segment(s string) ([]string, error) {
	nodes := make([]viterbiNode, len(s)+1)
	for i := range nodes {
		nodes[i].start = -1
	}
	unkScore := m.minScore - unkPenalty
	for at := 0; at < len(s); {
		base := nodes[at].score
		_, mblen := utf8.DecodeRuneInString(s[at:])
		single := false
		// Every prefix that is a piece, shortest first (the trie's order,
		// which decides ties).
		node := int32(0)
		for l := 1; at+l <= len(s); l++ {
			node = m.trie.child(node, s[at+l-1])
			if node < 0 {
				break
			}
			id := int(m.trie.piece[node])
			if id < 0 {
				continue
			}
			t := &nodes[at+l]
			cand := base + m.scores[id]
			if t.start < 0 || cand > t.score {
				t.score, t.start, t.id = cand, at, id
			}
			if l == mblen {
				single = true
			}
		}
		if !single {
			if m.unkID < 0 {
				return nil, fmt.Errorf("Unigram: %q has no piece and the model has no unknown token", s[at:at+mblen])
			}
			t := &nodes[at+mblen]
			cand := base + unkScore
			if t.start < 0 || cand > t.score {
				t.score, t.start, t.id = cand, at, m.unkID
			}
		}
		at += mblen
	}
	var out []string
	fusedEnd := -1 // end of a run of unknown pieces being fused
	for end := len(s); end > 0; {
		n := nodes[end]
		if m.fuseUnk && m.unkID >= 0 && n.id == m.unkID {
			if fusedEnd < 0 {
				fusedEnd = end
			}
		} else {
			if fusedEnd >= 0 {
				out = append(out, s[end:fusedEnd])
				fusedEnd = -1
			}
			out = append(out, s[n.start:end])
		}
		end = n.start
	}
	if fusedEnd >= 0 {
		out = append(out, s[0:fusedEnd])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func (m *unigramModel) tokenize(w string, dst []int) ([]int, error) {
	if w == "" {
		return dst, nil
	}
	if ids, ok := m.cache.get(w); ok {
		return appendIDs(dst, ids), nil
	}
	mark := len(dst)
	parts, err := m.segment(w)
	if err != nil {
		return dst, err
	}
	for _, p := range parts {
		if id, ok := m.vocab[p]; ok {
			dst = append(dst, id)
			continue
		}
		if m.byteFallback {
			all := true
			for j := 0; j < len(p); j++ {
				if m.byteIDs[p[j]] < 0 {
					all = false
					break
				}
			}
			if all {
				for j := 0; j < len(p); j++ {
					dst = append(dst, m.byteIDs[p[j]])
				}
				continue
			}
		}
		if m.unkID < 0 {
			return dst, fmt.Errorf("Unigram: %q has no piece and the model has no unknown token", p)
		}
		dst = append(dst, m.unkID)
	}
	ids := make([]int32, len(dst)-mark)
	for i, id := range dst[mark:] {
		ids[i] = int32(id)
	}
	m.cache.put(w, ids)
	return dst, nil
}

// byteTrie is a trie over the pieces' bytes; a node's children live in one
// map keyed by (node, byte), so a lookup is a single hash probe.
type byteTrie struct {
	edges map[uint64]int32
	piece []int32 // piece id ending at the node, or -1
}

func newByteTrie(pieces []string) byteTrie {
	t := byteTrie{edges: make(map[uint64]int32, len(pieces)*2), piece: []int32{-1}}
	for id, p := range pieces {
		n := int32(0)
		for i := 0; i < len(p); i++ {
			k := uint64(n)<<8 | uint64(p[i])
			c, ok := t.edges[k]
			if !ok {
				c = int32(len(t.piece))
				t.piece = append(t.piece, -1)
				t.edges[k] = c
			}
			n = c
		}
		if len(p) > 0 {
			// A repeated piece keeps its last id, like the vocabulary map.
			t.piece[n] = int32(id)
		}
	}
	return t
}

func (t *byteTrie) child(n int32, b byte) int32 {
	c, ok := t.edges[uint64(n)<<8|uint64(b)]
	if !ok {
		return -1
	}
	return c
}

// vocabLen is the number of vocabulary entries (Hugging Face's
// get_vocab_size), which places new added tokens.
func (m *unigramModel) vocabLen() int { return len(m.pieces) }
