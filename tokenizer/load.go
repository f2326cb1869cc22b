package tokenizer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// tokenizerJSON is the top level of Hugging Face's tokenizer.json.
type tokenizerJSON struct {
	AddedTokens   []AddedToken    `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         json.RawMessage `json:"model"`
}

// component is the union of every field any component type has; each
// builder reads the ones its type defines.
type component struct {
	Type string `json:"type"`

	// Sequences.
	Normalizers   []json.RawMessage `json:"normalizers"`
	PreTokenizers []json.RawMessage `json:"pretokenizers"`
	Processors    []json.RawMessage `json:"processors"`
	Decoders      []json.RawMessage `json:"decoders"`

	// Patterns (Split, Replace).
	Pattern  *jsonPattern `json:"pattern"`
	Content  *string      `json:"content"`
	Behavior string       `json:"behavior"`
	Invert   bool         `json:"invert"`

	// BertNormalizer, Strip, Lowercase ...
	CleanText          *bool   `json:"clean_text"`
	HandleChineseChars *bool   `json:"handle_chinese_chars"`
	StripAccents       *bool   `json:"strip_accents"`
	Lowercase          *bool   `json:"lowercase"`
	StripLeft          *bool   `json:"strip_left"`
	StripRight         *bool   `json:"strip_right"`
	Prepend            *string `json:"prepend"`
	CharsMap           *string `json:"precompiled_charsmap"`

	// ByteLevel, Metaspace.
	AddPrefixSpace *bool   `json:"add_prefix_space"`
	UseRegex       *bool   `json:"use_regex"`
	Replacement    *string `json:"replacement"`
	PrependScheme  *string `json:"prepend_scheme"`
	Split          *bool   `json:"split"`

	Delimiter        *string `json:"delimiter"`
	Length           *int    `json:"length"`
	IndividualDigits bool    `json:"individual_digits"`

	// Post-processors.
	Single        []json.RawMessage                `json:"single"`
	SpecialTokens map[string]templateSpecialTokens `json:"special_tokens"`
	Sep           []json.RawMessage                `json:"sep"`
	Cls           []json.RawMessage                `json:"cls"`

	// Decoders.
	Prefix  *string `json:"prefix"`
	Cleanup *bool   `json:"cleanup"`
	Start   int     `json:"start"`
	Stop    int     `json:"stop"`
	Suffix  *string `json:"suffix"`
	PadTok  *string `json:"pad_token"`
	WordDel *string `json:"word_delimiter_token"`
}

type jsonPattern struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

type templateSpecialTokens struct {
	ID  string `json:"id"`
	IDs []int  `json:"ids"`
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func parseComponent(raw json.RawMessage, what string) (*component, error) {
	var c component
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &c, nil
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func strOr(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

func (c *component) pattern(what string) (pattern, error) {
	if c.Pattern == nil {
		return nil, fmt.Errorf("%s %s: missing pattern", what, c.Type)
	}
	p, err := newPattern(c.Pattern.String, c.Pattern.Regex)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, c.Type, err)
	}
	return p, nil
}

// buildSeq builds the members of a Sequence component, leaving out the
// null ones.
func buildSeq[T any](raws []json.RawMessage, build func(json.RawMessage) (T, error)) ([]T, error) {
	var seq []T
	for _, r := range raws {
		x, err := build(r)
		if err != nil {
			return nil, err
		}
		if any(x) != nil {
			seq = append(seq, x)
		}
	}
	return seq, nil
}

func buildNormalizer(raw json.RawMessage) (normalizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	c, err := parseComponent(raw, "normalizer")
	if err != nil {
		return nil, err
	}
	switch c.Type {
	case "Sequence":
		seq, err := buildSeq(c.Normalizers, buildNormalizer)
		if err != nil {
			return nil, err
		}
		return seqNormalizer(seq), nil
	case "NFC":
		return unicodeNormalizer{norm.NFC}, nil
	case "NFD":
		return unicodeNormalizer{norm.NFD}, nil
	case "NFKC":
		return unicodeNormalizer{norm.NFKC}, nil
	case "NFKD":
		return unicodeNormalizer{norm.NFKD}, nil
	case "Lowercase":
		return lowercaseNormalizer{}, nil
	case "Strip":
		return stripNormalizer{left: boolOr(c.StripLeft, true), right: boolOr(c.StripRight, true)}, nil
	case "StripAccents":
		return stripAccentsNormalizer{}, nil
	case "Nmt":
		return nmtNormalizer{}, nil
	case "Replace":
		p, err := c.pattern("normalizer")
		if err != nil {
			return nil, err
		}
		return replaceNormalizer{pat: p, content: strOr(c.Content, "")}, nil
	case "Prepend":
		return prependNormalizer{prefix: strOr(c.Prepend, "")}, nil
	case "BertNormalizer":
		lower := boolOr(c.Lowercase, true)
		return bertNormalizer{
			cleanText:    boolOr(c.CleanText, true),
			chineseChars: boolOr(c.HandleChineseChars, true),
			stripAccents: boolOr(c.StripAccents, lower),
			lowercase:    lower,
		}, nil
	case "Precompiled":
		if c.CharsMap == nil {
			return nil, fmt.Errorf("normalizer Precompiled: missing precompiled_charsmap")
		}
		blob, err := base64.StdEncoding.DecodeString(*c.CharsMap)
		if err != nil {
			return nil, fmt.Errorf("normalizer Precompiled: precompiled_charsmap is not base64: %w", err)
		}
		if len(blob) == 0 {
			return nil, nil
		}
		return newPrecompiled(blob)
	case "ByteLevel":
		return byteLevelNormalizer{}, nil
	}
	return nil, fmt.Errorf("unsupported normalizer type %q", c.Type)
}

type byteLevelNormalizer struct{}

func (byteLevelNormalizer) normalize(s string) string { return byteLevelEncode(s) }

func parseScheme(c *component, what string) (prependScheme, error) {
	if c.PrependScheme != nil {
		switch strings.ToLower(*c.PrependScheme) {
		case "always":
			return prependAlways, nil
		case "first":
			return prependFirst, nil
		case "never":
			return prependNever, nil
		}
		return 0, fmt.Errorf("%s Metaspace: unknown prepend_scheme %q", what, *c.PrependScheme)
	}
	if boolOr(c.AddPrefixSpace, true) {
		return prependAlways, nil
	}
	return prependNever, nil
}

func replacementRune(c *component, what string) (rune, error) {
	s := strOr(c.Replacement, "▁")
	rs := []rune(s)
	if len(rs) != 1 {
		return 0, fmt.Errorf("%s Metaspace: replacement %q is not one character", what, s)
	}
	return rs[0], nil
}

func buildPreTokenizer(raw json.RawMessage) (preTokenizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	c, err := parseComponent(raw, "pre_tokenizer")
	if err != nil {
		return nil, err
	}
	switch c.Type {
	case "Sequence":
		seq, err := buildSeq(c.PreTokenizers, buildPreTokenizer)
		if err != nil {
			return nil, err
		}
		return seqPreTokenizer(seq), nil
	case "ByteLevel":
		return &byteLevelPreTokenizer{addPrefixSpace: boolOr(c.AddPrefixSpace, true), useRegex: boolOr(c.UseRegex, true)}, nil
	case "Split":
		p, err := c.pattern("pre_tokenizer")
		if err != nil {
			return nil, err
		}
		b, err := parseBehavior(c.Behavior)
		if err != nil {
			return nil, fmt.Errorf("pre_tokenizer Split: %w", err)
		}
		return &splitPreTokenizer{pat: p, behavior: b, invert: c.Invert}, nil
	case "Metaspace":
		r, err := replacementRune(c, "pre_tokenizer")
		if err != nil {
			return nil, err
		}
		sch, err := parseScheme(c, "pre_tokenizer")
		if err != nil {
			return nil, err
		}
		return &metaspacePreTokenizer{replacement: r, repl: string(r), scheme: sch, split: boolOr(c.Split, true)}, nil
	case "Whitespace":
		return whitespacePreTokenizer{}, nil
	case "WhitespaceSplit":
		return whitespaceSplitPreTokenizer{}, nil
	case "BertPreTokenizer":
		return bertPreTokenizer{}, nil
	case "Punctuation":
		b := behaviorIsolated
		if c.Behavior != "" {
			if b, err = parseBehavior(c.Behavior); err != nil {
				return nil, fmt.Errorf("pre_tokenizer Punctuation: %w", err)
			}
		}
		return punctuationPreTokenizer{behavior: b}, nil
	case "Digits":
		return digitsPreTokenizer{individual: c.IndividualDigits}, nil
	case "UnicodeScripts":
		return unicodeScriptsPreTokenizer{}, nil
	case "FixedLength":
		n := 5
		if c.Length != nil {
			n = *c.Length
		}
		if n <= 0 {
			return nil, fmt.Errorf("pre_tokenizer FixedLength: length %d is not positive", n)
		}
		return fixedLengthPreTokenizer{length: n}, nil
	case "CharDelimiterSplit":
		rs := []rune(strOr(c.Delimiter, ""))
		if len(rs) != 1 {
			return nil, fmt.Errorf("pre_tokenizer CharDelimiterSplit: delimiter must be one character")
		}
		return charDelimiterPreTokenizer{delim: rs[0]}, nil
	}
	return nil, fmt.Errorf("unsupported pre_tokenizer type %q", c.Type)
}

func buildDecoder(raw json.RawMessage) (decoder, error) {
	if isNull(raw) {
		return nil, nil
	}
	c, err := parseComponent(raw, "decoder")
	if err != nil {
		return nil, err
	}
	switch c.Type {
	case "Sequence":
		seq, err := buildSeq(c.Decoders, buildDecoder)
		if err != nil {
			return nil, err
		}
		return seqDecoder(seq), nil
	case "ByteLevel":
		return byteLevelDecoder{}, nil
	case "Metaspace":
		r, err := replacementRune(c, "decoder")
		if err != nil {
			return nil, err
		}
		sch, err := parseScheme(c, "decoder")
		if err != nil {
			return nil, err
		}
		return metaspaceDecoder{replacement: r, scheme: sch}, nil
	case "WordPiece":
		return wordPieceDecoder{prefix: strOr(c.Prefix, "##"), cleanup: boolOr(c.Cleanup, true)}, nil
	case "ByteFallback":
		return byteFallbackDecoder{}, nil
	case "Fuse":
		return fuseDecoder{}, nil
	case "Strip":
		rs := []rune(strOr(c.Content, " "))
		if len(rs) != 1 {
			return nil, fmt.Errorf("decoder Strip: content must be one character")
		}
		if c.Start < 0 || c.Stop < 0 {
			return nil, fmt.Errorf("decoder Strip: negative start or stop")
		}
		return stripDecoder{content: rs[0], start: c.Start, stop: c.Stop}, nil
	case "Replace":
		p, err := c.pattern("decoder")
		if err != nil {
			return nil, err
		}
		return replaceDecoder{pat: p, content: strOr(c.Content, "")}, nil
	case "BPEDecoder":
		return bpeDecoder{suffix: strOr(c.Suffix, "</w>")}, nil
	case "CTC":
		return ctcDecoder{pad: strOr(c.PadTok, "<pad>"), delim: strOr(c.WordDel, "|"), cleanup: boolOr(c.Cleanup, true)}, nil
	}
	return nil, fmt.Errorf("unsupported decoder type %q", c.Type)
}

// buildPostProcessor needs the token lookup for BertProcessing and friends.
func buildPostProcessor(raw json.RawMessage) (postProcessor, error) {
	if isNull(raw) {
		return nil, nil
	}
	c, err := parseComponent(raw, "post_processor")
	if err != nil {
		return nil, err
	}
	switch c.Type {
	case "Sequence":
		seq, err := buildSeq(c.Processors, buildPostProcessor)
		if err != nil {
			return nil, err
		}
		return seqPost(seq), nil
	case "ByteLevel":
		return noopPost{}, nil
	case "TemplateProcessing":
		return buildTemplate(c)
	case "BertProcessing", "RobertaProcessing":
		cls, err := tokenPair(c.Cls, c.Type+" cls")
		if err != nil {
			return nil, err
		}
		sep, err := tokenPair(c.Sep, c.Type+" sep")
		if err != nil {
			return nil, err
		}
		return wrapPost{cls: cls, sep: sep}, nil
	}
	return nil, fmt.Errorf("unsupported post_processor type %q", c.Type)
}

// tokenPair reads ["[CLS]", 101].
func tokenPair(raw []json.RawMessage, what string) (int, error) {
	if len(raw) != 2 {
		return 0, fmt.Errorf("post_processor %s: want [token, id]", what)
	}
	var id int
	if err := json.Unmarshal(raw[1], &id); err != nil {
		return 0, fmt.Errorf("post_processor %s: %w", what, err)
	}
	return id, nil
}

func buildTemplate(c *component) (postProcessor, error) {
	var t templatePost
	for _, raw := range c.Single {
		var item struct {
			SpecialToken *struct{ ID string } `json:"SpecialToken"`
			Sequence     *struct{ ID string } `json:"Sequence"`
		}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			// The string form: "$A", "$A:0", "[CLS]", "[CLS]:1".
			name, _, _ := strings.Cut(s, ":")
			if strings.HasPrefix(name, "$") {
				t.items = append(t.items, nil)
				continue
			}
			item.SpecialToken = &struct{ ID string }{name}
		} else if err := json.Unmarshal(raw, &item); err != nil {
			return nil, fmt.Errorf("post_processor TemplateProcessing: %w", err)
		}
		switch {
		case item.Sequence != nil:
			t.items = append(t.items, nil)
		case item.SpecialToken != nil:
			st, ok := c.SpecialTokens[item.SpecialToken.ID]
			if !ok {
				return nil, fmt.Errorf("post_processor TemplateProcessing: special token %q is not in special_tokens", item.SpecialToken.ID)
			}
			t.items = append(t.items, append([]int{}, st.IDs...))
		default:
			return nil, fmt.Errorf("post_processor TemplateProcessing: template item %s is neither SpecialToken nor Sequence", raw)
		}
	}
	return t, nil
}

type modelJSON struct {
	Type                    string          `json:"type"`
	Vocab                   json.RawMessage `json:"vocab"`
	Merges                  json.RawMessage `json:"merges"`
	UnkToken                *string         `json:"unk_token"`
	UnkID                   *int            `json:"unk_id"`
	ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
	FuseUnk                 bool            `json:"fuse_unk"`
	ByteFallback            bool            `json:"byte_fallback"`
	IgnoreMerges            bool            `json:"ignore_merges"`
	MaxInputCharsPerWord    *int            `json:"max_input_chars_per_word"`
}

func buildModel(raw json.RawMessage) (model, error) {
	if isNull(raw) {
		return nil, fmt.Errorf("model: missing")
	}
	// Split the model object so the big vocab and merges skip
	// encoding/json (see fastjson.go); the small fields still use it.
	parts, err := splitObject(raw)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	var small bytes.Buffer
	small.WriteByte('{')
	for k, v := range parts {
		if k == "vocab" || k == "merges" {
			continue
		}
		if small.Len() > 1 {
			small.WriteByte(',')
		}
		kq, _ := json.Marshal(k)
		small.Write(kq)
		small.WriteByte(':')
		small.Write(v)
	}
	small.WriteByte('}')
	var m modelJSON
	if err := json.Unmarshal(small.Bytes(), &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	m.Vocab, m.Merges = parts["vocab"], parts["merges"]
	typ := m.Type
	if typ == "" {
		// Old files omit the type; tell the models apart by their fields.
		switch {
		case len(m.Merges) > 0:
			typ = "BPE"
		case len(bytes.TrimSpace(m.Vocab)) > 0 && bytes.TrimSpace(m.Vocab)[0] == '[':
			typ = "Unigram"
		case m.MaxInputCharsPerWord != nil:
			typ = "WordPiece"
		default:
			return nil, fmt.Errorf("model: no type and no telling fields")
		}
	}
	switch typ {
	case "BPE":
		// The merges parse on another core while the vocabulary does.
		type mergesResult struct {
			m   [][2]string
			err error
		}
		mc := make(chan mergesResult, 1)
		go func() {
			mm, err := parseMerges(m.Merges)
			mc <- mergesResult{mm, err}
		}()
		vocab, err := fastVocab(m.Vocab)
		mr := <-mc
		if err != nil {
			return nil, fmt.Errorf("model BPE vocab: %w", err)
		}
		if err := checkVocabIDs(vocab, "BPE"); err != nil {
			return nil, err
		}
		merges, err := mr.m, mr.err
		if err != nil {
			return nil, err
		}
		unk := strOr(m.UnkToken, "")
		if unk != "" {
			if _, ok := vocab[unk]; !ok {
				return nil, fmt.Errorf("model BPE: unk_token %q is not in the vocabulary", unk)
			}
		}
		return newBPE(vocab, merges, unk, strOr(m.ContinuingSubwordPrefix, ""), strOr(m.EndOfWordSuffix, ""), m.FuseUnk, m.ByteFallback, m.IgnoreMerges)
	case "WordPiece":
		vocab, err := fastVocab(m.Vocab)
		if err != nil {
			return nil, fmt.Errorf("model WordPiece vocab: %w", err)
		}
		if err := checkVocabIDs(vocab, "WordPiece"); err != nil {
			return nil, err
		}
		unk := strOr(m.UnkToken, "[UNK]")
		if _, ok := vocab[unk]; !ok {
			return nil, fmt.Errorf("model WordPiece: unk_token %q is not in the vocabulary", unk)
		}
		maxChars := 100
		if m.MaxInputCharsPerWord != nil {
			maxChars = *m.MaxInputCharsPerWord
		}
		return newWordPiece(vocab, unk, strOr(m.ContinuingSubwordPrefix, "##"), maxChars)
	case "WordLevel":
		vocab, err := fastVocab(m.Vocab)
		if err != nil {
			return nil, fmt.Errorf("model WordLevel vocab: %w", err)
		}
		if err := checkVocabIDs(vocab, "WordLevel"); err != nil {
			return nil, err
		}
		return &wordLevelModel{vocab: vocab, vocabR: invertVocab(vocab), unk: strOr(m.UnkToken, "<unk>")}, nil
	case "Unigram":
		var entries [][2]json.RawMessage
		if err := json.Unmarshal(m.Vocab, &entries); err != nil {
			return nil, fmt.Errorf("model Unigram vocab: %w", err)
		}
		pieces := make([]string, len(entries))
		scores := make([]float64, len(entries))
		for i, e := range entries {
			if err := json.Unmarshal(e[0], &pieces[i]); err != nil {
				return nil, fmt.Errorf("model Unigram vocab entry %d: %w", i, err)
			}
			if err := json.Unmarshal(e[1], &scores[i]); err != nil {
				return nil, fmt.Errorf("model Unigram vocab entry %d: %w", i, err)
			}
		}
		unk := -1
		if m.UnkID != nil {
			unk = *m.UnkID
			if unk < 0 {
				return nil, fmt.Errorf("model Unigram: negative unk_id")
			}
		}
		return newUnigram(pieces, scores, unk, m.ByteFallback)
	}
	return nil, fmt.Errorf("unsupported model type %q", typ)
}

// checkVocabIDs rejects negative ids and ids so far beyond the vocabulary
// size that the id-to-token table would be absurd.
func checkVocabIDs(vocab map[string]int, what string) error {
	limit := 4*len(vocab) + 1024
	for tok, id := range vocab {
		if id < 0 || id >= limit {
			return fmt.Errorf("model %s: token %q has id %d, outside [0, %d)", what, tok, id, limit)
		}
	}
	return nil
}

// parseMerges accepts both the "a b" strings of older files and the
// ["a", "b"] pairs of newer ones.
func parseMerges(raw json.RawMessage) ([][2]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	if m, err := fastMerges(raw); err == nil {
		return m, nil
	} else if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		return nil, fmt.Errorf("model BPE merges: %w", err)
	}
	var strs []string
	if err := json.Unmarshal(raw, &strs); err == nil {
		out := make([][2]string, len(strs))
		for i, s := range strs {
			a, b, ok := strings.Cut(s, " ")
			if !ok || strings.Contains(b, " ") {
				return nil, fmt.Errorf("model BPE merge %d %q: want two tokens separated by one space", i, s)
			}
			out[i] = [2]string{a, b}
		}
		return out, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("model BPE merges: %w", err)
	}
	return pairs, nil
}
