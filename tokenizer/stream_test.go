package tokenizer

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestStreamDecoder checks the streaming properties directly (TestGoldens
// compares every piece with HF's DecodeStream on the corpus).
func TestStreamDecoder(t *testing.T) {
	text := "Hello 𠀀𠀁 wörld 👨‍👩‍👧 中文 \u0301x"
	for _, name := range goldenTokenizers {
		tk := loadTestTokenizer(t, name)
		ids := tk.Encode(text, true)
		want := tk.Decode(ids, true)
		d := tk.NewStreamDecoder(true)
		var got strings.Builder
		for _, id := range ids {
			piece := d.Add(id)
			if !utf8.ValidString(piece) || strings.Contains(piece, "\uFFFD") {
				t.Errorf("%s: emitted a broken piece %q", name, piece)
			}
			got.WriteString(piece)
		}
		if got.String() != want {
			t.Errorf("%s: stream %q != decode %q", name, got.String(), want)
		}
	}
	// SentencePiece: the first word's ▁ is dropped, later ones become spaces.
	l2 := loadTestTokenizer(t, "llama2")
	d := l2.NewStreamDecoder(false)
	var pieces []string
	for _, id := range l2.Encode("Hello world", true) {
		pieces = append(pieces, d.Add(id))
	}
	if !slices.Equal(pieces, []string{"<s>", " Hello", " world"}) {
		t.Errorf("llama2 pieces %q", pieces)
	}
	// A 4-byte character spread over byte tokens comes out whole, at once.
	q := loadTestTokenizer(t, "qwen3")
	ids := q.Encode("𠀀", false)
	if len(ids) < 2 {
		t.Fatalf("want a multi-token character, got %v", ids)
	}
	d = q.NewStreamDecoder(false)
	for i, id := range ids {
		out := d.Add(id)
		if i < len(ids)-1 && out != "" || i == len(ids)-1 && out != "𠀀" {
			t.Errorf("piece %d: %q", i, out)
		}
	}
}

func TestStreamFlush(t *testing.T) {
	q := loadTestTokenizer(t, "qwen3")
	ids := q.Encode("ok𠀀", false)
	ids = ids[:len(ids)-1] // cut the character's last byte token
	d := q.NewStreamDecoder(false)
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(d.Add(id))
	}
	if b.String() != "ok" {
		t.Fatalf("before flush %q", b.String())
	}
	b.WriteString(d.Flush())
	if want := q.Decode(ids, false); b.String() != want || !strings.HasSuffix(want, "\uFFFD") {
		t.Errorf("after flush %q, decode %q", b.String(), want)
	}
	if d.Flush() != "" {
		t.Error("second flush not empty")
	}
}

func TestTokenBytes(t *testing.T) {
	text := "Hello wörld 𠀀 😀!"
	for _, name := range []string{"qwen3", "llama3", "llama2", "unigram-bf"} {
		tk := loadTestTokenizer(t, name)
		ids := tk.Encode(text, false)
		var b []byte
		for _, id := range ids {
			b = append(b, tk.TokenBytes(id)...)
		}
		want := tk.Decode(ids, false)
		if name == "llama2" || name == "unigram-bf" {
			want = " " + want // the decoders drop the first word's space
		}
		if string(b) != want {
			t.Errorf("%s: token bytes %q, decode %q", name, b, want)
		}
	}
	if loadTestTokenizer(t, "qwen3").TokenBytes(-1) != nil {
		t.Error("unknown id")
	}
}
