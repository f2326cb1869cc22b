package tokenizer

import (
	"fmt"
	"unicode/utf8"
)

// wordPieceModel is greedy longest-match-first over the vocabulary, with
// "##" (or another prefix) on every piece after the first; a word with any
// unmatchable part becomes the single unknown token.
type wordPieceModel struct {
	vocab    map[string]int
	vocabR   []string
	unk      string
	unkID    int
	prefix   string
	maxChars int
}

func newWordPiece(vocab map[string]int, unk, prefix string, maxChars int) (*wordPieceModel, error) {
	m := &wordPieceModel{vocab: vocab, vocabR: invertVocab(vocab), unk: unk, unkID: -1, prefix: prefix, maxChars: maxChars}
	if id, ok := vocab[unk]; ok {
		m.unkID = id
	}
	return m, nil
}

func (m *wordPieceModel) tokenToID(t string) (int, bool) { id, ok := m.vocab[t]; return id, ok }
func (m *wordPieceModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.vocabR) {
		return "", false
	}
	return m.vocabR[id], true
}
func (m *wordPieceModel) vocabSize() int { return len(m.vocabR) }

func (m *wordPieceModel) unknown(dst []int) ([]int, error) {
	if m.unkID < 0 {
		return dst, fmt.Errorf("WordPiece: unknown token %q is not in the vocabulary", m.unk)
	}
	return append(dst, m.unkID), nil
}

func (m *wordPieceModel) tokenize(w string, dst []int) ([]int, error) {
	if utf8.RuneCountInString(w) > m.maxChars {
		return m.unknown(dst)
	}
	mark := len(dst)
	buf := make([]byte, 0, len(m.prefix)+len(w))
	for start := 0; start < len(w); {
		end := len(w)
		found := -1
		for start < end {
			var id int
			var ok bool
			if start > 0 {
				buf = append(buf[:0], m.prefix...)
				buf = append(buf, w[start:end]...)
				id, ok = m.vocab[string(buf)] // no allocation: map index by converted bytes
			} else {
				id, ok = m.vocab[w[start:end]]
			}
			if ok {
				found = id
				break
			}
			_, n := utf8.DecodeLastRuneInString(w[start:end])
			end -= n
		}
		if found < 0 {
			return m.unknown(dst[:mark])
		}
		dst = append(dst, found)
		start = end
	}
	return dst, nil
}

// vocabLen is the number of vocabulary entries (Hugging Face's
// get_vocab_size), which places new added tokens.
func (m *wordPieceModel) vocabLen() int { return len(m.vocab) }
