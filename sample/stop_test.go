package sample

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func run(stops []string, pieces ...string) (string, bool) {
	m := NewStopStrings(stops)
	var b strings.Builder
	for _, p := range pieces {
		out, stopped := m.Push(p)
		b.WriteString(out)
		if stopped {
			if !strings.Contains(strings.Join(pieces, ""), m.Matched()) || m.Matched() == "" {
				panic("Matched is not a stop string of the text")
			}
			return b.String(), true
		}
	}
	b.WriteString(m.Flush())
	return b.String(), false
}

func TestStopStrings(t *testing.T) {
	for _, c := range []struct {
		stops  []string
		pieces []string
		want   string
		stop   bool
	}{
		{[]string{"END"}, []string{"hello E", "N", "D and more"}, "hello ", true},
		{[]string{"END"}, []string{"hello E", "N", "d"}, "hello ENd", false},
		{[]string{"\n\n"}, []string{"a\n", "\nb"}, "a", true},
		{[]string{"xyz", "yq"}, []string{"x", "y", "q"}, "x", true},
		{[]string{"ab", "b"}, []string{"cab"}, "c", true},
		{[]string{"é!"}, []string{"caf", "é", "!"}, "caf", true},
		{nil, []string{"a", "b"}, "ab", false},
	} {
		got, stopped := run(c.stops, c.pieces...)
		if got != c.want || stopped != c.stop {
			t.Errorf("%q over %q: got %q stopped=%v, want %q stopped=%v", c.stops, c.pieces, got, stopped, c.want, c.stop)
		}
	}
}

// TestStopHoldBack: text that may start a stop string is not emitted until
// it is known not to, and what is emitted is always whole UTF-8.
func TestStopHoldBack(t *testing.T) {
	m := NewStopStrings([]string{"«stop»"})
	out, _ := m.Push("ab«st")
	if out != "ab" {
		t.Fatalf("emitted %q, want the part before a possible stop", out)
	}
	out, _ = m.Push("x")
	if out != "«stx" || !utf8.ValidString(out) {
		t.Fatalf("emitted %q after the match failed", out)
	}
}

// FuzzStopStrings: however the text is split into pushes, the output is
// the text up to the first stop string (or all of it).
func FuzzStopStrings(f *testing.F) {
	f.Add("hello END world", "END", uint8(3))
	f.Add("aaab", "aab", uint8(1))
	f.Add("日本語のテキスト", "のテ", uint8(2))
	f.Fuzz(func(t *testing.T, text, stop string, step uint8) {
		if stop == "" {
			return
		}
		n := int(step%7) + 1
		var pieces []string
		for i := 0; i < len(text); i += n {
			pieces = append(pieces, text[i:min(i+n, len(text))])
		}
		got, stopped := run([]string{stop}, pieces...)
		want, wantStop := text, false
		if i := strings.Index(text, stop); i >= 0 {
			want, wantStop = text[:i], true
		}
		if got != want || stopped != wantStop {
			t.Fatalf("%q / %q step %d: got %q %v, want %q %v", text, stop, n, got, stopped, want, wantStop)
		}
	})
}
