package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// piece is one split of the input as it moves through the pipeline.
type piece struct {
	s string
	// id is the added token this piece already is, or -1.
	id int
	// first marks a piece that begins at offset 0 of the original input;
	// Metaspace's prepend_scheme "first" prepends only there.
	first bool
	// raw marks a piece whose byte-to-rune mapping (the ByteLevel
	// pre-tokenizer's last step) is left to the BPE model.
	raw bool
}

// splitBehavior is what happens to the matches of a split pattern.
type splitBehavior uint8

const (
	behaviorRemoved splitBehavior = iota
	behaviorIsolated
	behaviorMergedWithPrevious
	behaviorMergedWithNext
	behaviorContiguous
)

func parseBehavior(s string) (splitBehavior, error) {
	switch strings.ToLower(s) {
	case "removed":
		return behaviorRemoved, nil
	case "isolated":
		return behaviorIsolated, nil
	case "merged_with_previous", "mergedwithprevious":
		return behaviorMergedWithPrevious, nil
	case "merged_with_next", "mergedwithnext":
		return behaviorMergedWithNext, nil
	case "contiguous":
		return behaviorContiguous, nil
	}
	return 0, fmt.Errorf("unknown split behavior %q", s)
}

// pattern finds the matches of a split or replace pattern in s.
type pattern interface {
	find(s string, dst [][2]int) [][2]int
}

type regexPattern struct{ re *regex }

func (p regexPattern) find(s string, dst [][2]int) [][2]int { return p.re.findAll(s, dst) }

type scannerPattern struct{ scan scanner }

func (p scannerPattern) find(s string, dst [][2]int) [][2]int { return p.scan(s, dst) }

// stringPattern matches a literal, left to right, without overlaps.
type stringPattern struct{ lit string }

func (p stringPattern) find(s string, dst [][2]int) [][2]int {
	if p.lit == "" {
		return dst
	}
	for i := 0; ; {
		j := strings.Index(s[i:], p.lit)
		if j < 0 {
			return dst
		}
		dst = append(dst, [2]int{i + j, i + j + len(p.lit)})
		i += j + len(p.lit)
	}
}

// runePattern matches every single rune for which fn holds.
type runePattern func(rune) bool

func (p runePattern) find(s string, dst [][2]int) [][2]int {
	for i, r := range s {
		if p(r) {
			dst = append(dst, [2]int{i, i + utf8.RuneLen(r)})
		}
	}
	return dst
}

// newPattern builds a pattern from tokenizer.json's {"String": ..} or
// {"Regex": ..}, using a hand-written scanner when the regex is a known one.
func newPattern(str, re *string) (pattern, error) {
	switch {
	case str != nil:
		return stringPattern{*str}, nil
	case re != nil:
		if sc := knownScanner(*re); sc != nil {
			return scannerPattern{sc}, nil
		}
		r, err := compileRegex(*re)
		if err != nil {
			return nil, err
		}
		return regexPattern{r}, nil
	}
	return nil, fmt.Errorf("pattern has neither String nor Regex")
}

type span struct {
	lo, hi int
	match  bool
}

// splitByPattern cuts s at the matches of p and appends the kept non-empty
// parts, following Hugging Face's NormalizedString::split.
func splitByPattern(s string, p pattern, behavior splitBehavior, invert bool, parent piece, dst []piece, scratch *splitScratch) []piece {
	scratch.matches = p.find(s, scratch.matches[:0])
	spans := scratch.spans[:0]
	prev := 0
	for _, m := range scratch.matches {
		if prev != m[0] {
			spans = append(spans, span{prev, m[0], invert})
		}
		spans = append(spans, span{m[0], m[1], !invert})
		prev = m[1]
	}
	if prev != len(s) || len(s) == 0 {
		spans = append(spans, span{prev, len(s), invert})
	}
	spans = applyBehavior(spans, behavior)
	scratch.spans = spans
	for _, sp := range spans {
		if sp.match || sp.hi == sp.lo {
			continue // here "match" means "remove"
		}
		dst = append(dst, piece{s: s[sp.lo:sp.hi], id: -1, first: parent.first && sp.lo == 0})
	}
	return dst
}

// splitScratch holds the buffers one encode call reuses.
type splitScratch struct {
	matches [][2]int
	spans   []span
	a, b    []piece
}

// applyBehavior rewrites the (offsets, is_match) list into (offsets,
// remove) as each behavior defines it, in place.
func applyBehavior(spans []span, behavior splitBehavior) []span {
	switch behavior {
	case behaviorRemoved:
		return spans
	case behaviorIsolated:
		for i := range spans {
			spans[i].match = false
		}
		return spans
	case behaviorMergedWithPrevious:
		out := spans[:0]
		prevMatch := false
		for _, sp := range spans {
			isMatch := sp.match
			if isMatch && !prevMatch && len(out) > 0 {
				out[len(out)-1].hi = sp.hi
			} else {
				out = append(out, span{sp.lo, sp.hi, false})
			}
			prevMatch = isMatch
		}
		return out
	case behaviorMergedWithNext:
		// Walk backwards, merging a match into the part after it.
		out := make([]span, 0, len(spans))
		prevMatch := false
		for i := len(spans) - 1; i >= 0; i-- {
			sp := spans[i]
			if sp.match && !prevMatch && len(out) > 0 {
				out[len(out)-1].lo = sp.lo
			} else {
				out = append(out, span{sp.lo, sp.hi, false})
			}
			prevMatch = sp.match
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		return out
	case behaviorContiguous:
		out := spans[:0]
		prevMatch := false
		for _, sp := range spans {
			isMatch := sp.match
			if isMatch == prevMatch && len(out) > 0 {
				out[len(out)-1].hi = sp.hi
			} else {
				out = append(out, span{sp.lo, sp.hi, false})
			}
			prevMatch = isMatch
		}
		return out
	}
	return spans
}
