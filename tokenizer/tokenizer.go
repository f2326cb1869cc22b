// Package tokenizer encodes text to token ids and back exactly as Hugging
// Face's `tokenizers` library (0.23) does, from a tokenizer.json (plus the
// transformers config files beside it) or from a GGUF vocabulary.
//
// Load takes a model or tokenizer folder, a tokenizer.json, or a .gguf
// file; FromJSON and FromGGUF build from bytes and parsed metadata. Encode
// returns ids (EncodeTokens also the token strings), Decode maps ids back,
// and NewStreamDecoder decodes one id at a time as HF's DecodeStream does.
//
// The pipeline is Hugging Face's: added tokens are cut out of the raw text,
// the rest is normalized, pre-tokenized into words, each word is tokenized
// by the model (BPE, WordPiece, Unigram or WordLevel), and a post-processor adds the
// special tokens. Decoding maps ids to tokens and runs the decoder chain.
// Every component tokenizer.json can name is supported; an unknown one is
// an error that names it. UnicodeScripts uses Go's script tables, which differ from HF's older one
// for some rare punctuation.
//
// Equality with HF is tested on real tokenizers (Qwen3, Llama 3.1,
// Mistral/Llama 2, a BERT WordPiece, SentencePiece Unigram models) over a
// corpus of hard strings, on 57 component variants, and per code point for
// the character classes (see unicode.go: HF's crates disagree with Go's
// Unicode 15 tables, so the package carries HF's own). Not computed:
// offsets, type ids, attention masks, truncation and padding, and pairs.
//
// Input text that is not valid UTF-8 (which Python callers of Hugging Face
// can never pass) is first repaired: each maximal ill-formed subsequence
// becomes U+FFFD, as bytes.decode("utf-8", "replace") does. Split patterns
// without a hand-written scanner run on a backtracking engine with
// Oniguruma's semantics; like Oniguruma it gives up on a match attempt after
// a step limit, so a pathological regex in a tokenizer.json cannot hang.
//
// A Tokenizer is safe for concurrent use.
package tokenizer

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Tokenizer is a loaded tokenizer.
type Tokenizer struct {
	norm  normalizer
	pre   preTokenizer
	model model
	post  postProcessor
	dec   decoder
	added *addedVocab

	bos, eos, pad, unk int
	eosIDs             []int
	maxID              int
	cleanUpSpaces      bool
	bytesKind          bytesKind
	metaFirst          bool // a Metaspace pre-tokenizer uses prepend_scheme "first"
}

// CleansUpSpaces reports tokenizer_config.json's clean_up_tokenization_spaces:
// whether transformers would pass decoded text through
// CleanUpTokenizationSpaces.
func (t *Tokenizer) CleansUpSpaces() bool { return t.cleanUpSpaces }

// Encode returns the token ids of text; with addSpecial the post-processor
// adds the model's special tokens (BOS, [CLS] ... [SEP]).
func (t *Tokenizer) Encode(text string, addSpecial bool) []int {
	return t.encode(text, addSpecial)
}

// EncodeTokens is Encode that also returns each id's token string.
func (t *Tokenizer) EncodeTokens(text string, addSpecial bool) ([]int, []string) {
	ids := t.encode(text, addSpecial)
	toks := make([]string, len(ids))
	for i, id := range ids {
		toks[i], _ = t.IDToToken(id)
	}
	return ids, toks
}

func (t *Tokenizer) encode(text string, addSpecial bool) []int {
	text = validUTF8(text)
	sc := scratchPool.Get().(*splitScratch)
	defer scratchPool.Put(sc)
	root := piece{s: text, id: -1, first: true}
	pieces := t.added.split(text, t.added.raw, root, sc.a[:0])
	normed := sc.b[:0]
	for _, p := range pieces {
		if p.id >= 0 {
			normed = append(normed, p)
			continue
		}
		s := p.s
		first := p.first
		if t.norm != nil {
			s = t.norm.normalize(s)
			if first && t.metaFirst {
				first = !leadingRuneDropped(t.norm, p.s)
			}
		}
		normed = t.added.split(s, t.added.norm, piece{s: s, id: -1, first: first}, normed)
	}
	sc.a = pieces
	if t.pre != nil {
		normed = runPreTokenizer(t.pre, normed, sc.a[:0], sc)
	}
	ids := make([]int, 0, len(text)/3+4)
	for _, p := range normed {
		if p.id >= 0 {
			ids = append(ids, p.id)
			continue
		}
		// Model errors can only come from vocabularies that lack the unknown
		// token they need; such a word is dropped.
		if p.raw {
			ids, _ = t.model.(*bpeModel).tokenizeByteLevel(p.s, ids)
		} else {
			ids, _ = t.model.tokenize(p.s, ids)
		}
	}
	if t.post != nil {
		ids = t.post.process(ids, addSpecial)
	}
	sc.keep(normed)
	return ids
}

// leadingRuneDropped reports whether the normalizer deletes the first rune
// of s (a Strip, a Replace with nothing, BERT's control-character removal):
// then the normalized text no longer begins at offset 0 of the input, and
// Metaspace's prepend_scheme "first" does not prepend, as in Hugging Face.
// Precompiled is the exception: HF aligns its first output character to
// offset 0 even when it deleted the characters before it.
func leadingRuneDropped(n normalizer, s string) bool {
	_, w := utf8.DecodeRuneInString(s)
	if w == 0 {
		return false
	}
	x := s[:w]
	steps := []normalizer{n}
	if seq, ok := n.(seqNormalizer); ok {
		steps = seq
	}
	for _, step := range steps {
		if x = step.normalize(x); x == "" {
			_, precompiled := step.(*precompiledNormalizer)
			return !precompiled
		}
	}
	return false
}

var scratchPool = sync.Pool{New: func() any { return new(splitScratch) }}

// keep stores a buffer that outgrew the pooled ones, replacing the smaller,
// so the two pooled buffers never share an array; huge ones are dropped.
func (sc *splitScratch) keep(buf []piece) {
	if cap(buf) > 1<<16 {
		sc.a, sc.b = nil, nil
		return
	}
	d := unsafe.SliceData(buf)
	if d == unsafe.SliceData(sc.a) || d == unsafe.SliceData(sc.b) {
		return
	}
	if cap(sc.a) < cap(sc.b) {
		sc.a = buf[:0]
	} else {
		sc.b = buf[:0]
	}
}

// Decode turns ids back into text. Ids outside the vocabulary are skipped;
// with skipSpecial so are special added tokens.
func (t *Tokenizer) Decode(ids []int, skipSpecial bool) string {
	toks := make([]string, 0, len(ids))
	for _, id := range ids {
		tok, ok := t.IDToToken(id)
		if !ok || skipSpecial && t.IsSpecial(id) {
			continue
		}
		toks = append(toks, tok)
	}
	return t.decodeTokens(toks)
}

func (t *Tokenizer) decodeTokens(toks []string) string {
	if t.dec == nil {
		return strings.Join(toks, " ")
	}
	return strings.Join(t.dec.decodeChain(toks), "")
}

// TokenToID returns the id of a token (added tokens first, then the model's
// vocabulary).
func (t *Tokenizer) TokenToID(tok string) (int, bool) {
	if id, ok := t.added.byContent[tok]; ok {
		return id, true
	}
	return t.model.tokenToID(tok)
}

// IDToToken returns the token string of an id.
func (t *Tokenizer) IDToToken(id int) (string, bool) {
	if i, ok := t.added.byID[id]; ok {
		return t.added.text[i], true
	}
	return t.model.idToToken(id)
}

// IsSpecial reports whether id is a special added token.
func (t *Tokenizer) IsSpecial(id int) bool {
	i, ok := t.added.byID[id]
	return ok && t.added.tokens[i].Special
}

// VocabSize is one more than the largest id of the model's vocabulary and
// the added tokens: the number of embedding rows a model needs at least.
func (t *Tokenizer) VocabSize() int { return t.maxID + 1 }

// AddedTokens returns the added tokens in file order.
func (t *Tokenizer) AddedTokens() []AddedToken {
	return append([]AddedToken(nil), t.added.tokens...)
}

// BOS returns the beginning-of-sequence id, or -1.
func (t *Tokenizer) BOS() int { return t.bos }

// EOS returns the main end-of-sequence id, or -1.
func (t *Tokenizer) EOS() int { return t.eos }

// PAD returns the padding id, or -1.
func (t *Tokenizer) PAD() int { return t.pad }

// UNK returns the unknown-token id, or -1.
func (t *Tokenizer) UNK() int { return t.unk }

// EOSIDs returns every id that ends generation: the tokenizer's EOS and
// those named by tokenizer_config.json and generation_config.json.
func (t *Tokenizer) EOSIDs() []int { return append([]int(nil), t.eosIDs...) }

// IsEOS reports whether id ends generation.
func (t *Tokenizer) IsEOS(id int) bool {
	for _, e := range t.eosIDs {
		if e == id {
			return true
		}
	}
	return false
}

func (t *Tokenizer) addEOS(id int) {
	if id < 0 || t.IsEOS(id) {
		return
	}
	t.eosIDs = append(t.eosIDs, id)
}

// finish computes derived fields once the parts are in place.
func (t *Tokenizer) finish() error {
	if t.model == nil {
		return fmt.Errorf("no model")
	}
	t.maxID = t.model.vocabSize() - 1
	t.bytesKind = t.tokenBytesKind()
	t.metaFirst = hasMetaFirst(t.pre)
	if _, ok := t.model.(*bpeModel); ok {
		if bl := lastByteLevel(t.pre); bl != nil {
			bl.lazy = true
		}
	}
	for _, a := range t.added.tokens {
		if a.ID < 0 {
			return fmt.Errorf("added token %q has negative id %d", a.Content, a.ID)
		}
		if a.ID > t.maxID {
			t.maxID = a.ID
		}
	}
	return nil
}

func hasMetaFirst(p preTokenizer) bool {
	switch v := p.(type) {
	case *metaspacePreTokenizer:
		return v.scheme == prependFirst
	case seqPreTokenizer:
		for _, x := range v {
			if hasMetaFirst(x) {
				return true
			}
		}
	}
	return false
}

// lastByteLevel returns the ByteLevel pre-tokenizer if it is the last step.
func lastByteLevel(p preTokenizer) *byteLevelPreTokenizer {
	switch v := p.(type) {
	case *byteLevelPreTokenizer:
		return v
	case seqPreTokenizer:
		if len(v) > 0 {
			return lastByteLevel(v[len(v)-1])
		}
	}
	return nil
}
