package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// FromJSON decodes JSON into template values, keeping object key order (a tool schema's
// `tojson` must print keys as given) and telling 2 from 2.0 the way Python's json module does.
func FromJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("json: trailing data after the value")
	}
	return v, nil
}

const maxJSONDepth = 1000

func decodeJSON(dec *json.Decoder, depth int) (Value, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("json: nested deeper than %d", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("json: %w", err)
				}
				k, _ := kt.(string)
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				d.SetStr(k, v)
			}
			_, err := dec.Token()
			return d, err
		case '[':
			l := &List{}
			for dec.More() {
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("json: unexpected %v", t)
	case json.Number:
		return jsonNumber(string(t)), nil
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("json: unexpected token %v", tok)
}

// jsonNumber follows Python: a literal without '.', 'e' or 'E' is an int, anything else a float.
func jsonNumber(s string) Value {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		if b, ok := new(big.Int).SetString(s, 10); ok && len(s) <= 4300 { // Python's int digit limit
			return b
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// FromGo converts ordinary Go values (what encoding/json produces, plus typed slices and maps)
// into template values. Go maps have no order, so their keys are sorted; pass json.RawMessage
// or *Dict where order matters.
func FromGo(v any) (Value, error) {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, *List, *Dict, *Func:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case json.Number:
		return jsonNumber(string(x)), nil
	case json.RawMessage:
		return FromJSON(x)
	case []any:
		l := &List{Items: make([]Value, len(x))}
		for i, it := range x {
			c, err := FromGo(it)
			if err != nil {
				return nil, err
			}
			l.Items[i] = c
		}
		return l, nil
	case []string:
		l := &List{Items: make([]Value, len(x))}
		for i, it := range x {
			l.Items[i] = it
		}
		return l, nil
	case map[string]any:
		d := NewDict()
		for _, k := range sortedKeys(x) {
			c, err := FromGo(x[k])
			if err != nil {
				return nil, err
			}
			d.SetStr(k, c)
		}
		return d, nil
	case map[string]string:
		d := NewDict()
		for _, k := range sortedKeys(x) {
			d.SetStr(k, x[k])
		}
		return d, nil
	}
	// Anything else (structs, typed slices): through encoding/json, which keeps struct field order.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cannot use %T in a template: %w", v, err)
	}
	return FromJSON(b)
}

// jsonOptions are the json.dumps arguments that transformers' tojson filter exposes.
type jsonOptions struct {
	indent       string // "" with hasIndent=false means compact-with-spaces, Python's default
	hasIndent    bool
	itemSep      string
	keySep       string
	ensureASCII  bool
	sortKeys     bool
	maxOutputLen int
}

// toJSON is json.dumps(v, ensure_ascii=False) by default, the filter transformers installs.
func toJSON(v Value, o jsonOptions) (string, error) {
	var b strings.Builder
	if err := writeJSON(&b, v, o, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeJSON(b *strings.Builder, v Value, o jsonOptions, level int) error {
	if level > maxReprDepth {
		return fmt.Errorf("tojson: value nested deeper than %d", maxReprDepth)
	}
	if o.maxOutputLen > 0 && b.Len() > o.maxOutputLen {
		return errOutputTooLarge
	}
	newline := func(l int) {
		if o.hasIndent {
			b.WriteByte('\n')
			for i := 0; i < l; i++ {
				b.WriteString(o.indent)
			}
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case *big.Int:
		b.WriteString(x.String())
	case float64:
		switch {
		case math.IsNaN(x):
			b.WriteString("NaN")
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		default:
			b.WriteString(pyFloat(x))
		}
	case string:
		writeJSONString(b, x, o.ensureASCII)
	case *List:
		if x.View != "" {
			return fmt.Errorf("Object of type %s is not JSON serializable", x.View)
		}
		if len(x.Items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(o.itemSep)
			}
			newline(level + 1)
			if err := writeJSON(b, it, o, level+1); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteByte(']')
	case *Dict:
		if x.Namespace {
			return fmt.Errorf("Object of type Namespace is not JSON serializable")
		}
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		order := make([]int, x.Len())
		for i := range order {
			order[i] = i
		}
		if o.sortKeys {
			if err := sortKeyOrder(x, order); err != nil {
				return err
			}
		}
		b.WriteByte('{')
		for n, i := range order {
			if n > 0 {
				b.WriteString(o.itemSep)
			}
			newline(level + 1)
			ks, err := jsonKey(x.keys[i])
			if err != nil {
				return err
			}
			writeJSONString(b, ks, o.ensureASCII)
			b.WriteString(o.keySep)
			if err := writeJSON(b, x.vals[i], o, level+1); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteByte('}')
	default:
		return fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
	}
	return nil
}

// jsonKey converts a dict key the way json.dumps does (True -> "true", 1 -> "1").
func jsonKey(k Value) (string, error) {
	switch x := k.(type) {
	case string:
		return x, nil
	case nil:
		return "null", nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return pyFloat(x), nil
	}
	return "", fmt.Errorf("keys must be str, int, float, bool or None, not %s", typeName(k))
}

func sortKeyOrder(d *Dict, order []int) error {
	for _, k := range d.keys {
		if _, ok := k.(string); !ok {
			return fmt.Errorf("tojson: sort_keys needs string keys")
		}
	}
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && d.keys[order[j]].(string) < d.keys[order[j-1]].(string); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	return nil
}

// writeJSONString escapes like Python's json: \" \\ \n \r \t \b \f, other controls as \u00XX,
// and with ensure_ascii everything above 0x7f as (surrogate-pair) \uXXXX.
func writeJSONString(b *strings.Builder, s string, ensureASCII bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				fmt.Fprintf(b, `\u%04x`, r)
			case ensureASCII && r > 0x7f:
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
