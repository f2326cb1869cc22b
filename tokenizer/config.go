package tokenizer

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Load reads a tokenizer from a folder holding tokenizer.json (a model
// folder or one with only tokenizer files), from a tokenizer.json file
// (gzipped if it ends in .gz), or from a .gguf file.
func Load(path string) (*Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if strings.HasSuffix(strings.ToLower(path), ".gguf") {
			return LoadGGUFFile(path)
		}
		return LoadFile(path)
	}
	tj := filepath.Join(path, "tokenizer.json")
	if _, err := os.Stat(tj); err != nil {
		if _, err2 := os.Stat(tj + ".gz"); err2 == nil {
			tj += ".gz"
		} else {
			return nil, fmt.Errorf("%s: no tokenizer.json", path)
		}
	}
	return LoadFile(tj)
}

// LoadFile reads a tokenizer.json (or tokenizer.json.gz) and the
// tokenizer_config.json, special_tokens_map.json and generation_config.json
// beside it, where present.
func LoadFile(path string) (*Tokenizer, error) {
	data, err := readMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	t, err := FromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := t.applyConfigDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return t, nil
}

func readMaybeGzip(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		data, err = io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return data, nil
}

// FromJSON builds a tokenizer from the bytes of a tokenizer.json alone.
func FromJSON(data []byte) (*Tokenizer, error) {
	// The top level is split by hand so the multi-megabyte model object is
	// not validated and copied by encoding/json first.
	parts, err := splitObject(data)
	if err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	var tj tokenizerJSON
	if raw, ok := parts["added_tokens"]; ok {
		if err := json.Unmarshal(raw, &tj.AddedTokens); err != nil {
			return nil, fmt.Errorf("tokenizer.json added_tokens: %w", err)
		}
	}
	tj.Normalizer, tj.PreTokenizer, tj.PostProcessor = parts["normalizer"], parts["pre_tokenizer"], parts["post_processor"]
	tj.Decoder, tj.Model = parts["decoder"], parts["model"]
	t := &Tokenizer{bos: -1, eos: -1, pad: -1, unk: -1}
	if t.norm, err = buildNormalizer(tj.Normalizer); err != nil {
		return nil, err
	}
	if t.pre, err = buildPreTokenizer(tj.PreTokenizer); err != nil {
		return nil, err
	}
	if t.model, err = buildModel(tj.Model); err != nil {
		return nil, err
	}
	if t.post, err = buildPostProcessor(tj.PostProcessor); err != nil {
		return nil, err
	}
	if t.dec, err = buildDecoder(tj.Decoder); err != nil {
		return nil, err
	}
	t.added = newAddedVocab(assignAddedIDs(tj.AddedTokens, t.model), t.norm)
	if err := t.finish(); err != nil {
		return nil, err
	}
	t.guessSpecials()
	return t, nil
}

// guessSpecials fills BOS/EOS/PAD/UNK from well-known token names when no
// config says otherwise.
func (t *Tokenizer) guessSpecials() {
	pick := func(names ...string) int {
		for _, n := range names {
			if id, ok := t.added.byContent[n]; ok {
				return id
			}
		}
		return -1
	}
	t.bos = pick("<|begin_of_text|>", "<s>", "[CLS]", "<bos>")
	t.eos = pick("<|end_of_text|>", "<|endoftext|>", "</s>", "[SEP]", "<eos>")
	t.pad = pick("<pad>", "[PAD]")
	t.unk = pick("<unk>", "[UNK]")
	t.eosIDs = nil
	t.addEOS(t.eos)
}

// configToken is a special token in transformers' config files: a string
// or an object with "content".
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

type tokenizerConfig struct {
	AddedTokensDecoder map[string]AddedToken `json:"added_tokens_decoder"`
	CleanUpSpaces      *bool                 `json:"clean_up_tokenization_spaces"`

	BOS json.RawMessage `json:"bos_token"`
	EOS json.RawMessage `json:"eos_token"`
	PAD json.RawMessage `json:"pad_token"`
	UNK json.RawMessage `json:"unk_token"`
}

// idList reads an id or a list of ids.
type idList []int

func (l *idList) UnmarshalJSON(b []byte) error {
	var one int
	if err := json.Unmarshal(b, &one); err == nil {
		*l = idList{one}
		return nil
	}
	var many []int
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

type generationConfig struct {
	EOS idList `json:"eos_token_id"`
	BOS idList `json:"bos_token_id"`
	PAD idList `json:"pad_token_id"`
}

func readJSONIfExists(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// applyConfigDir reads the transformers config files of dir: special
// tokens from tokenizer_config.json (over special_tokens_map.json), and
// extra end-of-sequence ids from generation_config.json.
func (t *Tokenizer) applyConfigDir(dir string) error {
	// added_tokens.json (older transformers): {"content": id}.
	var extra map[string]int
	if ok, err := readJSONIfExists(filepath.Join(dir, "added_tokens.json"), &extra); err != nil {
		return err
	} else if ok {
		dec := map[string]AddedToken{}
		for content, id := range extra {
			dec[fmt.Sprint(id)] = AddedToken{Content: content, Normalized: true}
		}
		if err := t.mergeAddedTokens(dec); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, "added_tokens.json"), err)
		}
	}
	for _, name := range []string{"special_tokens_map.json", "tokenizer_config.json"} {
		var c tokenizerConfig
		ok, err := readJSONIfExists(filepath.Join(dir, name), &c)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		// A key that is present and null means "none"; a token the
		// vocabulary lacks leaves the guess alone.
		set := func(dst *int, raw json.RawMessage) {
			if raw == nil {
				return
			}
			if isNull(raw) {
				*dst = -1
				return
			}
			var tok configToken
			if err := json.Unmarshal(raw, &tok); err != nil {
				return
			}
			if id, ok := t.TokenToID(string(tok)); ok {
				*dst = id
			}
		}
		if err := t.mergeAddedTokens(c.AddedTokensDecoder); err != nil {
			return fmt.Errorf("%s: added_tokens_decoder: %w", filepath.Join(dir, name), err)
		}
		if c.CleanUpSpaces != nil {
			t.cleanUpSpaces = *c.CleanUpSpaces
		}
		set(&t.bos, c.BOS)
		set(&t.eos, c.EOS)
		set(&t.pad, c.PAD)
		set(&t.unk, c.UNK)
	}
	t.eosIDs = nil
	t.addEOS(t.eos)
	var g generationConfig
	ok, err := readJSONIfExists(filepath.Join(dir, "generation_config.json"), &g)
	if err != nil {
		return err
	}
	if ok {
		for _, id := range g.EOS {
			t.addEOS(id)
		}
	}
	return nil
}

// mergeAddedTokens adds the tokens of a transformers added_tokens_decoder
// ({"id": token}) whose ids tokenizer.json does not already have.
func (t *Tokenizer) mergeAddedTokens(dec map[string]AddedToken) error {
	if len(dec) == 0 {
		return nil
	}
	tokens := append([]AddedToken(nil), t.added.tokens...)
	n := len(tokens)
	keys := make([]string, 0, len(dec))
	for k := range dec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var id int
		if _, err := fmt.Sscan(k, &id); err != nil || id < 0 {
			return fmt.Errorf("token id %q is not a non-negative integer", k)
		}
		if _, ok := t.added.byID[id]; ok {
			continue
		}
		tok := dec[k]
		tok.ID = id
		if tok.Content == "" {
			return fmt.Errorf("token %d has no content", id)
		}
		tokens = append(tokens, tok)
	}
	if len(tokens) == n {
		return nil
	}
	t.added = newAddedVocab(tokens, t.norm)
	return t.finish()
}
