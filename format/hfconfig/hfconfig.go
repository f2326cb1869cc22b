// Package hfconfig reads the few fields of a Hugging Face config.json that
// describe a checkpoint (for `ferrum show` and model lookup), tolerating the
// many fields and spellings it does not need. Full per-architecture configs
// are the model package's job.
package hfconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// FileName is the config file of an HF model folder.
const FileName = "config.json"

// Summary is what config.json says about a model. Missing fields are zero.
type Summary struct {
	Architectures         []string // e.g. ["Qwen3ForCausalLM"]
	ModelType             string   // e.g. "qwen3"
	MaxPositionEmbeddings int64
	VocabSize             int64
	DType                 string // "dtype", or the older "torch_dtype"
}

// Architecture is the first entry of architectures, else model_type.
func (s *Summary) Architecture() string {
	if len(s.Architectures) > 0 {
		return s.Architectures[0]
	}
	return s.ModelType
}

// Read parses dir/config.json.
func Read(dir string) (*Summary, error) {
	path := filepath.Join(dir, FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b)
}

// Parse reads a config.json held in data; name labels errors. Fields that
// multimodal configs keep under text_config are taken from there when absent
// at the top level. A field of the wrong JSON type is an error naming it;
// null counts as absent.
func Parse(name string, data []byte) (*Summary, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %w", name, err)
	}
	var text map[string]json.RawMessage
	if raw, ok := top["text_config"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, fmt.Errorf("%s: text_config is not an object", name)
		}
	}
	s := &Summary{}
	fields := []struct {
		key string
		dst any
	}{
		{"architectures", &s.Architectures},
		{"model_type", &s.ModelType},
		{"max_position_embeddings", &s.MaxPositionEmbeddings},
		{"vocab_size", &s.VocabSize},
		{"dtype", &s.DType},
		{"torch_dtype", &s.DType},
	}
	for _, f := range fields {
		if err := field(name, top, text, f.key, f.dst); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// field decodes key from top, else from text, into dst if dst is still zero.
func field(name string, top, text map[string]json.RawMessage, key string, dst any) error {
	for i, obj := range []map[string]json.RawMessage{top, text} {
		raw, ok := obj[key]
		if !ok || isNull(raw) || !isZero(dst) {
			continue
		}
		if err := decode(raw, dst); err != nil {
			where := key
			if i == 1 {
				where = "text_config." + key
			}
			return fmt.Errorf("%s: %s: %w", name, where, err)
		}
	}
	return nil
}

func decode(raw json.RawMessage, dst any) error {
	if n, ok := dst.(*int64); ok {
		// Accept 32768 and 32768.0, reject 1e300 and fractions.
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("is %s, want a number", describe(raw))
		}
		if f != math.Trunc(f) || f < 0 || f > 1<<53 {
			return fmt.Errorf("is %s, want a non-negative integer", raw)
		}
		*n = int64(f)
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		want := "a string"
		if _, ok := dst.(*[]string); ok {
			want = "an array of strings"
		}
		return fmt.Errorf("is %s, want %s", describe(raw), want)
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func isZero(dst any) bool {
	switch d := dst.(type) {
	case *int64:
		return *d == 0
	case *string:
		return *d == ""
	case *[]string:
		return len(*d) == 0
	}
	return true
}

// describe names a JSON value's kind for messages.
func describe(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a bool"
	}
	return "a number"
}
