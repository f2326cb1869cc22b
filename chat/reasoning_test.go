package chat

import (
	"strings"
	"testing"
)

func TestReasoningSplit(t *testing.T) {
	cases := []struct {
		text        string
		open        bool
		reasoning   string
		content     string
		partialR    string // with final false
		partialC    string
		skipPartial bool
	}{
		{text: "<think>\nLet me see.\n</think>\n\nParis.", reasoning: "\nLet me see.\n", content: "Paris.",
			partialR: "\nLet me see.\n", partialC: "Paris."},
		{text: "Paris.", content: "Paris.", partialC: "Paris."},
		{text: "  \n<think>x</think>y", reasoning: "x", content: "y", partialR: "x", partialC: "y"},
		{text: "<think>cut short", reasoning: "cut short", partialR: "cut short"},
		{text: "<think>abc</thi", reasoning: "abc</thi", partialR: "abc"},
		{text: "<thi", content: "<thi"},
		{text: "", content: ""},
		{text: "reasoning</think>answer", open: true, reasoning: "reasoning", content: "answer",
			partialR: "reasoning", partialC: "answer"},
		{text: "no end", open: true, reasoning: "no end", partialR: "no end"},
		{text: "<think></think>\n\n", content: ""},
		{text: "a<think>b</think>", content: "a<think>b</think>", partialC: "a<think>b</think>"},
	}
	for _, c := range cases {
		r, ct := ThinkTags.Split(c.text, c.open, true)
		if r != c.reasoning || ct != c.content {
			t.Errorf("Split(%q, open=%v, final) = %q, %q; want %q, %q", c.text, c.open, r, ct, c.reasoning, c.content)
		}
		r, ct = ThinkTags.Split(c.text, c.open, false)
		if r != c.partialR || ct != c.partialC {
			t.Errorf("Split(%q, open=%v, growing) = %q, %q; want %q, %q", c.text, c.open, r, ct, c.partialR, c.partialC)
		}
	}
}

func TestReasoningOpenAtEnd(t *testing.T) {
	for prompt, want := range map[string]bool{
		"<|im_start|>assistant\n<think>\n":               true,
		"<|im_start|>assistant\n<think>\n\n</think>\n\n": false,
		"<|im_start|>assistant\n":                        false,
		"<think>a</think> then <think>":                  true,
	} {
		if got := ThinkTags.OpenAtEnd(prompt); got != want {
			t.Errorf("OpenAtEnd(%q) = %v", prompt, got)
		}
	}
}

// checkGrowing asserts the streaming contract: for every prefix of text,
// the split of the prefix extends the split of the previous prefix, and
// the final split extends the last growing one.
func checkGrowing(t *testing.T, text string, open bool) {
	t.Helper()
	var pr, pc string
	step := func(prefix string, final bool) {
		r, c := ThinkTags.Split(prefix, open, final)
		if !strings.HasPrefix(r, pr) || !strings.HasPrefix(c, pc) {
			t.Fatalf("Split of %q (final=%v) = %q, %q does not extend %q, %q", prefix, final, r, c, pr, pc)
		}
		pr, pc = r, c
	}
	for k := 0; k <= len(text); k++ {
		step(text[:k], false)
	}
	step(text, true)
}

func TestReasoningGrowing(t *testing.T) {
	for _, text := range []string{
		"<think>\nLet me see.\n</think>\n\nParis.",
		"  <think>a</thin</think>  b ",
		"<thx",
		"plain answer",
		"<think>unfinished </th",
	} {
		checkGrowing(t, text, false)
		checkGrowing(t, text, true)
	}
}

func FuzzReasoningSplit(f *testing.F) {
	for _, s := range []string{"<think>a</think>b", "</think>", "<think>", " <thi", "x"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, open bool) {
		if len(text) > 200 {
			return
		}
		checkGrowing(t, text, open)
		r, c := ThinkTags.Split(text, open, true)
		if len(r)+len(c) > len(text) {
			t.Fatalf("split of %q longer than the text: %q, %q", text, r, c)
		}
	})
}
