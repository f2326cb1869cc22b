package tokenizer

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// model turns one pre-tokenized word into token ids.
type model interface {
	tokenize(word string, dst []int) ([]int, error)
	tokenToID(tok string) (int, bool)
	idToToken(id int) (string, bool)
	vocabSize() int
	vocabLen() int
}

// bpeModel is byte-pair encoding: the word starts as single runes (or
// bytes with byte fallback) and the lowest-ranked adjacent pair is merged
// until no pair has a merge.
type bpeModel struct {
	vocab        map[string]int
	vocabR       []string
	merges       map[uint64]bpeMerge
	unk          string
	unkID        int // -1 without an unknown token
	prefix       string
	suffix       string
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	byteIDs      [256]int // ids of "<0xXX>" tokens, -1 where absent

	// splitMeta: every token is a run of ▁ then no ▁ (SentencePiece BPE
	// vocabularies are), so no merge can cross a point where ▁ follows
	// another rune, and a long unsplit sentence can be tokenized word by
	// word, through the cache, with the same result.
	splitMeta bool

	cache   wordCache // word -> ids
	cacheBL wordCache // raw bytes of a byte-level word -> ids
}

type bpeMerge struct {
	rank int32
	id   int32
}

func pairKey(a, b int) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

const bpeCacheMax = 1 << 16

func newBPE(vocab map[string]int, merges [][2]string, unk string, prefix, suffix string, fuseUnk, byteFallback, ignoreMerges bool) (*bpeModel, error) {
	m := &bpeModel{
		vocab: vocab, merges: make(map[uint64]bpeMerge, len(merges)),
		unk: unk, unkID: -1, prefix: prefix, suffix: suffix,
		fuseUnk: fuseUnk, byteFallback: byteFallback, ignoreMerges: ignoreMerges,
	}
	m.vocabR = invertVocab(vocab)
	m.splitMeta = metaSplittable(vocab)
	if unk != "" {
		if id, ok := vocab[unk]; ok {
			m.unkID = id
		}
	}
	for b := 0; b < 256; b++ {
		m.byteIDs[b] = -1
		if id, ok := vocab[fmt.Sprintf("<0x%02X>", b)]; ok {
			m.byteIDs[b] = id
		}
	}
	for rank, mg := range merges {
		a, ok := vocab[mg[0]]
		if !ok {
			return nil, fmt.Errorf("merge %d (%q %q): %q is not in the vocabulary", rank, mg[0], mg[1], mg[0])
		}
		b, ok := vocab[mg[1]]
		if !ok {
			return nil, fmt.Errorf("merge %d (%q %q): %q is not in the vocabulary", rank, mg[0], mg[1], mg[1])
		}
		right := mg[1]
		if prefix != "" && strings.HasPrefix(right, prefix) {
			right = right[len(prefix):]
		}
		id, ok := vocab[mg[0]+right]
		if !ok {
			return nil, fmt.Errorf("merge %d (%q %q): the merged token %q is not in the vocabulary", rank, mg[0], mg[1], mg[0]+right)
		}
		// A repeated pair keeps its last rank, as Hugging Face's map does.
		m.merges[pairKey(a, b)] = bpeMerge{rank: int32(rank), id: int32(id)}
	}
	return m, nil
}

func invertVocab(vocab map[string]int) []string {
	n := 0
	for _, id := range vocab {
		if id+1 > n {
			n = id + 1
		}
	}
	r := make([]string, n)
	for t, id := range vocab {
		if id >= 0 {
			r[id] = t
		}
	}
	return r
}

func (m *bpeModel) tokenToID(t string) (int, bool) { id, ok := m.vocab[t]; return id, ok }
func (m *bpeModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.vocabR) {
		return "", false
	}
	t := m.vocabR[id]
	if t == "" {
		if _, ok := m.vocab[""]; !ok {
			return "", false
		}
	}
	return t, true
}
func (m *bpeModel) vocabSize() int { return len(m.vocabR) }

func (m *bpeModel) tokenize(w string, dst []int) ([]int, error) {
	if w == "" {
		return dst, nil
	}
	if m.ignoreMerges {
		if id, ok := m.vocab[w]; ok {
			return append(dst, id), nil
		}
	}
	if m.splitMeta && len(w) >= 256 {
		var err error
		start := 0
		for i := 1; i < len(w); i++ {
			if w[i] == 0xE2 && strings.HasPrefix(w[i:], "▁") && !strings.HasSuffix(w[:i], "▁") {
				if dst, err = m.tokenizeWord(w[start:i], dst); err != nil {
					return dst, err
				}
				start = i
			}
		}
		return m.tokenizeWord(w[start:], dst)
	}
	return m.tokenizeWord(w, dst)
}

func metaSplittable(vocab map[string]int) bool {
	if _, ok := vocab["▁"]; !ok {
		return false
	}
	for t := range vocab {
		rest := strings.TrimLeft(t, "▁")
		if strings.Contains(rest, "▁") {
			return false
		}
	}
	return true
}

func (m *bpeModel) tokenizeWord(w string, dst []int) ([]int, error) {
	if ids, ok := m.cache.get(w); ok {
		return appendIDs(dst, ids), nil
	}
	syms, err := m.initialSymbols(w)
	if err != nil {
		return dst, err
	}
	syms = m.mergeAll(syms)
	m.cache.put(w, syms)
	return appendIDs(dst, syms), nil
}

// tokenizeByteLevel tokenizes a word given as raw bytes, for a byte-level
// pre-tokenizer that left the byte-to-rune mapping to the model: the cache
// is keyed by the raw bytes, so a hit costs no mapping at all.
func (m *bpeModel) tokenizeByteLevel(raw string, dst []int) ([]int, error) {
	if raw == "" {
		return dst, nil
	}
	if ids, ok := m.cacheBL.get(raw); ok {
		return appendIDs(dst, ids), nil
	}
	w := byteLevelEncode(raw)
	var syms []int32
	if id, ok := m.vocab[w]; ok && m.ignoreMerges {
		syms = []int32{int32(id)}
	} else {
		var err error
		if syms, err = m.initialSymbols(w); err != nil {
			return dst, err
		}
		syms = m.mergeAll(syms)
	}
	m.cacheBL.put(raw, syms)
	return appendIDs(dst, syms), nil
}

func appendIDs(dst []int, ids []int32) []int {
	for _, id := range ids {
		dst = append(dst, int(id))
	}
	return dst
}

// wordCache remembers the ids of short words. It stops growing at
// bpeCacheMax entries, like Hugging Face's cache.
type wordCache struct {
	mu sync.RWMutex
	m  map[string][]int32
}

func (c *wordCache) get(w string) ([]int32, bool) {
	c.mu.RLock()
	ids, ok := c.m[w]
	c.mu.RUnlock()
	return ids, ok
}

func (c *wordCache) put(w string, ids []int32) {
	if len(w) >= 256 {
		return
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string][]int32, 1024)
	}
	if len(c.m) < bpeCacheMax {
		c.m[strings.Clone(w)] = ids
	}
	c.mu.Unlock()
}

// initialSymbols splits the word into its starting symbols as Hugging Face's
// merge_word does: one per rune (with the subword prefix on all but the first
// and the word suffix on the last), byte tokens for unknown runes when byte
// fallback is on, otherwise the unknown token, fused over runs if asked.
func (m *bpeModel) initialSymbols(w string) ([]int32, error) {
	syms := make([]int32, 0, len(w))
	unkPending := false
	for i := 0; i < len(w); {
		_, n := utf8.DecodeRuneInString(w[i:])
		end := i + n
		s := w[i:end]
		if (i > 0 && m.prefix != "") || (end == len(w) && m.suffix != "") {
			if i > 0 {
				s = m.prefix + s
			}
			if end == len(w) {
				s += m.suffix
			}
		}
		i = end
		if id, ok := m.vocab[s]; ok {
			if unkPending {
				syms = append(syms, int32(m.unkID))
				unkPending = false
			}
			syms = append(syms, int32(id))
			continue
		}
		if m.byteFallback {
			all := true
			for j := 0; j < len(s); j++ {
				if m.byteIDs[s[j]] < 0 {
					all = false
					break
				}
			}
			if all {
				// Hugging Face leaves a pending unknown token in place here;
				// it is flushed before the next known symbol.
				for j := 0; j < len(s); j++ {
					syms = append(syms, int32(m.byteIDs[s[j]]))
				}
				continue
			}
		}
		if m.unk != "" {
			if m.unkID < 0 {
				return nil, fmt.Errorf("unknown token %q is not in the vocabulary", m.unk)
			}
			if unkPending && !m.fuseUnk {
				syms = append(syms, int32(m.unkID))
			}
			unkPending = true
		}
	}
	if unkPending {
		syms = append(syms, int32(m.unkID))
	}
	return syms, nil
}

func (m *bpeModel) mergeAll(syms []int32) []int32 {
	if len(syms) < 2 {
		return syms
	}
	if len(syms) <= 48 {
		return m.mergeSmall(syms)
	}
	return m.mergeHeap(syms)
}

// mergeSmall repeatedly merges the lowest-ranked (leftmost on ties) pair;
// quadratic, but faster than a heap for the short words that dominate.
func (m *bpeModel) mergeSmall(syms []int32) []int32 {
	for len(syms) > 1 {
		best := int32(-1)
		bestAt := -1
		var bestID int32
		for i := 0; i+1 < len(syms); i++ {
			mg, ok := m.merges[pairKey(int(syms[i]), int(syms[i+1]))]
			if ok && (best < 0 || mg.rank < best) {
				best, bestAt, bestID = mg.rank, i, mg.id
			}
		}
		if bestAt < 0 {
			break
		}
		syms[bestAt] = bestID
		syms = append(syms[:bestAt+1], syms[bestAt+2:]...)
	}
	return syms
}

type mergeCand struct {
	rank, pos int32
	id        int32
}

// candHeap is a binary min-heap of merge candidates ordered by (rank,
// position), written out to avoid container/heap's boxing.
type candHeap []mergeCand

func (h candHeap) less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}

func (h *candHeap) push(c mergeCand) {
	*h = append(*h, c)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *candHeap) pop() mergeCand {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && q.less(l, m) {
			m = l
		}
		if r < n && q.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}

// mergeHeap is the same algorithm for long words, with a priority queue and
// a linked list of symbols.
func (m *bpeModel) mergeHeap(syms []int32) []int32 {
	n := len(syms)
	prev := make([]int32, n)
	next := make([]int32, n)
	alive := make([]bool, n)
	for i := range syms {
		prev[i] = int32(i - 1)
		next[i] = int32(i + 1)
		alive[i] = true
	}
	next[n-1] = -1
	h := make(candHeap, 0, n)
	for i := 0; i+1 < n; i++ {
		if mg, ok := m.merges[pairKey(int(syms[i]), int(syms[i+1]))]; ok {
			h.push(mergeCand{mg.rank, int32(i), mg.id})
		}
	}
	for len(h) > 0 {
		c := h.pop()
		p := c.pos
		if !alive[p] || next[p] < 0 {
			continue
		}
		q := next[p]
		mg, ok := m.merges[pairKey(int(syms[p]), int(syms[q]))]
		if !ok || mg.id != c.id || mg.rank != c.rank {
			continue
		}
		syms[p] = c.id
		alive[q] = false
		next[p] = next[q]
		if next[q] >= 0 {
			prev[next[q]] = p
		}
		if pp := prev[p]; pp >= 0 {
			if mg, ok := m.merges[pairKey(int(syms[pp]), int(syms[p]))]; ok {
				h.push(mergeCand{mg.rank, pp, mg.id})
			}
		}
		if nn := next[p]; nn >= 0 {
			if mg, ok := m.merges[pairKey(int(syms[p]), int(syms[nn]))]; ok {
				h.push(mergeCand{mg.rank, p, mg.id})
			}
		}
	}
	out := syms[:0]
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}

// vocabLen is the number of vocabulary entries (Hugging Face's
// get_vocab_size), which places new added tokens.
func (m *bpeModel) vocabLen() int { return len(m.vocab) }
