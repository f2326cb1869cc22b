package safetensors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// metadataKey is the header key that holds free-form string metadata
// instead of a tensor.
const metadataKey = "__metadata__"

// parseHeader decodes a header into tensor infos in header order and the
// metadata. It walks tokens instead of unmarshalling into a map because
// encoding/json silently keeps the last of two duplicate keys, and a
// duplicated tensor name must be an error, not a coin toss.
func parseHeader(js []byte) ([]TensorInfo, map[string]string, error) {
	if !utf8.Valid(js) {
		return nil, nil, fmt.Errorf("header is not valid UTF-8")
	}
	if len(js) == 0 || js[0] != '{' {
		return nil, nil, fmt.Errorf("header does not start with '{'")
	}
	w := newWalker(js)
	var tensors []TensorInfo
	metadata := map[string]string{}
	err := w.object("header", func(key string) error {
		if key == metadataKey {
			return w.object(metadataKey, func(k string) error {
				v, err := w.str(fmt.Sprintf("%s key %q", metadataKey, k))
				metadata[k] = v
				return err
			})
		}
		t, err := w.tensor(key)
		tensors = append(tensors, t)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if err := w.end(); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	return tensors, metadata, nil
}

type walker struct {
	js  []byte
	dec *json.Decoder
}

func newWalker(js []byte) *walker {
	w := &walker{js: js, dec: json.NewDecoder(bytes.NewReader(js))}
	w.dec.UseNumber()
	return w
}

// end checks that only whitespace follows the top-level value: the
// reference writer pads the header with spaces, anything else is corrupt.
func (w *walker) end() error {
	if rest := bytes.TrimLeft(w.js[w.dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("%d bytes of trailing data after the JSON object", len(rest))
	}
	return nil
}

// token reads the next token, turning syntax errors into ones that say
// where in the header they are.
func (w *walker) token(what string) (json.Token, error) {
	off := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: bad JSON near header byte %d: %v", what, off, err)
	}
	return tok, nil
}

func (w *walker) delim(what string, want json.Delim) error {
	tok, err := w.token(what)
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%s: want %s, got %s", what, describe(want), describe(tok))
	}
	return nil
}

// object reads a JSON object, calling fn with the decoder positioned at each
// key's value. A key seen twice is an error.
func (w *walker) object(what string, fn func(key string) error) error {
	if err := w.delim(what, '{'); err != nil {
		return err
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.token(what)
		if err != nil {
			return err
		}
		key, _ := tok.(string) // the decoder only yields strings in key position
		if seen[key] {
			return fmt.Errorf("%s: duplicate key %q", what, key)
		}
		seen[key] = true
		if err := fn(key); err != nil {
			return err
		}
	}
	return w.delim(what, '}')
}

func (w *walker) str(what string) (string, error) {
	tok, err := w.token(what)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%s: want a string, got %s", what, describe(tok))
	}
	return s, nil
}

// ints reads an array of non-negative integers.
func (w *walker) ints(what string) ([]int64, error) {
	if err := w.delim(what, '['); err != nil {
		return nil, err
	}
	out := []int64{}
	for w.dec.More() {
		tok, err := w.token(what)
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: want an integer, got %s", what, len(out), describe(tok))
		}
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%s[%d]: %s is not a non-negative 64-bit integer", what, len(out), num)
		}
		out = append(out, v)
	}
	return out, w.delim(what, ']')
}

// skip consumes one value of any shape.
func (w *walker) skip(what string) error {
	var raw json.RawMessage
	if err := w.dec.Decode(&raw); err != nil {
		return fmt.Errorf("%s: bad JSON: %v", what, err)
	}
	return nil
}

// tensor reads one tensor entry. Unknown fields are ignored, as the
// reference reader does.
func (w *walker) tensor(name string) (TensorInfo, error) {
	t := TensorInfo{Name: name}
	what := fmt.Sprintf("tensor %q", name)
	var offsets []int64
	var haveDType, haveShape bool
	err := w.object(what, func(key string) error {
		var err error
		switch key {
		case "dtype":
			var s string
			s, err = w.str(what + " dtype")
			t.DType, haveDType = DType(s), true
		case "shape":
			t.Shape, err = w.ints(what + " shape")
			haveShape = true
		case "data_offsets":
			offsets, err = w.ints(what + " data_offsets")
		default:
			err = w.skip(what + " " + strconv.Quote(key))
		}
		return err
	})
	switch {
	case err != nil:
		return t, err
	case !haveDType:
		return t, fmt.Errorf("%s: no dtype", what)
	case !haveShape:
		return t, fmt.Errorf("%s: no shape", what)
	case offsets == nil:
		return t, fmt.Errorf("%s: no data_offsets", what)
	case len(offsets) != 2:
		return t, fmt.Errorf("%s: data_offsets has %d numbers, want 2 [begin, end]", what, len(offsets))
	}
	t.Begin, t.End = offsets[0], offsets[1]
	return t, nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return strconv.QuoteRune(rune(v))
	case string:
		return "string " + strconv.Quote(truncate(v, 40))
	case json.Number:
		return "number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
