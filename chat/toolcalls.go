package chat

import (
	"encoding/json"
	"strings"
)

// ToolCallFormat is how a model writes the tools it calls.
type ToolCallFormat string

const (
	// ToolCallsHermes is Qwen2.5/Qwen3's and Hermes' format: each call a
	// JSON object {"name": ..., "arguments": {...}} between <tool_call> and
	// </tool_call>, possibly after some text.
	ToolCallsHermes ToolCallFormat = "hermes"
	// ToolCallsLlama3JSON is Llama 3.1-3.3's JSON format: the whole answer
	// is {"name": ..., "parameters": {...}} (several separated by ";"),
	// optionally after <|python_tag|>.
	ToolCallsLlama3JSON ToolCallFormat = "llama3_json"
)

const (
	hermesStart = "<tool_call>"
	hermesEnd   = "</tool_call>"
	pythonTag   = "<|python_tag|>"
)

// DetectToolCallFormat guesses the format from a chat template's text: the
// markers its tool instructions tell the model to write. It returns "" when
// the template shows no known format.
func DetectToolCallFormat(template string) ToolCallFormat {
	switch {
	case strings.Contains(template, hermesStart):
		return ToolCallsHermes
	case strings.Contains(template, pythonTag),
		strings.Contains(template, `"parameters": dictionary of argument name and its value`):
		return ToolCallsLlama3JSON
	}
	return ""
}

// ParsedToolCall is one tool call found in a model's output. Arguments is
// JSON text (an object, as the model wrote it); while the output is still
// growing it may be an unfinished prefix of it, and Name is "" until the
// name is known.
type ParsedToolCall struct {
	Name      string
	Arguments string
}

// ParseToolCalls finds the tool calls in a model's answer and returns the
// text around them as content. With final false the text is still growing:
// what might become a call is held back from content, a call's name comes
// once it is complete and its arguments grow as they arrive, so successive
// calls return content and arguments that extend the previous ones (except
// that a call that turns out malformed at the end becomes content again).
//
// A call whose JSON is malformed stays text in the content, as do calls of
// an unknown format.
func ParseToolCalls(format ToolCallFormat, text string, final bool) (content string, calls []ParsedToolCall) {
	switch format {
	case ToolCallsHermes:
		return parseHermes(text, final)
	case ToolCallsLlama3JSON:
		return parseLlama3JSON(text, final)
	}
	return text, nil
}

func parseHermes(text string, final bool) (string, []ParsedToolCall) {
	var content strings.Builder
	var calls []ParsedToolCall
	pos := 0
	for {
		i := strings.Index(text[pos:], hermesStart)
		if i < 0 {
			rest := text[pos:]
			if !final {
				rest = rest[:len(rest)-partialSuffix(rest, hermesStart)]
			}
			content.WriteString(rest)
			break
		}
		content.WriteString(text[pos : pos+i])
		bodyStart := pos + i + len(hermesStart)
		j := strings.Index(text[bodyStart:], hermesEnd)
		var body string
		closed := j >= 0
		if closed {
			body = text[bodyStart : bodyStart+j]
		} else {
			body = text[bodyStart:]
			if !final {
				body = body[:len(body)-partialSuffix(body, hermesEnd)]
			}
		}
		if closed || final {
			if c, ok := parseCallObject(body); ok {
				calls = append(calls, c)
			} else {
				// Malformed: the block stays text.
				end := len(text)
				if closed {
					end = bodyStart + j + len(hermesEnd)
				}
				content.WriteString(text[pos+i : end])
			}
		} else {
			// Still arriving: report what is certain so far.
			if c, ok := partialCall(body); ok {
				calls = append(calls, c)
			}
			break
		}
		if !closed {
			break
		}
		pos = bodyStart + j + len(hermesEnd)
	}
	out := content.String()
	if len(calls) > 0 || !final {
		// Whitespace around calls is layout, not an answer; while growing it
		// is held back since a call may follow.
		out = strings.TrimRight(out, " \t\r\n")
	}
	return out, calls
}

func parseLlama3JSON(text string, final bool) (string, []ParsedToolCall) {
	rest := strings.TrimLeft(text, " \t\r\n")
	if !final && (rest == "" || strings.HasPrefix(pythonTag, rest)) {
		return "", nil // the tag may be arriving
	}
	rest = strings.TrimLeft(strings.TrimPrefix(rest, pythonTag), " \t\r\n")
	if !strings.HasPrefix(rest, "{") {
		if !final && rest == "" {
			return "", nil
		}
		return text, nil
	}
	if final {
		calls, ok := parseCallSequence(rest)
		if !ok {
			return text, nil
		}
		return "", calls
	}
	// Growing: complete calls, then the one still arriving. Until it is
	// clear that the answer is not a call, nothing is content.
	var calls []ParsedToolCall
	for {
		end, complete := scanValue(rest, 0)
		if !complete {
			if c, ok := partialCall(rest); ok {
				calls = append(calls, c)
			}
			return "", calls
		}
		c, ok := parseCallObject(rest[:end])
		if !ok {
			return "", calls // decided at the end
		}
		calls = append(calls, c)
		rest = strings.TrimLeft(rest[end:], " \t\r\n")
		rest = strings.TrimLeft(strings.TrimPrefix(rest, ";"), " \t\r\n")
		if rest == "" {
			return "", calls
		}
	}
}

// parseCallSequence parses calls separated by ";" (and whitespace) that
// make up all of s.
func parseCallSequence(s string) ([]ParsedToolCall, bool) {
	var calls []ParsedToolCall
	for s != "" {
		end, complete := scanValue(s, 0)
		if !complete {
			return nil, false
		}
		c, ok := parseCallObject(s[:end])
		if !ok {
			return nil, false
		}
		calls = append(calls, c)
		s = strings.TrimLeft(s[end:], " \t\r\n")
		if strings.HasPrefix(s, ";") {
			s = strings.TrimLeft(s[1:], " \t\r\n")
		}
	}
	return calls, len(calls) > 0
}

// parseCallObject parses a complete call object. The arguments are kept as
// the model wrote them when the object reads in the usual order (so they
// equal what partialCall streamed), else re-encoded; arguments given as a
// JSON string holding JSON are unwrapped.
func parseCallObject(body string) (ParsedToolCall, bool) {
	var obj struct {
		Name       *string         `json:"name"`
		Arguments  json.RawMessage `json:"arguments"`
		Parameters json.RawMessage `json:"parameters"`
	}
	if err := json.Unmarshal([]byte(body), &obj); err != nil || obj.Name == nil || *obj.Name == "" {
		return ParsedToolCall{}, false
	}
	args := obj.Arguments
	if args == nil {
		args = obj.Parameters
	}
	c := ParsedToolCall{Name: *obj.Name}
	if h, st := callHeader(body); st == headerMatch {
		if end, complete := scanValue(body, h.valueStart); complete {
			c.Arguments = body[h.valueStart:end]
		}
	}
	if c.Arguments == "" {
		c.Arguments = string(args)
	}
	switch {
	case args == nil || string(args) == "null":
		c.Arguments = "{}"
	case args[0] == '"':
		var s string
		if json.Unmarshal(args, &s) == nil && json.Valid([]byte(s)) {
			c.Arguments = s
		}
	}
	return c, true
}

// partialCall reports what is certain about a call object still arriving:
// its name once the header {"name": "...", "arguments": is complete, and
// the arguments written so far (when they are an object or array; a string
// value is unwrapped only once complete).
func partialCall(body string) (ParsedToolCall, bool) {
	h, st := callHeader(body)
	if st != headerMatch {
		return ParsedToolCall{}, false
	}
	c := ParsedToolCall{Name: h.name}
	v := body[h.valueStart:]
	if v == "" || (v[0] != '{' && v[0] != '[') {
		return c, true
	}
	end, complete := scanValue(body, h.valueStart)
	if complete {
		v = body[h.valueStart:end]
	}
	c.Arguments = strings.TrimRight(v, " \t\r\n")
	return c, true
}

type headerState int

const (
	headerMore  headerState = iota // the text ends before it can tell
	headerMatch                    // {"name": "...", "arguments"|"parameters":
	headerFail                     // the object does not start that way
)

type header struct {
	name       string
	valueStart int
}

// callHeader matches the start of a call object, {"name": "N",
// "arguments": (or "parameters"), with any whitespace, and says where the
// arguments' value starts (after the whitespace following the colon).
func callHeader(s string) (header, headerState) {
	var h header
	i := 0
	ws := func() {
		for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
			i++
		}
	}
	lit := func(c byte) headerState {
		ws()
		if i == len(s) {
			return headerMore
		}
		if s[i] != c {
			return headerFail
		}
		i++
		return headerMatch
	}
	str := func() (string, headerState) {
		ws()
		if i == len(s) {
			return "", headerMore
		}
		if s[i] != '"' {
			return "", headerFail
		}
		end, complete := scanValue(s, i)
		if !complete {
			return "", headerMore
		}
		var v string
		if json.Unmarshal([]byte(s[i:end]), &v) != nil {
			return "", headerFail
		}
		i = end
		return v, headerMatch
	}
	if st := lit('{'); st != headerMatch {
		return h, st
	}
	key, st := str()
	if st != headerMatch {
		return h, st
	}
	if key != "name" {
		return h, headerFail
	}
	if st := lit(':'); st != headerMatch {
		return h, st
	}
	if h.name, st = str(); st != headerMatch {
		return h, st
	}
	if st := lit(','); st != headerMatch {
		return h, st
	}
	if key, st = str(); st != headerMatch {
		return h, st
	}
	if key != "arguments" && key != "parameters" {
		return h, headerFail
	}
	if st := lit(':'); st != headerMatch {
		return h, st
	}
	ws()
	if i == len(s) {
		return h, headerMore
	}
	h.valueStart = i
	return h, headerMatch
}

// scanValue finds the end of the JSON value starting at s[start] (after
// any whitespace): the index just past it, and whether it is complete
// within s. It checks nesting and strings, not full JSON syntax.
func scanValue(s string, start int) (end int, complete bool) {
	i := start
	for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
		i++
	}
	if i == len(s) {
		return len(s), false
	}
	depth := 0
	inString, escaped := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if depth == 0 {
					return i + 1, true
				}
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth <= 0 {
				return i + 1, depth == 0
			}
		default:
			// A bare literal (number, true, ...) at the top ends at a delimiter.
			if depth == 0 && strings.IndexByte(" \t\r\n,;", c) >= 0 {
				return i, true
			}
		}
	}
	return len(s), false
}
