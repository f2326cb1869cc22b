package tokenizer

import (
	"strings"
)

// preTokenizer cuts one piece into smaller ones (and may rewrite them).
type preTokenizer interface {
	preTokenize(p piece, dst []piece, sc *splitScratch) []piece
}

// runPreTokenizer applies pt to every piece of in that is not an added
// token, appending the results to out. A Sequence runs stage by stage over
// all pieces, ping-ponging between in and out, so no per-piece slices are
// made.
func runPreTokenizer(pt preTokenizer, in, out []piece, sc *splitScratch) []piece {
	if seq, ok := pt.(seqPreTokenizer); ok {
		for _, stage := range seq {
			out = runPreTokenizer(stage, in, out[:0], sc)
			in, out = out, in
		}
		return in
	}
	for _, p := range in {
		if p.id >= 0 {
			out = append(out, p)
			continue
		}
		out = pt.preTokenize(p, out, sc)
	}
	return out
}

type seqPreTokenizer []preTokenizer

func (s seqPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	res := runPreTokenizer(s, []piece{p}, nil, sc)
	return append(dst, res...)
}

// splitPreTokenizer is the "Split" pre-tokenizer.
type splitPreTokenizer struct {
	pat      pattern
	behavior splitBehavior
	invert   bool
}

func (s *splitPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	return splitByPattern(p.s, s.pat, s.behavior, s.invert, p, dst, sc)
}

// byteLevelPreTokenizer optionally prefixes a space, splits with the GPT-2
// pattern, and maps every byte to its printable stand-in.
type byteLevelPreTokenizer struct {
	addPrefixSpace bool
	useRegex       bool
	// lazy leaves the mapping to the BPE model (set when this is the last
	// pre-tokenizer before a BPE model; see Tokenizer.finish).
	lazy bool
}

var gpt2Pattern = scannerPattern{scanGPT2}

func (b *byteLevelPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	s := p.s
	if b.addPrefixSpace && !strings.HasPrefix(s, " ") {
		s = " " + s
	}
	start := len(dst)
	if b.useRegex {
		dst = splitByPattern(s, gpt2Pattern, behaviorIsolated, false, p, dst, sc)
	} else if s != "" {
		dst = append(dst, piece{s: s, id: -1, first: p.first})
	}
	for i := start; i < len(dst); i++ {
		if b.lazy {
			dst[i].raw = true
		} else {
			dst[i].s = byteLevelEncode(dst[i].s)
		}
	}
	return dst
}

// metaspacePreTokenizer replaces spaces with ▁ (or another rune), prepends
// one per its scheme, and optionally splits before each ▁.
type metaspacePreTokenizer struct {
	replacement rune
	repl        string
	scheme      prependScheme
	split       bool
}

type prependScheme uint8

const (
	prependAlways prependScheme = iota
	prependFirst
	prependNever
)

func (m *metaspacePreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	s := strings.ReplaceAll(p.s, " ", m.repl)
	switch m.scheme {
	case prependAlways:
		if !strings.HasPrefix(s, m.repl) {
			s = m.repl + s
		}
	case prependFirst:
		if !strings.HasPrefix(s, m.repl) && p.first {
			s = m.repl + s
		}
	}
	if !m.split {
		if s == "" {
			return dst
		}
		return append(dst, piece{s: s, id: -1, first: p.first})
	}
	return splitByPattern(s, stringPattern{m.repl}, behaviorMergedWithNext, false, p, dst, sc)
}

// whitespacePreTokenizer keeps runs of \w and runs of [^\w\s]; it is
// Hugging Face's `\w+|[^\w\s]+` with the gaps removed.
type whitespacePreTokenizer struct{}

func (whitespacePreTokenizer) preTokenize(p piece, dst []piece, _ *splitScratch) []piece {
	s := p.s
	const (
		none = iota
		word
		punct
	)
	state, start := none, 0
	flush := func(end int) {
		if state != none && end > start {
			dst = append(dst, piece{s: s[start:end], id: -1, first: p.first && start == 0})
		}
	}
	for i, r := range s {
		var k int
		switch {
		case rustWordChar(r):
			k = word
		case isSpace(r):
			k = none
		default:
			k = punct
		}
		if k != state {
			flush(i)
			state, start = k, i
		}
	}
	flush(len(s))
	return dst
}

// whitespaceSplitPreTokenizer splits on Unicode whitespace, dropping it.
type whitespaceSplitPreTokenizer struct{}

func (whitespaceSplitPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	return splitByPattern(p.s, runePattern(isSpace), behaviorRemoved, false, p, dst, sc)
}

// bertPreTokenizer splits on whitespace, then isolates each punctuation rune.
type bertPreTokenizer struct{}

func (bertPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	words := splitByPattern(p.s, runePattern(isSpace), behaviorRemoved, false, p, nil, sc)
	for _, w := range words {
		dst = splitByPattern(w.s, runePattern(isBertPunct), behaviorIsolated, false, w, dst, sc)
	}
	return dst
}

type punctuationPreTokenizer struct{ behavior splitBehavior }

func (b punctuationPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	return splitByPattern(p.s, runePattern(isBertPunct), b.behavior, false, p, dst, sc)
}

type digitsPreTokenizer struct{ individual bool }

func (d digitsPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	b := behaviorContiguous
	if d.individual {
		b = behaviorIsolated
	}
	return splitByPattern(p.s, runePattern(isRustNumeric), b, false, p, dst, sc)
}

// charDelimiterPreTokenizer splits on one rune, removing it.
type charDelimiterPreTokenizer struct{ delim rune }

func (c charDelimiterPreTokenizer) preTokenize(p piece, dst []piece, sc *splitScratch) []piece {
	return splitByPattern(p.s, stringPattern{string(c.delim)}, behaviorRemoved, false, p, dst, sc)
}

// fixedLengthPreTokenizer cuts every length runes.
type fixedLengthPreTokenizer struct{ length int }

func (f fixedLengthPreTokenizer) preTokenize(p piece, dst []piece, _ *splitScratch) []piece {
	start, n := 0, 0
	for i := range p.s {
		if n == f.length {
			dst = append(dst, piece{s: p.s[start:i], id: -1, first: p.first && start == 0})
			start, n = i, 0
		}
		n++
	}
	if start < len(p.s) {
		dst = append(dst, piece{s: p.s[start:], id: -1, first: p.first && start == 0})
	}
	return dst
}
