package gguf

import (
	"errors"
	"fmt"
)

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}

// ErrKeyNotFound is wrapped by the getters' error for a missing key, so
// callers can tell "absent" (often fine: use a default) from "wrong type".
var ErrKeyNotFound = errors.New("key not found")

// Metadata is a file's key/value section, in file order, with typed getters.
// Getter errors name the file, the key and the type found.
type Metadata struct {
	source string // file name for messages
	kvs    []KV
	index  map[string]int
}

func newMetadata(source string, capacity int) *Metadata {
	return &Metadata{source: source, kvs: make([]KV, 0, capacity), index: make(map[string]int, capacity)}
}

// set appends a key, or replaces its value in place if present.
func (m *Metadata) set(key string, v Value) {
	if i, ok := m.index[key]; ok {
		m.kvs[i].Value = v
		return
	}
	m.index[key] = len(m.kvs)
	m.kvs = append(m.kvs, KV{key, v})
}

// Len is the number of keys.
func (m *Metadata) Len() int { return len(m.kvs) }

// KVs returns the entries in file order. The slice must not be modified.
func (m *Metadata) KVs() []KV { return m.kvs }

// Keys returns the keys in file order.
func (m *Metadata) Keys() []string {
	keys := make([]string, len(m.kvs))
	for i, kv := range m.kvs {
		keys[i] = kv.Key
	}
	return keys
}

// Get returns the value of key.
func (m *Metadata) Get(key string) (Value, bool) {
	i, ok := m.index[key]
	if !ok {
		return Value{}, false
	}
	return m.kvs[i].Value, true
}

// Has reports whether key is present.
func (m *Metadata) Has(key string) bool { _, ok := m.index[key]; return ok }

func (m *Metadata) lookup(key string) (Value, error) {
	v, ok := m.Get(key)
	if !ok {
		return Value{}, fmt.Errorf("%s: metadata key %q: %w", m.source, key, ErrKeyNotFound)
	}
	return v, nil
}

func (m *Metadata) typeErr(key string, v Value, want string) error {
	return fmt.Errorf("%s: metadata key %q is %s, want %s", m.source, key, v.TypeName(), want)
}

// String returns a string value.
func (m *Metadata) String(key string) (string, error) {
	v, err := m.lookup(key)
	if err != nil {
		return "", err
	}
	s, ok := v.v.(string)
	if !ok {
		return "", m.typeErr(key, v, "string")
	}
	return s, nil
}

// Uint returns an integer value of any width and signedness that is not
// negative (writers disagree on u32 vs i32 vs u64 for counts and lengths).
func (m *Metadata) Uint(key string) (uint64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return 0, err
	}
	if u, ok := v.v.(uint64); ok {
		return u, nil
	}
	i, ok := v.asInt64()
	if !ok {
		return 0, m.typeErr(key, v, "an unsigned integer")
	}
	if i < 0 {
		return 0, fmt.Errorf("%s: metadata key %q is %d, want a non-negative integer", m.source, key, i)
	}
	return uint64(i), nil
}

// Int returns an integer value of any width that fits in int64.
func (m *Metadata) Int(key string) (int64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return 0, err
	}
	i, ok := v.asInt64()
	if !ok {
		if u, isU := v.v.(uint64); isU {
			return 0, fmt.Errorf("%s: metadata key %q is %d, too large for int64", m.source, key, u)
		}
		return 0, m.typeErr(key, v, "an integer")
	}
	return i, nil
}

// Float returns a float32 or float64 value as float64; integers are
// accepted too, since a hand-written file may store 10000 for 10000.0.
func (m *Metadata) Float(key string) (float64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return 0, err
	}
	switch x := v.v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case uint64:
		return float64(x), nil
	}
	if i, ok := v.asInt64(); ok {
		return float64(i), nil
	}
	return 0, m.typeErr(key, v, "a float")
}

// Bool returns a bool value.
func (m *Metadata) Bool(key string) (bool, error) {
	v, err := m.lookup(key)
	if err != nil {
		return false, err
	}
	b, ok := v.v.(bool)
	if !ok {
		return false, m.typeErr(key, v, "bool")
	}
	return b, nil
}

// Array returns an array value of any element type.
func (m *Metadata) Array(key string) (Value, error) {
	v, err := m.lookup(key)
	if err != nil {
		return Value{}, err
	}
	if !v.IsArray() {
		return Value{}, m.typeErr(key, v, "an array")
	}
	return v, nil
}

// ArrayLen returns the element count of an array value.
func (m *Metadata) ArrayLen(key string) (int, error) {
	v, err := m.Array(key)
	if err != nil {
		return 0, err
	}
	return v.Len(), nil
}

// Strings returns an array of strings. The slice is shared: do not modify it.
func (m *Metadata) Strings(key string) ([]string, error) {
	v, err := m.lookup(key)
	if err != nil {
		return nil, err
	}
	s, ok := v.v.([]string)
	if !ok {
		return nil, m.typeErr(key, v, "array[string]")
	}
	return s, nil
}

// Ints returns an array of any integer type as int64s.
func (m *Metadata) Ints(key string) ([]int64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return nil, err
	}
	if !v.IsArray() || !v.elem.isInteger() {
		return nil, m.typeErr(key, v, "an array of integers")
	}
	out := make([]int64, v.Len())
	for i := range out {
		e, _ := v.Index(i)
		x, ok := e.asInt64()
		if !ok {
			return nil, fmt.Errorf("%s: metadata key %q: element %d is too large for int64", m.source, key, i)
		}
		out[i] = x
	}
	return out, nil
}

// Floats returns an array of float32 or float64 as float64s.
func (m *Metadata) Floats(key string) ([]float64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return nil, err
	}
	switch s := v.v.(type) {
	case []float32:
		out := make([]float64, len(s))
		for i, x := range s {
			out[i] = float64(x)
		}
		return out, nil
	case []float64:
		return s, nil
	}
	return nil, m.typeErr(key, v, "an array of floats")
}
