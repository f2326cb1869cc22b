package tokenizer

import "strings"

// StreamDecoder turns ids into text one at a time, the way Hugging Face's
// DecodeStream does: it re-decodes a short window of recent ids and emits
// only the new suffix, and only once that suffix does not end in U+FFFD, so
// a multi-byte character split over byte tokens comes out whole and
// SentencePiece's leading-space rules see the same context as a full
// decode. Concatenating everything Add returns gives Decode of all ids
// (unless the text itself ends in U+FFFD, which is held back as incomplete
// until the next id).
type StreamDecoder struct {
	t           *Tokenizer
	skipSpecial bool
	ids         []int
	prefix      string
	prefixIndex int
}

// NewStreamDecoder starts a stream.
func (t *Tokenizer) NewStreamDecoder(skipSpecial bool) *StreamDecoder {
	return &StreamDecoder{t: t, skipSpecial: skipSpecial}
}

// Add feeds one id and returns the text it completes ("" if none yet).
func (d *StreamDecoder) Add(id int) string {
	if d.prefix == "" && len(d.ids) > 0 {
		p := d.t.Decode(d.ids, d.skipSpecial)
		if !strings.HasSuffix(p, "\uFFFD") {
			d.prefix = p
			d.prefixIndex = len(d.ids)
		}
	}
	d.ids = append(d.ids, id)
	s := d.t.Decode(d.ids, d.skipSpecial)
	if len(s) <= len(d.prefix) || strings.HasSuffix(s, "\uFFFD") {
		return ""
	}
	if !strings.HasPrefix(s, d.prefix) {
		// Hugging Face reports an error here; a decoder whose output for a
		// longer window does not extend the shorter one cannot stream, so
		// restart the window at this id.
		d.ids = append(d.ids[:0], id)
		d.prefix, d.prefixIndex = "", 0
		return ""
	}
	out := s[len(d.prefix):]
	newPrefixIndex := len(d.ids) - d.prefixIndex
	d.ids = append(d.ids[:0], d.ids[d.prefixIndex:]...)
	d.prefix = d.t.Decode(d.ids, d.skipSpecial)
	d.prefixIndex = newPrefixIndex
	return out
}

// Flush returns whatever Add held back (text ending in U+FFFD: bytes of a
// character that never completed), for the end of a stream. After Flush
// the concatenation of all returned text equals Decode of all ids.
func (d *StreamDecoder) Flush() string {
	if len(d.ids) == 0 {
		return ""
	}
	s := d.t.Decode(d.ids, d.skipSpecial)
	if len(s) <= len(d.prefix) || !strings.HasPrefix(s, d.prefix) {
		return ""
	}
	out := s[len(d.prefix):]
	d.prefix = s
	return out
}
