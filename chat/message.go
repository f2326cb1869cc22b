package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Message is one chat turn in OpenAI's shape. Fields left empty are absent from the template's
// message dict (so `message.tool_calls is defined` is false), except Content, which is always
// present: a string, a list of parts, or None.
type Message struct {
	Role             string     `json:"role"`
	Content          Content    `json:"content"`
	ReasoningContent string     `json:"reasoning_content,omitempty"`
	Name             string     `json:"name,omitempty"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID       string     `json:"tool_call_id,omitempty"`
}

// Content is a message body: Text, or Parts when non-nil, or None when Null.
type Content struct {
	Text  string
	Parts []ContentPart
	Null  bool
}

// Text returns a plain-text Content.
func Text(s string) Content { return Content{Text: s} }

// ContentPart is one element of a list-valued content, e.g. {"type": "text", "text": "hi"}.
type ContentPart struct {
	Type     string          `json:"type"`
	Text     string          `json:"text,omitempty"`
	ImageURL json.RawMessage `json:"image_url,omitempty"`
}

// ToolCall is an assistant's call of a tool.
type ToolCall struct {
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type"`
	Function FunctionCall `json:"function"`
}

// FunctionCall names the function and carries its arguments as given: a JSON object, or a JSON
// string holding serialized arguments (OpenAI's wire form). Templates see either as is.
type FunctionCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// MarshalJSON writes a string, an array of parts, or null.
func (c Content) MarshalJSON() ([]byte, error) {
	switch {
	case c.Null:
		return []byte("null"), nil
	case c.Parts != nil:
		return json.Marshal(c.Parts)
	}
	return json.Marshal(c.Text)
}

// UnmarshalJSON accepts a string, an array of parts, or null.
func (c *Content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*c = Content{}
	switch {
	case bytes.Equal(b, []byte("null")):
		c.Null = true
		return nil
	case len(b) > 0 && b[0] == '[':
		c.Parts = []ContentPart{}
		return json.Unmarshal(b, &c.Parts)
	}
	return json.Unmarshal(b, &c.Text)
}

func (m *Message) value() (Value, error) {
	c := *m
	c.ToolCalls = append([]ToolCall(nil), m.ToolCalls...)
	for i, tc := range c.ToolCalls {
		if len(tc.Function.Arguments) == 0 { // absent arguments would not marshal
			c.ToolCalls[i].Function.Arguments = json.RawMessage("{}")
		}
	}
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encoding message: %w", err)
	}
	return FromJSON(b)
}
