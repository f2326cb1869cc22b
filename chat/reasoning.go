package chat

import "strings"

// Reasoning marks the section in which a model thinks before it answers,
// such as Qwen3's and DeepSeek-R1's <think>…</think>. Servers return that
// section as reasoning_content and the rest as the answer.
type Reasoning struct {
	Start, End string
}

// ThinkTags is the <think>…</think> section of Qwen3, QwQ and DeepSeek-R1.
var ThinkTags = Reasoning{Start: "<think>", End: "</think>"}

// OpenAtEnd reports whether prompt leaves a reasoning section open, as
// templates do that write the opening tag themselves (DeepSeek-R1, Qwen3's
// thinking variants): the output then starts inside the section.
func (r Reasoning) OpenAtEnd(prompt string) bool {
	start := strings.LastIndex(prompt, r.Start)
	return start >= 0 && strings.LastIndex(prompt, r.End) < start
}

// Split separates a model's output into its reasoning and its answer.
// open says the prompt already opened the section (OpenAtEnd). Without it,
// only an output that starts (after whitespace) with the opening tag has a
// reasoning section. The whitespace between the closing tag and the answer
// is dropped.
//
// While the output is still growing (final false), whatever might turn out
// to be part of a tag, and whitespace that might precede the answer, is
// held back, so successive calls on a growing text return growing
// reasoning and answer strings, each a prefix of the next: a stream can
// send the differences.
func (r Reasoning) Split(text string, open, final bool) (reasoning, content string) {
	if !open {
		rest := strings.TrimLeft(text, " \t\r\n")
		switch {
		case strings.HasPrefix(rest, r.Start):
			text = rest[len(r.Start):]
		case !final && strings.HasPrefix(r.Start, rest):
			return "", "" // nothing yet, or the opening tag still arriving
		default:
			return "", text
		}
	}
	end := strings.Index(text, r.End)
	if end < 0 {
		if final {
			// A section cut short (max_tokens) is all reasoning: it is what
			// a stream has shown as reasoning.
			return text, ""
		}
		return text[:len(text)-partialSuffix(text, r.End)], ""
	}
	content = strings.TrimLeft(text[end+len(r.End):], " \t\r\n")
	return text[:end], content
}

// partialSuffix is the length of the longest suffix of s that is a proper
// prefix of tag: text that could still become the tag.
func partialSuffix(s, tag string) int {
	for n := min(len(s), len(tag)-1); n > 0; n-- {
		if strings.HasSuffix(s, tag[:n]) {
			return n
		}
	}
	return 0
}
