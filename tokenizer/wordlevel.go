package tokenizer

import "fmt"

// wordLevelModel maps each whole word to its id, or to the unknown token.
type wordLevelModel struct {
	vocab  map[string]int
	vocabR []string
	unk    string
}

func (m *wordLevelModel) tokenize(w string, dst []int) ([]int, error) {
	if id, ok := m.vocab[w]; ok {
		return append(dst, id), nil
	}
	if id, ok := m.vocab[m.unk]; ok {
		return append(dst, id), nil
	}
	return dst, fmt.Errorf("WordLevel: %q is not in the vocabulary and there is no unknown token", w)
}

func (m *wordLevelModel) tokenToID(t string) (int, bool) { id, ok := m.vocab[t]; return id, ok }
func (m *wordLevelModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.vocabR) {
		return "", false
	}
	return m.vocabR[id], true
}
func (m *wordLevelModel) vocabSize() int { return len(m.vocabR) }
func (m *wordLevelModel) vocabLen() int  { return len(m.vocab) }
