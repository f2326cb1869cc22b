package server

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/ferrum-go/ferrum/chat"
)

// output turns one choice's generated text into what the chat API
// returns: reasoning, content and tool calls. While streaming it re-splits
// the whole text after every delta and sends only what grew since the last
// time, so the streamed pieces always add up to the non-streamed answer;
// chat.Reasoning.Split and chat.ParseToolCalls hold back what is not yet
// certain.
type output struct {
	reasoning *chat.Reasoning // nil: no reasoning section
	open      bool            // the prompt opened the reasoning section
	tools     chat.ToolCallFormat
	maxCalls  int // -1: any number (parallel_tool_calls false makes it 1)

	text     strings.Builder
	sentR    int
	sentC    string
	sentCall []sentCall
}

type sentCall struct {
	id    string
	named bool
	args  string // the arguments sent so far
}

// outDelta is what one step adds.
type outDelta struct {
	reasoning, content string
	calls              []toolCallDelta
}

type toolCallDelta struct {
	Index    int           `json:"index"`
	ID       string        `json:"id,omitempty"`
	Type     string        `json:"type,omitempty"`
	Function functionDelta `json:"function"`
}

type functionDelta struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

func (o *output) plain() bool { return o.reasoning == nil && o.tools == "" }

// add appends generated text and returns what can be sent now; final says
// the choice has ended.
func (o *output) add(delta string, final bool) outDelta {
	if o.plain() {
		return outDelta{content: delta}
	}
	o.text.WriteString(delta)
	r, content, calls := o.split(final)
	var d outDelta
	if len(r) > o.sentR {
		d.reasoning = r[o.sentR:]
		o.sentR = len(r)
	}
	if strings.HasPrefix(content, o.sentC) {
		d.content = content[len(o.sentC):]
		o.sentC = content
	}
	for i, c := range calls {
		if i == len(o.sentCall) {
			if c.Name == "" {
				break
			}
			o.sentCall = append(o.sentCall, sentCall{id: newCallID()})
		}
		s := &o.sentCall[i]
		cd := toolCallDelta{Index: i}
		if !s.named {
			cd.ID, cd.Type, cd.Function.Name = s.id, "function", c.Name
			s.named = true
		}
		if len(c.Arguments) > len(s.args) && strings.HasPrefix(c.Arguments, s.args) {
			cd.Function.Arguments = c.Arguments[len(s.args):]
			s.args = c.Arguments
		}
		if cd.ID != "" || cd.Function.Arguments != "" {
			d.calls = append(d.calls, cd)
		}
	}
	return d
}

func (o *output) split(final bool) (reasoning, content string, calls []chat.ParsedToolCall) {
	content = o.text.String()
	if o.reasoning != nil {
		reasoning, content = o.reasoning.Split(content, o.open, final)
	}
	if o.tools != "" {
		content, calls = chat.ParseToolCalls(o.tools, content, final)
		if o.maxCalls >= 0 && len(calls) > o.maxCalls {
			calls = calls[:o.maxCalls]
		}
	}
	return reasoning, content, calls
}

// calledTools reports whether a tool call has been streamed.
func (o *output) calledTools() bool { return len(o.sentCall) > 0 }

// result is the whole answer of a choice that has ended; call ids are
// those already streamed, new ones for the rest.
func (o *output) result(text string) (reasoning, content string, calls []toolCall) {
	if o.plain() {
		return "", text, nil
	}
	o.text.Reset()
	o.text.WriteString(text)
	reasoning, content, parsed := o.split(true)
	for i, c := range parsed {
		id := ""
		if i < len(o.sentCall) {
			id = o.sentCall[i].id
		} else {
			id = newCallID()
		}
		calls = append(calls, toolCall{ID: id, Type: "function", Function: functionCall{Name: c.Name, Arguments: c.Arguments}})
	}
	return reasoning, content, calls
}

type toolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function functionCall `json:"function"`
}

type functionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

func newCallID() string { return "call_" + randomHex(12) }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
