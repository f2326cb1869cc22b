package tokenizer

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/rivo/uniseg"
)

// precompiledNormalizer applies a SentencePiece "precompiled_charsmap": a
// Darts-clone double-array trie over UTF-8 byte strings whose values are
// offsets of NUL-terminated replacements in a string blob that follows it.
// Layout: u32 LE trie size in bytes, the trie as u32 LE units, the blob.
type precompiledNormalizer struct {
	units      []uint32
	normalized []byte
	// ascii caches each ASCII byte's transform (most text is ASCII).
	ascii   [128]string
	asciiOK [128]bool
}

func newPrecompiled(blob []byte) (*precompiledNormalizer, error) {
	if len(blob) < 4 {
		return nil, fmt.Errorf("normalizer Precompiled: charsmap of %d bytes is too short", len(blob))
	}
	size := int(binary.LittleEndian.Uint32(blob))
	if size%4 != 0 || size > len(blob)-4 || size == 0 {
		return nil, fmt.Errorf("normalizer Precompiled: trie size %d does not fit the %d-byte charsmap", size, len(blob))
	}
	p := &precompiledNormalizer{units: make([]uint32, size/4), normalized: blob[4+size:]}
	for i := range p.units {
		p.units[i] = binary.LittleEndian.Uint32(blob[4+4*i:])
	}
	for c := 0; c < 128; c++ {
		p.ascii[c], p.asciiOK[c] = p.transform(string(rune(c)))
	}
	return p, nil
}

func unitOffset(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }
func unitHasLeaf(u uint32) bool  { return (u>>8)&1 == 1 }
func unitValue(u uint32) uint32  { return u & (1<<31 - 1) }
func unitLabel(u uint32) uint32  { return u & (1<<31 | 0xFF) }

// firstPrefix returns the value of the shortest key that is a prefix of
// key, as the first result of Darts' commonPrefixSearch.
func (p *precompiledNormalizer) firstPrefix(key string) (uint32, bool) {
	if len(p.units) == 0 {
		return 0, false
	}
	pos := unitOffset(p.units[0])
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == 0 {
			break
		}
		pos ^= uint32(c)
		if int(pos) >= len(p.units) {
			return 0, false
		}
		u := p.units[pos]
		if unitLabel(u) != uint32(c) {
			return 0, false
		}
		pos ^= unitOffset(u)
		if int(pos) >= len(p.units) {
			return 0, false
		}
		if unitHasLeaf(u) {
			return unitValue(p.units[pos]), true
		}
	}
	return 0, false
}

func (p *precompiledNormalizer) transform(chunk string) (string, bool) {
	v, ok := p.firstPrefix(chunk)
	if !ok || int(v) >= len(p.normalized) {
		return "", false
	}
	rest := p.normalized[v:]
	end := 0
	for end < len(rest) && rest[end] != 0 {
		end++
	}
	return string(rest[:end]), true
}

// normalize maps each grapheme cluster shorter than 6 bytes as a whole if
// the trie has it, and otherwise rune by rune, as Hugging Face does.
func (p *precompiledNormalizer) normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	state := -1
	for i := 0; i < len(s); {
		c := s[i]
		// An ASCII byte followed by ASCII (other than CR LF) is a cluster
		// of its own; skip the segmenter for it.
		if c < 0x80 && (i+1 == len(s) || s[i+1] < 0x80) && !(c == '\r' && i+1 < len(s) && s[i+1] == '\n') {
			if p.asciiOK[c] {
				b.WriteString(p.ascii[c])
			} else {
				b.WriteByte(c)
			}
			i++
			state = -1
			continue
		}
		var gr string
		gr, _, _, state = uniseg.FirstGraphemeClusterInString(s[i:], state)
		i += len(gr)
		if len(gr) < 6 {
			if n, ok := p.transform(gr); ok {
				b.WriteString(n)
				continue
			}
		}
		for j, r := range gr {
			part := gr[j : j+len(string(r))]
			if n, ok := p.transform(part); ok {
				b.WriteString(n)
			} else {
				b.WriteString(part)
			}
		}
	}
	return b.String()
}
