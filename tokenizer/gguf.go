package tokenizer

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/ferrum-go/ferrum/format/gguf"
)

// GGUF token types (llama.cpp's llama_token_type).
const (
	ggufTypeNormal      = 1
	ggufTypeUnknown     = 2
	ggufTypeControl     = 3
	ggufTypeUserDefined = 4
	ggufTypeUnused      = 5
	ggufTypeByte        = 6
)

// LoadGGUFFile reads the vocabulary of a GGUF model file.
func LoadGGUFFile(path string) (*Tokenizer, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := FromGGUF(f.Metadata)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// FromGGUF builds a tokenizer from GGUF metadata (the tokenizer.ggml.*
// keys), rebuilding the Hugging Face pipeline the vocabulary was converted
// from, so ids equal those of the original tokenizer.json:
//
//   - "gpt2": byte-level BPE with tokenizer.ggml.merges; the split pattern
//     comes from tokenizer.ggml.pre ("gpt-2", "llama-bpe", "qwen2"; Qwen2
//     also gets its NFC normalizer, which llama.cpp omits).
//   - "llama": SentencePiece BPE, merges derived from the scores as
//     transformers' converter derives them, byte fallback when the vocabulary
//     has byte tokens, "▁" prefix as tokenizer.ggml.add_space_prefix says.
//   - "bert": WordPiece over llama.cpp's "phantom space" vocabulary (▁ marks
//     word starts instead of ## marking continuations), lowercasing.
//   - "t5": Unigram with tokenizer.ggml.precompiled_charsmap.
//
// Control tokens become special added tokens, user-defined ones plain added
// tokens; tokenizer.ggml.add_bos_token / add_eos_token decide what
// addSpecial adds.
func FromGGUF(md *gguf.Metadata) (*Tokenizer, error) {
	kind, err := md.String("tokenizer.ggml.model")
	if err != nil {
		return nil, err
	}
	tokens, err := md.Strings("tokenizer.ggml.tokens")
	if err != nil {
		return nil, err
	}
	types := make([]int64, len(tokens))
	if md.Has("tokenizer.ggml.token_type") {
		if types, err = md.Ints("tokenizer.ggml.token_type"); err != nil {
			return nil, err
		}
		if len(types) != len(tokens) {
			return nil, fmt.Errorf("tokenizer.ggml.token_type has %d entries for %d tokens", len(types), len(tokens))
		}
	} else {
		for i := range types {
			types[i] = ggufTypeNormal
		}
	}
	var scores []float64
	if md.Has("tokenizer.ggml.scores") {
		if scores, err = md.Floats("tokenizer.ggml.scores"); err != nil {
			return nil, err
		}
		if len(scores) != len(tokens) {
			return nil, fmt.Errorf("tokenizer.ggml.scores has %d entries for %d tokens", len(scores), len(tokens))
		}
	}
	optBool := func(key string, def bool) (bool, error) {
		b, err := md.Bool(key)
		if errors.Is(err, gguf.ErrKeyNotFound) {
			return def, nil
		}
		return b, err
	}
	optID := func(key string) (int, error) {
		v, err := md.Int(key)
		if errors.Is(err, gguf.ErrKeyNotFound) {
			return -1, nil
		}
		if err != nil {
			return -1, err
		}
		if v < 0 || v >= int64(len(tokens)) {
			return -1, fmt.Errorf("metadata key %q: token id %d is outside the vocabulary of %d", key, v, len(tokens))
		}
		return int(v), nil
	}
	ids := map[string]int{}
	for _, k := range []string{"bos", "eos", "unknown", "padding", "seperator", "cls", "eot", "eom"} {
		if ids[k], err = optID("tokenizer.ggml." + k + "_token_id"); err != nil {
			return nil, err
		}
	}
	if ids["unknown"] < 0 {
		for i, ty := range types {
			if ty == ggufTypeUnknown {
				ids["unknown"] = i
				break
			}
		}
	}
	addBOS, err := optBool("tokenizer.ggml.add_bos_token", kind == "llama" || kind == "bert")
	if err != nil {
		return nil, err
	}
	addEOS, err := optBool("tokenizer.ggml.add_eos_token", kind == "t5" || kind == "bert")
	if err != nil {
		return nil, err
	}
	spacePrefix, err := optBool("tokenizer.ggml.add_space_prefix", kind != "gpt2")
	if err != nil {
		return nil, err
	}

	t := &Tokenizer{bos: ids["bos"], eos: ids["eos"], pad: ids["padding"], unk: ids["unknown"]}
	var added []AddedToken
	for i, ty := range types {
		switch ty {
		case ggufTypeControl, ggufTypeUnknown:
			added = append(added, AddedToken{ID: i, Content: tokens[i], Special: true})
		case ggufTypeUserDefined:
			added = append(added, AddedToken{ID: i, Content: tokens[i]})
		}
	}
	hasBytes := false
	for i, ty := range types {
		if ty == ggufTypeByte && len(tokens[i]) == 6 && strings.HasPrefix(tokens[i], "<0x") {
			hasBytes = true
			break
		}
	}

	switch kind {
	case "gpt2":
		err = t.ggufBPE(md, tokens)
	case "llama":
		err = t.ggufSPM(tokens, scores, ids["unknown"], hasBytes, spacePrefix)
	case "bert":
		err = t.ggufWordPiece(tokens, ids)
	case "t5":
		err = t.ggufUnigram(md, tokens, scores, ids["unknown"], hasBytes, spacePrefix)
	default:
		err = fmt.Errorf("unsupported tokenizer.ggml.model %q (want gpt2, llama, bert or t5)", kind)
	}
	if err != nil {
		return nil, err
	}

	if kind == "bert" {
		cls, sep := ids["cls"], ids["seperator"]
		if cls < 0 {
			cls = ids["bos"]
		}
		if sep < 0 {
			sep = ids["eos"]
		}
		if addBOS && addEOS && cls >= 0 && sep >= 0 {
			t.post = wrapPost{cls: cls, sep: sep}
		}
	} else {
		var items [][]int
		if addBOS && ids["bos"] >= 0 {
			items = append(items, []int{ids["bos"]})
		}
		items = append(items, nil)
		if addEOS && ids["eos"] >= 0 {
			items = append(items, []int{ids["eos"]})
		}
		t.post = templatePost{items: items}
	}
	t.added = newAddedVocab(added, t.norm)
	if err := t.finish(); err != nil {
		return nil, err
	}
	t.eosIDs = nil
	t.addEOS(ids["eos"])
	t.addEOS(ids["eot"])
	t.addEOS(ids["eom"])
	// A GGUF has no generation_config.json: like llama.cpp, also end on the
	// control tokens that end a turn in the usual chat formats.
	for i, ty := range types {
		if ty == ggufTypeControl && endOfGeneration[tokens[i]] {
			t.addEOS(i)
		}
	}
	return t, nil
}

var endOfGeneration = map[string]bool{
	"<|eot_id|>": true, "<|eom_id|>": true, "<|end_of_text|>": true, "<|im_end|>": true,
	"<|endoftext|>": true, "<|end|>": true, "<end_of_turn>": true, "<|return|>": true,
	"<|call|>": true, "<EOT>": true, "<｜end▁of▁sentence｜>": true,
}

func vocabOf(tokens []string) map[string]int {
	v := make(map[string]int, len(tokens))
	for i, tok := range tokens {
		v[tok] = i
	}
	return v
}

func (t *Tokenizer) ggufBPE(md *gguf.Metadata, tokens []string) error {
	mergeStrs, err := md.Strings("tokenizer.ggml.merges")
	if err != nil {
		return err
	}
	merges := make([][2]string, len(mergeStrs))
	for i, s := range mergeStrs {
		a, b, ok := strings.Cut(s, " ")
		if !ok {
			return fmt.Errorf("tokenizer.ggml.merges[%d] %q: want two tokens separated by a space", i, s)
		}
		merges[i] = [2]string{a, b}
	}
	pre, err := md.String("tokenizer.ggml.pre")
	if errors.Is(err, gguf.ErrKeyNotFound) {
		pre, err = "gpt-2", nil
	}
	if err != nil {
		return err
	}
	byteLevel := &byteLevelPreTokenizer{}
	ignoreMerges := false
	switch pre {
	case "gpt-2", "gpt2", "default":
		byteLevel.useRegex = true
		t.pre = byteLevel
	case "llama-bpe", "llama3", "llama-v3", "smaug-bpe":
		t.pre = seqPreTokenizer{&splitPreTokenizer{pat: scannerPattern{knownScanner(patLlama3)}, behavior: behaviorIsolated}, byteLevel}
		ignoreMerges = true
	case "qwen2", "deepseek-r1-qwen":
		t.pre = seqPreTokenizer{&splitPreTokenizer{pat: scannerPattern{knownScanner(patQwen2)}, behavior: behaviorIsolated}, byteLevel}
		t.norm = unicodeNormalizer{norm.NFC}
	default:
		return fmt.Errorf("unsupported tokenizer.ggml.pre %q (want gpt-2, llama-bpe, smaug-bpe, qwen2 or deepseek-r1-qwen); load the model's tokenizer.json instead", pre)
	}
	m, err := newBPE(vocabOf(tokens), merges, "", "", "", false, false, ignoreMerges)
	if err != nil {
		return fmt.Errorf("tokenizer.ggml.merges: %w", err)
	}
	t.model = m
	t.dec = byteLevelDecoder{}
	return nil
}

// ggufSPM rebuilds a SentencePiece BPE tokenizer as transformers converts
// one: merges are every split of a piece into two pieces, ordered by the
// piece's score (highest first; ties in vocabulary order), and within a
// piece by the ids of the halves.
func (t *Tokenizer) ggufSPM(tokens []string, scores []float64, unk int, byteFallback, spacePrefix bool) error {
	if scores == nil {
		return fmt.Errorf("tokenizer.ggml.scores is missing (needed by the llama tokenizer)")
	}
	vocab := vocabOf(tokens)
	type merge struct {
		l, r  string
		score float64
		li    int
		ri    int
	}
	var merges []merge
	for _, piece := range tokens {
		id := vocab[piece]
		var local []merge
		for i := range piece {
			if i == 0 {
				continue
			}
			l, r := piece[:i], piece[i:]
			li, lok := vocab[l]
			ri, rok := vocab[r]
			if lok && rok {
				local = append(local, merge{l, r, scores[id], li, ri})
			}
		}
		sort.SliceStable(local, func(a, b int) bool {
			if local[a].li != local[b].li {
				return local[a].li < local[b].li
			}
			return local[a].ri < local[b].ri
		})
		merges = append(merges, local...)
	}
	sort.SliceStable(merges, func(a, b int) bool { return merges[a].score > merges[b].score })
	pairs := make([][2]string, len(merges))
	for i, m := range merges {
		pairs[i] = [2]string{m.l, m.r}
	}
	unkTok := ""
	if unk >= 0 {
		unkTok = tokens[unk]
	}
	m, err := newBPE(vocab, pairs, unkTok, "", "", true, byteFallback, false)
	if err != nil {
		return err
	}
	t.model = m
	if spacePrefix {
		t.norm = seqNormalizer{prependNormalizer{"▁"}, replaceNormalizer{stringPattern{" "}, "▁"}}
	} else {
		t.norm = replaceNormalizer{stringPattern{" "}, "▁"}
	}
	dec := seqDecoder{replaceDecoder{stringPattern{"▁"}, " "}, byteFallbackDecoder{}, fuseDecoder{}}
	if spacePrefix {
		dec = append(dec, stripDecoder{content: ' ', start: 1})
	}
	t.dec = dec
	return nil
}

// ggufWordPiece undoes llama.cpp's phantom-space vocabulary: "▁word" was
// "word", "piece" was "##piece", "[CLS]" stays.
func (t *Tokenizer) ggufWordPiece(tokens []string, ids map[string]int) error {
	vocab := make(map[string]int, len(tokens))
	for i, tok := range tokens {
		switch {
		case strings.HasPrefix(tok, "▁"):
			tok = tok[len("▁"):]
		case strings.HasPrefix(tok, "[") && strings.HasSuffix(tok, "]"):
		default:
			tok = "##" + tok
		}
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = i
		}
	}
	unk := "[UNK]"
	if ids["unknown"] >= 0 {
		unk = tokens[ids["unknown"]]
	}
	if _, ok := vocab[unk]; !ok {
		return fmt.Errorf("bert vocabulary has no unknown token %q", unk)
	}
	m, err := newWordPiece(vocab, unk, "##", 100)
	if err != nil {
		return err
	}
	t.model = m
	t.norm = bertNormalizer{cleanText: true, chineseChars: true, stripAccents: true, lowercase: true}
	t.pre = bertPreTokenizer{}
	t.dec = wordPieceDecoder{prefix: "##", cleanup: true}
	return nil
}

func (t *Tokenizer) ggufUnigram(md *gguf.Metadata, tokens []string, scores []float64, unk int, byteFallback, spacePrefix bool) error {
	if scores == nil {
		return fmt.Errorf("tokenizer.ggml.scores is missing (needed by the t5 tokenizer)")
	}
	m, err := newUnigram(tokens, scores, unk, byteFallback)
	if err != nil {
		return err
	}
	t.model = m
	var norms seqNormalizer
	if md.Has("tokenizer.ggml.precompiled_charsmap") {
		raw, err := md.Ints("tokenizer.ggml.precompiled_charsmap")
		if err != nil {
			return err
		}
		blob := make([]byte, len(raw))
		for i, v := range raw {
			blob[i] = byte(v)
		}
		if len(blob) > 0 {
			p, err := newPrecompiled(blob)
			if err != nil {
				return fmt.Errorf("tokenizer.ggml.precompiled_charsmap: %w", err)
			}
			norms = append(norms, p)
		}
	}
	removeExtra, err := md.Bool("tokenizer.ggml.remove_extra_whitespaces")
	if errors.Is(err, gguf.ErrKeyNotFound) {
		removeExtra, err = true, nil
	}
	if err != nil {
		return err
	}
	if removeExtra {
		re, _ := compileRegex(" {2,}")
		norms = append(norms, replaceNormalizer{regexPattern{re}, " "})
	}
	t.norm = norms
	scheme := prependNever
	if spacePrefix {
		scheme = prependAlways
	}
	t.pre = &metaspacePreTokenizer{replacement: '▁', repl: "▁", scheme: scheme, split: true}
	var dec decoder = metaspaceDecoder{replacement: '▁', scheme: scheme}
	if byteFallback {
		dec = seqDecoder{dec, byteFallbackDecoder{}}
	}
	t.dec = dec
	return nil
}
