package convert

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// encoderVocab builds the tokenizer.* keys of a BERT-family encoder as
// convert_hf_to_gguf.py's BertModel and subclasses do: WordPiece as model
// "bert" with llama.cpp's phantom-space tokens ("word" -> "▁word",
// "##piece" -> "piece", control tokens as they are), RoBERTa's byte-level BPE as "gpt2", XLM-R's
// Unigram as "t5" with scores. Every encoder wraps its input in CLS/SEP
// (or <s>/</s>), so add_bos and add_eos are always on.
func encoderVocab(dir string, nVocab int) ([]kv, error) {
	path := filepath.Join(dir, "tokenizer.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("GGUF needs the vocabulary: %w", err)
	}
	var tf tokenizerFile
	if err := json.Unmarshal(data, &tf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, a := range tf.AddedTokens {
		if a.ID < 0 || a.ID >= nVocab {
			return nil, fmt.Errorf("%s: added token %q has id %d, outside the model's vocab_size %d", path, a.Content, a.ID, nVocab)
		}
	}
	tc, err := readTokenizerConfig(dir)
	if err != nil {
		return nil, err
	}
	var meta []kv
	switch tf.Model.Type {
	case "WordPiece":
		meta, err = wordPieceVocab(&tf, nVocab)
	case "BPE":
		var vocab map[string]int
		if err = json.Unmarshal(tf.Model.Vocab, &vocab); err != nil {
			return nil, fmt.Errorf("%s: model.vocab: %w", path, err)
		}
		var merges []string
		if merges, err = parseMerges(tf.Model.Merges); err != nil {
			return nil, fmt.Errorf("%s: model.merges: %w", path, err)
		}
		var pre string
		if pre, err = preTokenizerName(tf.PreTokenizer); err == nil {
			meta = gpt2Vocab(&tf, vocab, merges, pre, nVocab)
		}
	case "Unigram":
		meta, err = unigramVocab(&tf, data, nVocab)
	default:
		err = fmt.Errorf("tokenizer model %q is not one an encoder GGUF holds (WordPiece, BPE, Unigram)", tf.Model.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, e := range specialTokens(dir, &tf, tc, nVocab) {
		if !strings.HasPrefix(e.key, "tokenizer.ggml.add_") {
			meta = append(meta, e)
		}
	}
	return append(meta, kv{"tokenizer.ggml.add_bos_token", true}, kv{"tokenizer.ggml.add_eos_token", true}), nil
}

func wordPieceVocab(tf *tokenizerFile, n int) ([]kv, error) {
	var vocab map[string]int
	if err := json.Unmarshal(tf.Model.Vocab, &vocab); err != nil {
		return nil, fmt.Errorf("model.vocab: %w", err)
	}
	for tok, id := range vocab {
		if id < 0 || id >= n {
			return nil, fmt.Errorf("token %q has id %d, outside the model's vocab_size %d", tok, id, n)
		}
	}
	added := addedByID(tf)
	toks := reverseVocab(vocab, added, n)
	types := make([]int32, n)
	for i, t := range toks {
		a, isAdded := added[i]
		_, inVocab := vocab[t]
		switch {
		case isAdded && (a.Special || looksSpecial(t)):
			types[i] = tokControl
		case isAdded:
			types[i] = tokUserDefined
		case inVocab && vocab[t] == i:
			types[i] = tokNormal
		default:
			types[i] = tokUnused
		}
		switch {
		case types[i] == tokControl:
		case strings.HasPrefix(t, "##"):
			toks[i] = t[2:]
		default:
			toks[i] = "\u2581" + t
		}
	}
	return []kv{
		{"tokenizer.ggml.model", "bert"},
		{"tokenizer.ggml.pre", "default"},
		{"tokenizer.ggml.tokens", toks},
		{"tokenizer.ggml.token_type", types},
	}, nil
}

// unigramVocab is the converter's XLM-R vocabulary: pieces in id order with
// their log-probabilities, <unk> typed unknown, and the SentencePiece
// normalizer's precompiled charsmap when tokenizer.json has one.
func unigramVocab(tf *tokenizerFile, raw []byte, n int) ([]kv, error) {
	var model struct {
		UnkID *int              `json:"unk_id"`
		Vocab []json.RawMessage `json:"vocab"`
	}
	var whole struct {
		Model        json.RawMessage `json:"model"`
		Normalizer   json.RawMessage `json:"normalizer"`
		PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	}
	if err := json.Unmarshal(raw, &whole); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(whole.Model, &model); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if len(model.Vocab) > n {
		return nil, fmt.Errorf("%d pieces, more than the model's vocab_size %d", len(model.Vocab), n)
	}
	added := addedByID(tf)
	toks := make([]string, n)
	scores := make([]float32, n)
	types := make([]int32, n)
	for i := range toks {
		if i >= len(model.Vocab) {
			toks[i], scores[i], types[i] = fmt.Sprintf("[PAD%d]", i), -10000, tokUnused
			if a, ok := added[i]; ok {
				toks[i], types[i] = a.Content, tokUserDefined
				if a.Special {
					types[i] = tokControl
				}
			}
			continue
		}
		var pair []any
		if err := json.Unmarshal(model.Vocab[i], &pair); err != nil || len(pair) != 2 {
			return nil, fmt.Errorf("model.vocab[%d]: want [piece, score]", i)
		}
		piece, ok1 := pair[0].(string)
		score, ok2 := pair[1].(float64)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("model.vocab[%d]: want [piece, score]", i)
		}
		toks[i], scores[i], types[i] = piece, float32(score), tokNormal
		switch a, isAdded := added[i]; {
		case model.UnkID != nil && *model.UnkID == i:
			types[i] = tokUnknown
		case isAdded && a.Special:
			types[i] = tokControl
		case isAdded:
			types[i] = tokUserDefined
		case tf.Model.ByteFallback && byteToken.MatchString(piece):
			types[i] = tokByte
		}
	}
	meta := []kv{
		{"tokenizer.ggml.model", "t5"},
		{"tokenizer.ggml.pre", "default"},
		{"tokenizer.ggml.tokens", toks},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.add_space_prefix", metaspacePrepends(whole.PreTokenizer)},
		{"tokenizer.ggml.remove_extra_whitespaces", true},
	}
	if cm := precompiledCharsmap(whole.Normalizer); cm != nil {
		meta = append(meta, kv{"tokenizer.ggml.precompiled_charsmap", cm})
	}
	return meta, nil
}

// metaspacePrepends reads whether a Metaspace pre-tokenizer (alone or in a
// Sequence) puts "▁" before the first word.
func metaspacePrepends(raw json.RawMessage) bool {
	var pt struct {
		Type           string            `json:"type"`
		PrependScheme  string            `json:"prepend_scheme"`
		AddPrefixSpace *bool             `json:"add_prefix_space"`
		Pretokenizers  []json.RawMessage `json:"pretokenizers"`
	}
	if json.Unmarshal(raw, &pt) != nil {
		return true
	}
	switch pt.Type {
	case "Sequence":
		for _, p := range pt.Pretokenizers {
			var t struct{ Type string }
			if json.Unmarshal(p, &t) == nil && t.Type == "Metaspace" {
				return metaspacePrepends(p)
			}
		}
	case "Metaspace":
		if pt.AddPrefixSpace != nil {
			return *pt.AddPrefixSpace
		}
		return pt.PrependScheme != "never"
	}
	return true
}

// precompiledCharsmap finds a Precompiled normalizer's charsmap (alone or
// in a Sequence), or nil.
func precompiledCharsmap(raw json.RawMessage) []uint8 {
	var n struct {
		Type        string            `json:"type"`
		Charsmap    string            `json:"precompiled_charsmap"`
		Normalizers []json.RawMessage `json:"normalizers"`
	}
	if json.Unmarshal(raw, &n) != nil {
		return nil
	}
	switch n.Type {
	case "Precompiled":
		b, err := base64.StdEncoding.DecodeString(n.Charsmap)
		if err != nil || len(b) == 0 {
			return nil
		}
		return b
	case "Sequence":
		for _, s := range n.Normalizers {
			if b := precompiledCharsmap(s); b != nil {
				return b
			}
		}
	}
	return nil
}
