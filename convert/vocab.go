package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// GGUF token types (llama.h's llama_token_type).
const (
	tokNormal      int32 = 1
	tokUnknown     int32 = 2
	tokControl     int32 = 3
	tokUserDefined int32 = 4
	tokUnused      int32 = 5
	tokByte        int32 = 6
)

// tokenizerFile is the part of tokenizer.json a GGUF vocabulary needs.
type tokenizerFile struct {
	AddedTokens   []addedToken    `json:"added_tokens"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       struct {
		Type string `json:"type"`
	} `json:"decoder"`
	Model struct {
		Type         string          `json:"type"`
		Vocab        json.RawMessage `json:"vocab"`
		Merges       json.RawMessage `json:"merges"`
		ByteFallback bool            `json:"byte_fallback"`
	} `json:"model"`
}

type addedToken struct {
	ID      int    `json:"id"`
	Content string `json:"content"`
	Special bool   `json:"special"`
}

// vocabMetadata builds the tokenizer.* keys from the tokenizer files of an
// HF folder, as convert_hf_to_gguf.py does: byte-level BPE becomes
// tokenizer model "gpt2" with merges and a pre-tokenizer name, BPE with
// byte fallback (the SentencePiece family in tokenizer.json form) becomes
// "llama" with scores. The token list is padded to nVocab with unused
// "[PADn]" entries so it matches the embedding rows.
func vocabMetadata(dir string, nVocab int) ([]kv, error) {
	path := filepath.Join(dir, "tokenizer.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("GGUF needs the vocabulary: %w", err)
	}
	var tf tokenizerFile
	if err := json.Unmarshal(data, &tf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if tf.Model.Type != "BPE" {
		return nil, fmt.Errorf("%s: tokenizer model %q cannot be written to GGUF (supported: byte-level BPE, BPE with byte fallback)", path, tf.Model.Type)
	}
	var vocab map[string]int
	if err := json.Unmarshal(tf.Model.Vocab, &vocab); err != nil {
		return nil, fmt.Errorf("%s: model.vocab: %w", path, err)
	}
	merges, err := parseMerges(tf.Model.Merges)
	if err != nil {
		return nil, fmt.Errorf("%s: model.merges: %w", path, err)
	}
	tc, err := readTokenizerConfig(dir)
	if err != nil {
		return nil, err
	}
	// The token list must match the embedding rows (config vocab_size), as
	// the converter asserts.
	for tok, id := range vocab {
		if id < 0 || id >= nVocab {
			return nil, fmt.Errorf("%s: token %q has id %d, outside the model's vocab_size %d", path, tok, id, nVocab)
		}
	}
	for _, a := range tf.AddedTokens {
		if a.ID < 0 || a.ID >= nVocab {
			return nil, fmt.Errorf("%s: added token %q has id %d, outside the model's vocab_size %d", path, a.Content, a.ID, nVocab)
		}
	}
	var meta []kv
	switch {
	case tf.Model.ByteFallback && tf.Decoder.Type == "Sequence":
		meta = spmVocab(&tf, vocab, merges, tc, nVocab)
	case !tf.Model.ByteFallback && tf.Decoder.Type == "ByteLevel":
		pre, err := preTokenizerName(tf.PreTokenizer)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		meta = gpt2Vocab(&tf, vocab, merges, pre, nVocab)
	default:
		return nil, fmt.Errorf("%s: BPE tokenizer with byte_fallback=%v and decoder %q is neither byte-level (gpt2) nor SentencePiece-style (llama)",
			path, tf.Model.ByteFallback, tf.Decoder.Type)
	}
	meta = append(meta, specialTokens(dir, &tf, tc, nVocab)...)
	tmpl, err := chatTemplates(dir, tc)
	if err != nil {
		return nil, err
	}
	return append(meta, tmpl...), nil
}

// parseMerges reads merges in either spelling ("a b" or ["a", "b"]) and
// returns GGUF's "a b" form, spaces inside a part written as U+0120 the
// way llama.cpp's converter escapes them.
func parseMerges(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var flat []string
	if err := json.Unmarshal(raw, &flat); err == nil {
		return flat, nil
	}
	var pairs [][]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, err
	}
	out := make([]string, len(pairs))
	esc := strings.NewReplacer(" ", "\u0120")
	for i, p := range pairs {
		if len(p) != 2 {
			return nil, fmt.Errorf("merge %d has %d parts, want 2", i, len(p))
		}
		out[i] = esc.Replace(p[0]) + " " + esc.Replace(p[1])
	}
	return out, nil
}

func addedByID(tf *tokenizerFile) map[int]addedToken {
	m := make(map[int]addedToken, len(tf.AddedTokens))
	for _, a := range tf.AddedTokens {
		m[a.ID] = a
	}
	return m
}

func reverseVocab(vocab map[string]int, added map[int]addedToken, n int) []string {
	toks := make([]string, n)
	have := make([]bool, n)
	for s, id := range vocab {
		if id >= 0 && id < n {
			toks[id], have[id] = s, true
		}
	}
	for id, a := range added {
		if id >= 0 && id < n && !have[id] {
			toks[id], have[id] = a.Content, true
		}
	}
	for i := range toks {
		if !have[i] {
			toks[i] = fmt.Sprintf("[PAD%d]", i)
		}
	}
	return toks
}

// looksSpecial is the converter's does_token_look_special: added tokens
// some models forget to mark special.
func looksSpecial(t string) bool {
	switch t {
	case "<pad>", "<mask>", "<2mass>", "[@BOS@]":
		return true
	}
	return strings.HasPrefix(t, "<|") && strings.HasSuffix(t, "|>") ||
		strings.HasPrefix(t, "<｜") && strings.HasSuffix(t, "｜>") ||
		strings.HasPrefix(t, "<unused") && strings.HasSuffix(t, ">")
}

// gpt2Vocab is the converter's _set_vocab_gpt2.
func gpt2Vocab(tf *tokenizerFile, vocab map[string]int, merges []string, pre string, n int) []kv {
	added := addedByID(tf)
	inVocab := make([]bool, n)
	for _, id := range vocab {
		if id >= 0 && id < n {
			inVocab[id] = true
		}
	}
	toks := reverseVocab(vocab, added, n)
	types := make([]int32, n)
	for i, t := range toks {
		a, isAdded := added[i]
		switch {
		case isAdded && (a.Special || looksSpecial(t)):
			types[i] = tokControl
		case isAdded:
			toks[i] = strings.ReplaceAll(t, "\u2581", " ")
			types[i] = tokUserDefined
		case inVocab[i]:
			types[i] = tokNormal
		default:
			types[i] = tokUnused
		}
	}
	return []kv{
		{"tokenizer.ggml.model", "gpt2"},
		{"tokenizer.ggml.pre", pre},
		{"tokenizer.ggml.tokens", toks},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.merges", merges},
	}
}

var byteToken = regexp.MustCompile(`^<0x[0-9A-Fa-f]{2}>$`)

// spmVocab is the converter's _set_vocab_llama_hf (LlamaHfVocab), with one
// deliberate difference: the converter gives every token the score -1000,
// which makes llama.cpp's SentencePiece tokenizer merge left to right; here
// a token made by merge r scores -r, so llama.cpp's highest-score-first
// merging replays the BPE merge order and tokenizes as the HF tokenizer.
func spmVocab(tf *tokenizerFile, vocab map[string]int, merges []string, tc *tokenizerConfig, n int) []kv {
	added := addedByID(tf)
	toks := reverseVocab(vocab, added, n)
	rank := make(map[string]int, len(merges))
	for r, m := range merges {
		a, b, _ := strings.Cut(m, " ")
		if _, dup := rank[a+b]; !dup {
			rank[a+b] = r
		}
	}
	special := map[string]bool{}
	for _, a := range tf.AddedTokens {
		if a.Special {
			special[a.Content] = true
		}
	}
	for _, s := range []*configToken{tc.BOS, tc.EOS, tc.UNK, tc.PAD} {
		if s != nil {
			special[string(*s)] = true
		}
	}
	inVocab := map[int]bool{}
	for _, id := range vocab {
		inVocab[id] = true
	}
	types := make([]int32, n)
	scores := make([]float32, n)
	for i, t := range toks {
		_, isAdded := added[i]
		switch {
		case !inVocab[i] && !isAdded:
			types[i], scores[i] = tokUnused, -1000
		case byteToken.MatchString(t):
			types[i] = tokByte
		case special[t]:
			types[i] = tokControl
		case isAdded && !inVocab[i]:
			types[i], scores[i] = tokUserDefined, -1000
		default:
			types[i] = tokNormal
			if r, ok := rank[t]; ok {
				scores[i] = -float32(r)
			}
		}
	}
	return []kv{
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.pre", "default"},
		{"tokenizer.ggml.tokens", toks},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
	}
}

// tokenizerConfig is the part of tokenizer_config.json the converter reads.
type tokenizerConfig struct {
	BOS  *configToken `json:"bos_token"`
	EOS  *configToken `json:"eos_token"`
	UNK  *configToken `json:"unk_token"`
	SEP  *configToken `json:"sep_token"`
	PAD  *configToken `json:"pad_token"`
	CLS  *configToken `json:"cls_token"`
	MASK *configToken `json:"mask_token"`

	AddBOS *bool `json:"add_bos_token"`
	AddEOS *bool `json:"add_eos_token"`
	AddSEP *bool `json:"add_sep_token"`

	ChatTemplate json.RawMessage `json:"chat_template"`
	present      bool
}

// configToken is a special token in tokenizer_config.json: a string or an
// object with "content".
type configToken string

func (c *configToken) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*c = configToken(s)
		return nil
	}
	var o struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*c = configToken(o.Content)
	return nil
}

func readTokenizerConfig(dir string) (*tokenizerConfig, error) {
	tc := &tokenizerConfig{}
	path := filepath.Join(dir, "tokenizer_config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return tc, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, tc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tc.present = true
	return tc, nil
}

// specialTokens is gguf-py's SpecialVocab: ids named in
// tokenizer_config.json (found among the added tokens), then config.json's
// *_token_id for the rest; add_bos/add_eos from the post-processor
// template, overridden by tokenizer_config.json.
func specialTokens(dir string, tf *tokenizerFile, tc *tokenizerConfig, n int) []kv {
	type slot struct {
		typ, key string
		tok      *configToken
	}
	slots := []slot{
		{"bos", "bos_token_id", tc.BOS}, {"eos", "eos_token_id", tc.EOS}, {"unk", "unknown_token_id", tc.UNK},
		{"sep", "seperator_token_id", tc.SEP}, {"pad", "padding_token_id", tc.PAD},
		{"cls", "cls_token_id", tc.CLS}, {"mask", "mask_token_id", tc.MASK},
	}
	ids := map[string]int{}
	var order []string
	set := func(typ string, id int) {
		if _, done := ids[typ]; done || id < 0 || id >= n {
			return
		}
		ids[typ] = id
		order = append(order, typ)
	}
	for _, s := range slots {
		if s.tok == nil {
			continue
		}
		for _, a := range tf.AddedTokens {
			if a.Content == string(*s.tok) {
				set(s.typ, a.ID)
				break
			}
		}
	}
	var cfg map[string]json.RawMessage
	if data, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil {
		_ = json.Unmarshal(data, &cfg) // already validated by LoadHFConfig
	}
	for _, s := range slots {
		var id int
		if raw, ok := cfg[s.typ+"_token_id"]; ok && json.Unmarshal(raw, &id) == nil {
			set(s.typ, id)
		}
	}
	var meta []kv
	for _, typ := range order {
		for _, s := range slots {
			if s.typ == typ {
				meta = append(meta, kv{"tokenizer.ggml." + s.key, uint32(ids[typ])})
			}
		}
	}
	add := templateAdds(tf, tc)
	for _, o := range []struct {
		typ string
		v   *bool
	}{{"bos", tc.AddBOS}, {"eos", tc.AddEOS}, {"sep", tc.AddSEP}} {
		if o.v != nil {
			add[o.typ] = *o.v
		}
	}
	for _, typ := range []string{"bos", "eos", "sep"} {
		if v, ok := add[typ]; ok {
			meta = append(meta, kv{"tokenizer.ggml.add_" + typ + "_token", v})
		}
	}
	return meta
}

// templateAdds reads whether a TemplateProcessing post-processor puts BOS
// before and EOS after a single sequence (SpecialVocab's crude parse).
func templateAdds(tf *tokenizerFile, tc *tokenizerConfig) map[string]bool {
	add := map[string]bool{}
	var pp struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
	}
	if json.Unmarshal(tf.PostProcessor, &pp) != nil {
		return add
	}
	procs := pp.Processors
	if pp.Type != "Sequence" {
		procs = []json.RawMessage{tf.PostProcessor}
	}
	str := func(t *configToken) string {
		if t == nil {
			return ""
		}
		return string(*t)
	}
	for _, raw := range procs {
		var p struct {
			Type   string `json:"type"`
			Single []struct {
				SpecialToken *struct {
					ID string `json:"id"`
				} `json:"SpecialToken"`
			} `json:"single"`
		}
		if json.Unmarshal(raw, &p) != nil || len(p.Single) < 2 {
			continue
		}
		switch p.Type {
		case "RobertaProcessing":
			add["bos"], add["eos"], add["sep"] = true, true, true
		case "TemplateProcessing":
			bos, eos := str(tc.BOS), str(tc.EOS)
			if first := p.Single[0].SpecialToken; first != nil {
				if !tc.present {
					bos = first.ID
				}
				add["bos"] = first.ID == bos || first.ID == str(tc.CLS)
			}
			if last := p.Single[len(p.Single)-1].SpecialToken; last != nil {
				if !tc.present {
					eos = last.ID
				}
				add["eos"] = last.ID == eos
			}
		}
	}
	return add
}

// chatTemplates finds the chat template where transformers keeps it:
// tokenizer_config.json's chat_template (a string, or named templates),
// else chat_template.jinja, else chat_template.json.
func chatTemplates(dir string, tc *tokenizerConfig) ([]kv, error) {
	raw := tc.ChatTemplate
	if len(raw) == 0 || string(raw) == "null" {
		if data, err := os.ReadFile(filepath.Join(dir, "chat_template.jinja")); err == nil {
			return []kv{{"tokenizer.chat_template", string(data)}}, nil
		}
		if data, err := os.ReadFile(filepath.Join(dir, "chat_template.json")); err == nil {
			var ct struct {
				ChatTemplate json.RawMessage `json:"chat_template"`
			}
			if err := json.Unmarshal(data, &ct); err != nil {
				return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "chat_template.json"), err)
			}
			raw = ct.ChatTemplate
		}
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []kv{{"tokenizer.chat_template", one}}, nil
	}
	var named []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &named); err != nil {
		return nil, fmt.Errorf("%s: chat_template is neither a string nor a list of named templates", dir)
	}
	var meta []kv
	var names []string
	for _, t := range named {
		if t.Name == "default" {
			meta = append(meta, kv{"tokenizer.chat_template", t.Template})
			continue
		}
		meta = append(meta, kv{"tokenizer.chat_template." + t.Name, t.Template})
		names = append(names, t.Name)
	}
	if len(names) > 0 {
		sort.Strings(names)
		meta = append(meta, kv{"tokenizer.chat_templates", names})
	}
	return meta, nil
}
