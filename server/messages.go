package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ferrum-go/ferrum/chat"
)

// wireMessage is a chat message as clients send it.
type wireMessage struct {
	Role             string          `json:"role"`
	Content          json.RawMessage `json:"content"`
	ReasoningContent *string         `json:"reasoning_content"`
	Reasoning        *string         `json:"reasoning"`
	Name             string          `json:"name"`
	ToolCalls        []wireToolCall  `json:"tool_calls"`
	ToolCallID       string          `json:"tool_call_id"`
}

type wireToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

type wirePart struct {
	Type string  `json:"type"`
	Text *string `json:"text"`
}

var roles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true, "function": true}

// toChat validates the messages and converts them for the template. Text
// parts are joined with newlines (templates expect a string); other parts
// are rejected. A tool call's arguments given as a JSON string (OpenAI's
// wire form) are passed as the object they encode, since templates such as
// Llama 3's print them with tojson. "developer" becomes "system".
func toChat(msgs []wireMessage) ([]chat.Message, *apiError) {
	if len(msgs) == 0 {
		return nil, badRequest("messages", "messages must not be empty")
	}
	out := make([]chat.Message, len(msgs))
	for i, m := range msgs {
		field := fmt.Sprintf("messages[%d]", i)
		if !roles[m.Role] {
			return nil, badRequest(field+".role", "%s.role: %q is not one of system, developer, user, assistant, tool", field, m.Role)
		}
		c, err := messageContent(field+".content", m.Content)
		if err != nil {
			return nil, err
		}
		if c.Null {
			if m.Role != "assistant" {
				return nil, badRequest(field+".content", "%s.content is required for role %s", field, m.Role)
			}
			// Templates test and split content as a string (Qwen3's does
			// '</think>' in content); vLLM passes "" too.
			c = chat.Text("")
		}
		cm := chat.Message{Role: m.Role, Content: c, Name: m.Name, ToolCallID: m.ToolCallID}
		if cm.Role == "developer" {
			cm.Role = "system"
		}
		if m.ReasoningContent != nil {
			cm.ReasoningContent = *m.ReasoningContent
		} else if m.Reasoning != nil {
			cm.ReasoningContent = *m.Reasoning
		}
		for j, tc := range m.ToolCalls {
			f := fmt.Sprintf("%s.tool_calls[%d]", field, j)
			if tc.Function.Name == "" {
				return nil, badRequest(f+".function.name", "%s.function.name is required", f)
			}
			args := bytes.TrimSpace(tc.Function.Arguments)
			var s string
			if len(args) > 0 && args[0] == '"' && json.Unmarshal(args, &s) == nil {
				if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
					args = []byte(t)
				}
			}
			typ := tc.Type
			if typ == "" {
				typ = "function"
			}
			cm.ToolCalls = append(cm.ToolCalls, chat.ToolCall{ID: tc.ID, Type: typ,
				Function: chat.FunctionCall{Name: tc.Function.Name, Arguments: json.RawMessage(args)}})
		}
		out[i] = cm
	}
	return out, nil
}

func messageContent(field string, raw json.RawMessage) (chat.Content, *apiError) {
	if isNull(raw) {
		return chat.Content{Null: true}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return chat.Text(s), nil
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil {
		return chat.Content{}, badRequest(field, "%s: expected a string or an array of content parts, got %s", field, jsonKind(raw))
	}
	var texts []string
	for j, p := range parts {
		f := fmt.Sprintf("%s[%d]", field, j)
		var part wirePart
		if err := json.Unmarshal(p, &part); err != nil {
			return chat.Content{}, badRequest(f, "%s: expected a content part object, got %s", f, jsonKind(p))
		}
		switch part.Type {
		case "text", "input_text":
			if part.Text == nil {
				return chat.Content{}, badRequest(f+".text", "%s.text is required", f)
			}
			texts = append(texts, *part.Text)
		case "":
			return chat.Content{}, badRequest(f+".type", "%s.type is required", f)
		default:
			return chat.Content{}, badRequest(f+".type", "%s.type %q is not supported: this server takes text only", f, part.Type)
		}
	}
	return chat.Text(strings.Join(texts, "\n")), nil
}

// wireTool is a tool definition; only functions exist.
type wireTool struct {
	Type     string `json:"type"`
	Function *struct {
		Name string `json:"name"`
	} `json:"function"`
}

// checkTools validates tools and returns them as given (key order kept
// for the template) with their names.
func checkTools(tools []json.RawMessage) ([]json.RawMessage, []string, *apiError) {
	var names []string
	for i, raw := range tools {
		f := fmt.Sprintf("tools[%d]", i)
		var t wireTool
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, nil, badRequest(f, "%s: expected a tool object {\"type\": \"function\", \"function\": {...}}", f)
		}
		if t.Type != "function" {
			return nil, nil, badRequest(f+".type", "%s.type %q is not supported (only function)", f, t.Type)
		}
		if t.Function == nil || t.Function.Name == "" {
			return nil, nil, badRequest(f+".function.name", "%s.function.name is required", f)
		}
		names = append(names, t.Function.Name)
	}
	return tools, names, nil
}

// toolChoice is tool_choice: "none", "auto", "required", or a function.
type toolChoice struct {
	mode string // none, auto, required, function
	name string
}

func parseToolChoice(raw json.RawMessage, haveTools bool) (toolChoice, *apiError) {
	def := toolChoice{mode: "none"}
	if haveTools {
		def.mode = "auto"
	}
	if isNull(raw) {
		return def, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "none", "auto", "required":
			if s != "none" && !haveTools {
				return def, badRequest("tool_choice", "tool_choice %q needs tools", s)
			}
			return toolChoice{mode: s}, nil
		}
		return def, badRequest("tool_choice", "tool_choice %q is not one of none, auto, required", s)
	}
	var obj struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil || obj.Type != "function" || obj.Function.Name == "" {
		return def, badRequest("tool_choice", `tool_choice must be "none", "auto", "required" or {"type": "function", "function": {"name": ...}}`)
	}
	if !haveTools {
		return def, badRequest("tool_choice", "tool_choice names function %q but no tools are given", obj.Function.Name)
	}
	return toolChoice{mode: "function", name: obj.Function.Name}, nil
}
