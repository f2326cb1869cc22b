package hub

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressTerminalRedrawsInPlace(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf)
	p.tty = true
	now := time.Unix(0, 0)
	p.now = func() time.Time { return now }
	p.start = now
	a := p.add("model.safetensors", 1000)
	b := p.add("config.json", 10)
	a.setState(barActive)
	a.addBytes(500)
	p.render(false)
	first := buf.String()
	if !strings.Contains(first, "model.safetensors") || !strings.Contains(first, "50%") || !strings.Contains(first, "total") {
		t.Fatalf("first frame:\n%s", first)
	}
	buf.Reset()
	b.setBytes(10)
	b.setState(barDone)
	now = now.Add(time.Second)
	p.render(false)
	second := buf.String()
	if !strings.HasPrefix(second, "\x1b[2A") || !strings.Contains(second, "config.json") || !strings.Contains(second, "done") {
		t.Fatalf("second frame %q", second)
	}
	buf.Reset()
	p.render(false)
	if strings.Count(buf.String(), "config.json") != 0 {
		t.Fatal("a finished file was printed twice")
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_500_000: "1.5 MB", 7_650_000_000: "7.7 GB", -1: "?"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	for in, want := range map[string][2]int64{"bytes 10-99/100": {10, 100}, "bytes 0-0/*": {0, -1}} {
		s, n, ok := parseContentRange(in)
		if !ok || s != want[0] || n != want[1] {
			t.Errorf("%q: %d %d %v", in, s, n, ok)
		}
	}
	for _, in := range []string{"", "bytes", "bytes x-1/2", "items 1-2/3", "bytes -1-2/3"} {
		if _, _, ok := parseContentRange(in); ok {
			t.Errorf("%q parsed", in)
		}
	}
}

func TestBarLinesFitEightyColumns(t *testing.T) {
	p := &progress{now: func() time.Time { return time.Unix(100, 0) }, start: time.Unix(0, 0)}
	for _, l := range []string{
		barLine("model-00001-of-00004.safetensors", 123_456_789_012, 999_999_999_999),
		barLine("total", 999_999_999_999, 999_999_999_999) + p.rate(999_999_999_999),
	} {
		if n := len([]rune(l)); n > 79 {
			t.Errorf("%d columns: %q", n, l)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 10-99/100", "bytes 0-0/*", "bytes -1-2/3", "bytes 5-/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, size, ok := parseContentRange(s)
		if ok && (start < 0 || size < -1) {
			t.Fatalf("%q -> %d %d", s, start, size)
		}
	})
}
