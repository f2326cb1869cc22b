package server

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/chat"
)

// streamOutput feeds text to an output in the given pieces and returns
// what the deltas add up to.
func streamOutput(o *output, pieces []string) (reasoning, content string, calls []toolCall) {
	var r, c strings.Builder
	for i, p := range pieces {
		d := o.add(p, i == len(pieces)-1)
		r.WriteString(d.reasoning)
		c.WriteString(d.content)
		for _, cd := range d.calls {
			if cd.Index == len(calls) {
				calls = append(calls, toolCall{ID: cd.ID, Type: cd.Type, Function: functionCall{Name: cd.Function.Name}})
			}
			calls[cd.Index].Function.Arguments += cd.Function.Arguments
		}
	}
	return r.String(), c.String(), calls
}

// TestOutputStreamsAddUp: however the text is cut into deltas, the
// streamed reasoning, content and tool calls equal the whole answer's.
func TestOutputStreamsAddUp(t *testing.T) {
	texts := []string{
		"<think>\nweather needed\n</think>\n\n" + hermesReply,
		hermesReply,
		"<think>only thinking, cut short",
		"Plain answer with a <tool_ mention and </think> tag.",
		"<tool_call>\n{\"name\": \"f\", \"arguments\": {\"s\": \"a } b \\\" c\", \"n\": [1, 2, {\"x\": null}]}}\n</tool_call>",
		"<tool_call>{\"name\": \"broken\", \"arguments\": {]}</tool_call> after",
		"",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, text := range texts {
		whole := &output{reasoning: &chat.ThinkTags, tools: chat.ToolCallsHermes, maxCalls: -1}
		wr, wc, wcalls := whole.result(text)
		for trial := range 20 {
			var pieces []string
			for rest := text; rest != ""; {
				n := min(len(rest), 1+rng.IntN(6))
				if trial == 0 {
					n = 1
				}
				pieces = append(pieces, rest[:n])
				rest = rest[n:]
			}
			pieces = append(pieces, "") // the finishing event
			o := &output{reasoning: &chat.ThinkTags, tools: chat.ToolCallsHermes, maxCalls: -1}
			r, c, calls := streamOutput(o, pieces)
			if strings.Contains(text, "broken") {
				// A malformed call becomes content at the end, after its
				// prefix was streamed as a call: only the content must agree.
				if c != wc {
					t.Errorf("%q: streamed content %q, whole %q", text, c, wc)
				}
				continue
			}
			if r != wr || c != wc || len(calls) != len(wcalls) {
				t.Fatalf("%q in %q: streamed %q / %q / %+v, whole %q / %q / %+v", text, pieces, r, c, calls, wr, wc, wcalls)
			}
			for i := range calls {
				if calls[i].Function != wcalls[i].Function {
					t.Errorf("%q: call %d streamed %+v, whole %+v", text, i, calls[i].Function, wcalls[i].Function)
				}
			}
		}
	}
}
