package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// A minimal JSON scanner for the two big parts of a tokenizer.json, the
// model's vocab and merges (150k+ entries each for current models).
// encoding/json validates and copies them several times over through
// json.RawMessage and spends most of a second on a Qwen-sized file; this
// walks them once. Everything else still goes through encoding/json.

type jscan struct {
	b   []byte
	off int
}

func (s *jscan) errf(format string, args ...any) error {
	return fmt.Errorf("JSON offset %d: %s", s.off, fmt.Sprintf(format, args...))
}

func (s *jscan) ws() {
	for s.off < len(s.b) {
		switch s.b[s.off] {
		case ' ', '\t', '\n', '\r':
			s.off++
		default:
			return
		}
	}
}

func (s *jscan) peek() byte {
	s.ws()
	if s.off >= len(s.b) {
		return 0
	}
	return s.b[s.off]
}

func (s *jscan) expect(c byte) error {
	if s.peek() != c {
		return s.errf("want %q", c)
	}
	s.off++
	return nil
}

// str reads a string; escapes are handed to encoding/json.
func (s *jscan) str() (string, error) {
	if s.peek() != '"' {
		return "", s.errf("want a string")
	}
	start := s.off
	s.off++
	escaped := false
	for s.off < len(s.b) {
		c := s.b[s.off]
		switch {
		case c == '\\':
			escaped = true
			s.off += 2
			continue
		case c == '"':
			s.off++
			if !escaped {
				return string(s.b[start+1 : s.off-1]), nil
			}
			var out string
			if err := json.Unmarshal(s.b[start:s.off], &out); err != nil {
				return "", s.errf("%v", err)
			}
			return out, nil
		case c < 0x20:
			return "", s.errf("control character in string")
		}
		s.off++
	}
	return "", s.errf("unterminated string")
}

// skipStr passes over a string without decoding it.
func (s *jscan) skipStr() error {
	s.off++
	for s.off < len(s.b) {
		switch c := s.b[s.off]; {
		case c == '\\':
			s.off += 2
			continue
		case c == '"':
			s.off++
			return nil
		case c < 0x20:
			return s.errf("control character in string")
		}
		s.off++
	}
	return s.errf("unterminated string")
}

func (s *jscan) integer() (int, error) {
	s.ws()
	start := s.off
	if s.off < len(s.b) && s.b[s.off] == '-' {
		s.off++
	}
	for s.off < len(s.b) && s.b[s.off] >= '0' && s.b[s.off] <= '9' {
		s.off++
	}
	n, err := strconv.Atoi(string(s.b[start:s.off]))
	if err != nil {
		return 0, s.errf("want an integer id")
	}
	return n, nil
}

// skip passes over any value, checking its structure but not converting
// numbers or literals.
func (s *jscan) skip() error { return s.skipDepth(0) }

func (s *jscan) skipDepth(depth int) error {
	if depth > 512 {
		return s.errf("nesting deeper than 512")
	}
	switch c := s.peek(); c {
	case 0:
		return s.errf("unexpected end")
	case '"':
		return s.skipStr()
	case '{':
		return s.objectFields(func(string) error { return s.skipDepth(depth + 1) })
	case '[':
		return s.arrayItems(func() error { return s.skipDepth(depth + 1) })
	default:
		start := s.off
		for s.off < len(s.b) {
			switch s.b[s.off] {
			case ',', '}', ']', ' ', '\t', '\n', '\r', ':':
				if s.off == start {
					return s.errf("unexpected %q", c)
				}
				return nil
			}
			s.off++
		}
		return nil
	}
}

// objectFields calls fn for each key of an object with the scanner at the
// value; fn must consume the value.
func (s *jscan) objectFields(fn func(key string) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.off++
		return nil
	}
	for {
		k, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.off++
		case '}':
			s.off++
			return nil
		default:
			return s.errf("want , or } in object")
		}
	}
}

func (s *jscan) arrayItems(fn func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.off++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.off++
		case ']':
			s.off++
			return nil
		default:
			return s.errf("want , or ] in array")
		}
	}
}

// fastVocab parses {"token": id, ...}.
func fastVocab(raw []byte) (map[string]int, error) {
	s := &jscan{b: raw}
	vocab := make(map[string]int, len(raw)/16)
	err := s.objectFields(func(k string) error {
		id, err := s.integer()
		if err != nil {
			return err
		}
		vocab[k] = id
		return nil
	})
	if err == nil && s.peek() != 0 {
		err = s.errf("trailing data")
	}
	return vocab, err
}

// fastMerges parses ["a b", ...] or [["a", "b"], ...].
func fastMerges(raw []byte) ([][2]string, error) {
	s := &jscan{b: raw}
	out := make([][2]string, 0, len(raw)/16)
	i := 0
	err := s.arrayItems(func() error {
		if s.peek() == '"' {
			line, err := s.str()
			if err != nil {
				return err
			}
			a, b, ok := cutMerge(line)
			if !ok {
				return fmt.Errorf("model BPE merge %d %q: want two tokens separated by one space", i, line)
			}
			out = append(out, [2]string{a, b})
		} else {
			var pair [2]string
			n := 0
			err := s.arrayItems(func() error {
				t, err := s.str()
				if err != nil {
					return err
				}
				if n < 2 {
					pair[n] = t
				}
				n++
				return nil
			})
			if err != nil {
				return err
			}
			if n != 2 {
				return fmt.Errorf("model BPE merge %d: want a pair, got %d tokens", i, n)
			}
			out = append(out, pair)
		}
		i++
		return nil
	})
	if err == nil && s.peek() != 0 {
		err = s.errf("trailing data")
	}
	return out, err
}

func cutMerge(line string) (string, string, bool) {
	for i := 0; i < len(line); i++ {
		if line[i] == ' ' {
			a, b := line[:i], line[i+1:]
			for j := 0; j < len(b); j++ {
				if b[j] == ' ' {
					return "", "", false
				}
			}
			return a, b, true
		}
	}
	return "", "", false
}

// skipFast passes over a value checking only that brackets balance and
// strings end: the parts are parsed properly later, and this runs over
// megabytes (the model object, then its vocab and merges).
func (s *jscan) skipFast() error {
	depth := 0
	s.ws()
	for s.off < len(s.b) {
		switch c := s.b[s.off]; c {
		case '"':
			s.off++
			for {
				j := bytes.IndexByte(s.b[s.off:], '"')
				if j < 0 {
					return s.errf("unterminated string")
				}
				end := s.off + j
				bs := 0
				for k := end - 1; k >= s.off && s.b[k] == '\\'; k-- {
					bs++
				}
				s.off = end + 1
				if bs%2 == 0 {
					break
				}
			}
			if depth == 0 {
				return nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return s.errf("unbalanced %q", c)
			}
			if depth == 0 {
				s.off++
				return nil
			}
		default:
			if depth == 0 {
				start := s.off
				for s.off < len(s.b) && !isDelim(s.b[s.off]) {
					s.off++
				}
				if s.off == start {
					return s.errf("unexpected %q", c)
				}
				return nil
			}
		}
		s.off++
	}
	return s.errf("unexpected end")
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r', ':':
		return true
	}
	return false
}

// splitObject returns the raw value of each top-level key of an object.
func splitObject(raw []byte) (map[string][]byte, error) {
	s := &jscan{b: raw}
	out := map[string][]byte{}
	err := s.objectFields(func(k string) error {
		s.ws()
		start := s.off
		if err := s.skipFast(); err != nil {
			return err
		}
		out[k] = raw[start:s.off]
		return nil
	})
	if err == nil && s.peek() != 0 {
		err = s.errf("trailing data")
	}
	return out, err
}
