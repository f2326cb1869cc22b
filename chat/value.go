package chat

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
)

// Template values mirror the Python objects jinja2 sees under transformers, because the rendered
// bytes depend on Python semantics (str(None) is "None", dicts keep insertion order, 2.0 prints
// as "2.0"). A value is one of:
//
//	nil (None), bool, int64, float64, string, *List, *Dict, *Undefined, *Func, *Macro,
//	and *big.Int for integer literals beyond int64 (printed exactly; arithmetic on them is float)
type Value = any

// Undefined is a missing variable, attribute or key. It prints as "", is falsy and iterates as
// empty, but using it any further (attribute, arithmetic, call) is an error naming it, as
// jinja2's default Undefined does.
type Undefined struct {
	Hint string // what was looked up, for error messages: "'x' is undefined"
}

// List is a Python list; shared by reference like Python's, though templates cannot mutate it
// (the sandbox forbids append & co).
type List struct {
	Items []Value
	Tuple bool   // prints as (a, b): what tuple literals give
	View  string // "dict_items", "dict_keys", "dict_values": a dict view, printed as dict_items([...])
}

// Func is a callable: a global (range, namespace), a bound method ("abc".upper) or a loop helper.
type Func struct {
	Name string
	Call func(e *evaluator, args []Value, kw *Dict) (Value, error)
}

// Dict is an insertion-ordered Python dict. Keys are hashable Values (string, int64, float64,
// bool, nil); the index maps a normalized key (True == 1 == 1.0 in Python) to its slot.
type Dict struct {
	keys      []Value
	vals      []Value
	index     map[any]int
	Namespace bool // made by namespace(): attributes assignable with {% set ns.x = ... %}
}

// NewDict returns an empty ordered dict.
func NewDict() *Dict { return &Dict{index: map[any]int{}} }

func hashKey(k Value) (any, bool) {
	switch v := k.(type) {
	case nil, string, int64:
		return v, true
	case bool:
		if v {
			return int64(1), true
		}
		return int64(0), true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
			return int64(v), true
		}
		return v, true
	case *big.Int:
		return "int:" + v.String(), true
	}
	return nil, false
}

// Set inserts or replaces key, keeping the original position of an existing key.
func (d *Dict) Set(key, val Value) error {
	h, ok := hashKey(key)
	if !ok {
		return fmt.Errorf("unhashable type: '%s'", typeName(key))
	}
	if i, ok := d.index[h]; ok {
		d.vals[i] = val
		return nil
	}
	d.index[h] = len(d.keys)
	d.keys = append(d.keys, key)
	d.vals = append(d.vals, val)
	return nil
}

// SetStr is Set for string keys, which cannot fail.
func (d *Dict) SetStr(key string, val Value) { _ = d.Set(key, val) }

// Get looks key up.
func (d *Dict) Get(key Value) (Value, bool) {
	h, ok := hashKey(key)
	if !ok {
		return nil, false
	}
	i, ok := d.index[h]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// Len is the number of entries.
func (d *Dict) Len() int { return len(d.keys) }

// Keys returns the keys in insertion order.
func (d *Dict) Keys() []Value { return d.keys }

// Values returns the values in insertion order.
func (d *Dict) Values() []Value { return d.vals }

func (d *Dict) copyDict() *Dict {
	n := NewDict()
	for i, k := range d.keys {
		_ = n.Set(k, d.vals[i])
	}
	return n
}

// typeName is Python's type(x).__name__, used in error messages that match Python's.
func typeName(v Value) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *List:
		if x := v.(*List); x.View != "" {
			return x.View
		}
		if v.(*List).Tuple {
			return "tuple"
		}
		return "list"
	case *Dict:
		if v.(*Dict).Namespace {
			return "Namespace"
		}
		return "dict"
	case *Undefined:
		return "Undefined"
	case *Func, *Macro:
		return "function"
	case *Gen:
		if x := v.(*Gen); x.Name == "list_reverseiterator" {
			return x.Name
		}
		return "generator"
	}
	return fmt.Sprintf("%T", v)
}

// truthy is Python's bool(x).
func truthy(v Value) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case *big.Int:
		return x.Sign() != 0
	case string:
		return x != ""
	case *List:
		return len(x.Items) > 0
	case *Dict:
		return x.Namespace || x.Len() > 0
	case *Undefined:
		return false
	}
	return true
}

// toStr is Python's str(x) as jinja2 prints it.
func toStr(v Value) string { return toStrLimit(v, maxReprLen) }

// str is toStr cut off just past the output limit: a structure sharing its sub-lists can have an
// exponentially long repr, and anything longer than the limit fails anyway.
func (e *evaluator) str(v Value) string { return toStrLimit(v, e.limits.MaxOutput+1) }

func toStrLimit(v Value, limit int) string {
	switch x := v.(type) {
	case string:
		return x
	case *Undefined:
		return ""
	}
	var b strings.Builder
	writeRepr(&b, v, 0, limit)
	return b.String()
}

// repr is Python's repr(x).
func repr(v Value) string {
	var b strings.Builder
	writeRepr(&b, v, 0, maxReprLen)
	return b.String()
}

const (
	maxReprDepth = 100
	maxReprLen   = 1 << 26
)

func writeRepr(b *strings.Builder, v Value, depth, limit int) {
	if depth > maxReprDepth || b.Len() > limit {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		fmt.Fprintf(b, "%d", x)
	case float64:
		b.WriteString(pyFloat(x))
	case *big.Int:
		b.WriteString(x.String())
	case string:
		b.WriteString(pyStrRepr(x))
	case *List:
		if x.View != "" {
			b.WriteString(x.View + "(")
			writeRepr(b, &List{Items: x.Items}, depth, limit)
			b.WriteString(")")
			return
		}
		open, close := byte('['), byte(']')
		if x.Tuple {
			open, close = '(', ')'
		}
		b.WriteByte(open)
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, it, depth+1, limit)
		}
		if x.Tuple && len(x.Items) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(close)
	case *Dict:
		if x.Namespace {
			b.WriteString("<Namespace ")
		}
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, k, depth+1, limit)
			b.WriteString(": ")
			writeRepr(b, x.vals[i], depth+1, limit)
		}
		b.WriteByte('}')
		if x.Namespace {
			b.WriteByte('>')
		}
	case *Undefined:
		b.WriteString("Undefined")
	case *Gen:
		b.WriteString(x.repr())
	case *Func:
		fmt.Fprintf(b, "<built-in method %s>", x.Name)
	case *Macro:
		fmt.Fprintf(b, "<Macro '%s'>", x.Name)
	default:
		fmt.Fprintf(b, "%v", x)
	}
}

// pyStrRepr quotes like Python: single quotes unless the text has ' and no ".
func pyStrRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && !pyPrintable(r):
			switch {
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// sortedKeys gives Go maps a deterministic order when converting them.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
