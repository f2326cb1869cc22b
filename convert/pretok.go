package convert

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Pre-tokenizer regexes llama.cpp implements, by the tokenizer.ggml.pre
// name its converter gives them. The converter recognises a tokenizer by
// hashing its output on a test string; here the Split regex itself is
// matched, which needs no tokenizer run and names the same family.
var preTokenizers = []struct{ name, regex string }{
	{"llama-bpe", `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`},
	{"qwen2", `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`},
}

// preTokenizerName returns the tokenizer.ggml.pre value for a byte-level
// BPE tokenizer.json pre_tokenizer.
func preTokenizerName(raw json.RawMessage) (string, error) {
	var pt struct {
		Type          string            `json:"type"`
		Pretokenizers []json.RawMessage `json:"pretokenizers"`
		UseRegex      *bool             `json:"use_regex"`
	}
	if err := json.Unmarshal(raw, &pt); err != nil {
		return "", fmt.Errorf("pre_tokenizer: %w", err)
	}
	steps := []json.RawMessage{raw}
	if pt.Type == "Sequence" {
		steps = pt.Pretokenizers
	}
	var regexes []string
	gpt2 := false
	for _, s := range steps {
		var p struct {
			Type    string `json:"type"`
			Pattern struct {
				Regex string `json:"Regex"`
			} `json:"pattern"`
			UseRegex *bool `json:"use_regex"`
		}
		if err := json.Unmarshal(s, &p); err != nil {
			return "", fmt.Errorf("pre_tokenizer: %w", err)
		}
		switch p.Type {
		case "Split":
			regexes = append(regexes, p.Pattern.Regex)
		case "ByteLevel":
			gpt2 = p.UseRegex == nil || *p.UseRegex
		}
	}
	if len(regexes) == 1 {
		for _, k := range preTokenizers {
			if regexes[0] == k.regex {
				return k.name, nil
			}
		}
	}
	if len(regexes) == 0 && gpt2 {
		return "gpt-2", nil
	}
	names := make([]string, 0, len(preTokenizers)+1)
	for _, k := range preTokenizers {
		names = append(names, k.name)
	}
	return "", fmt.Errorf("pre-tokenizer %s is not one llama.cpp knows by this converter (recognised: %s, gpt-2)",
		strings.Join(regexes, " + "), strings.Join(names, ", "))
}
