package chat

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseToolCalls(t *testing.T) {
	cases := []struct {
		name    string
		format  ToolCallFormat
		text    string
		content string
		calls   []ParsedToolCall
	}{
		{"hermes one", ToolCallsHermes,
			"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
			"", []ParsedToolCall{{"get_weather", `{"city": "Paris"}`}}},
		{"hermes text first, two calls", ToolCallsHermes,
			"Let me check.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {\"x\": [1, {\"y\": \"}\"}]}}\n</tool_call>",
			"Let me check.", []ParsedToolCall{{"a", `{}`}, {"b", `{"x": [1, {"y": "}"}]}`}}},
		{"hermes unclosed at the end", ToolCallsHermes,
			"<tool_call>\n{\"name\": \"a\", \"arguments\": {\"q\": 1}}",
			"", []ParsedToolCall{{"a", `{"q": 1}`}}},
		{"hermes malformed stays text", ToolCallsHermes,
			"Hi <tool_call>{\"name\": oops}</tool_call>",
			"Hi <tool_call>{\"name\": oops}</tool_call>", nil},
		{"hermes arguments first", ToolCallsHermes,
			"<tool_call>{\"arguments\": {\"k\": \"v\"}, \"name\": \"f\"}</tool_call>",
			"", []ParsedToolCall{{"f", `{"k": "v"}`}}},
		{"hermes arguments as a string", ToolCallsHermes,
			"<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"k\\\": 2}\"}</tool_call>",
			"", []ParsedToolCall{{"f", `{"k": 2}`}}},
		{"hermes no arguments", ToolCallsHermes,
			"<tool_call>{\"name\": \"now\"}</tool_call>",
			"", []ParsedToolCall{{"now", `{}`}}},
		{"plain answer", ToolCallsHermes, "The answer is 4. ", "The answer is 4. ", nil},
		{"llama3 json", ToolCallsLlama3JSON,
			"{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}",
			"", []ParsedToolCall{{"get_weather", `{"city": "Paris"}`}}},
		{"llama3 python tag, two calls", ToolCallsLlama3JSON,
			"<|python_tag|>{\"name\": \"a\", \"parameters\": {\"x\": 1}}; {\"name\": \"b\", \"parameters\": {}}",
			"", []ParsedToolCall{{"a", `{"x": 1}`}, {"b", `{}`}}},
		{"llama3 text", ToolCallsLlama3JSON, "Paris is sunny.", "Paris is sunny.", nil},
		{"llama3 json but not a call", ToolCallsLlama3JSON, `{"answer": 4}`, `{"answer": 4}`, nil},
		{"no format", "", "<tool_call>{}</tool_call>", "<tool_call>{}</tool_call>", nil},
	}
	for _, c := range cases {
		content, calls := ParseToolCalls(c.format, c.text, true)
		if content != c.content || !reflect.DeepEqual(calls, c.calls) {
			t.Errorf("%s: got %q, %+v; want %q, %+v", c.name, content, calls, c.content, c.calls)
		}
		for _, call := range calls {
			if !json.Valid([]byte(call.Arguments)) {
				t.Errorf("%s: arguments %q are not JSON", c.name, call.Arguments)
			}
		}
		checkCallsGrowing(t, c.format, c.text)
	}
}

func TestParseToolCallsPartial(t *testing.T) {
	text := "Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par"
	content, calls := ParseToolCalls(ToolCallsHermes, text, false)
	want := []ParsedToolCall{{"get_weather", `{"city": "Par`}}
	if content != "Sure." || !reflect.DeepEqual(calls, want) {
		t.Errorf("got %q, %+v", content, calls)
	}
	// The name is not reported before it is complete.
	_, calls = ParseToolCalls(ToolCallsHermes, "<tool_call>{\"name\": \"get_wea", false)
	if len(calls) != 0 {
		t.Errorf("a half-written name was reported: %+v", calls)
	}
	// A possible start of a tag is held back.
	content, _ = ParseToolCalls(ToolCallsHermes, "Hello <tool_", false)
	if content != "Hello" {
		t.Errorf("content %q", content)
	}
}

// checkCallsGrowing asserts the streaming contract on a well-formed output:
// each prefix's content and every call's name and arguments extend those of
// the previous prefix, ending in the final parse.
func checkCallsGrowing(t *testing.T, format ToolCallFormat, text string) {
	t.Helper()
	var pc string
	var pcalls []ParsedToolCall
	step := func(prefix string, final bool) {
		c, calls := ParseToolCalls(format, prefix, final)
		if !strings.HasPrefix(c, pc) {
			t.Fatalf("content of %q (final=%v) = %q does not extend %q", prefix, final, c, pc)
		}
		if len(calls) < len(pcalls) {
			t.Fatalf("calls of %q (final=%v) shrank: %+v after %+v", prefix, final, calls, pcalls)
		}
		for i, old := range pcalls {
			if old.Name != "" && calls[i].Name != old.Name || !strings.HasPrefix(calls[i].Arguments, old.Arguments) {
				t.Fatalf("call %d of %q (final=%v) = %+v does not extend %+v", i, prefix, final, calls[i], old)
			}
		}
		pc, pcalls = c, calls
	}
	for k := 0; k <= len(text); k++ {
		step(text[:k], false)
	}
	step(text, true)
}

func TestDetectToolCallFormat(t *testing.T) {
	for dir, want := range map[string]ToolCallFormat{
		"qwen3": ToolCallsHermes, "qwen2_5": ToolCallsHermes, "llama3_2": ToolCallsLlama3JSON,
	} {
		src, err := LoadDir("../testdata/chat/templates/" + dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := DetectToolCallFormat(src.Templates["default"]); got != want {
			t.Errorf("%s: format %q, want %q", dir, got, want)
		}
	}
	if _, err := os.Stat("../testdata/chat/templates"); err != nil {
		t.Skip(err)
	}
}

func FuzzParseToolCalls(f *testing.F) {
	for _, s := range []string{
		"<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": \"}\"}}\n</tool_call>",
		"<|python_tag|>{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\"",
		"{\"name\": \"a\", \"arguments\": \"{}\"}",
		"<tool_call>{\"name\": \"\\u00e9\\\"\", \"arguments\": [1, 2]}",
		"text <tool_call>",
		"{\"name\": \"a\", \"arguments\": {\"q\": \"\\",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, text string, llama bool) {
		format := ToolCallsHermes
		if llama {
			format = ToolCallsLlama3JSON
		}
		for _, final := range []bool{false, true} {
			content, calls := ParseToolCalls(format, text, final)
			if len(content) > len(text) {
				t.Fatalf("content %q longer than %q", content, text)
			}
			for _, c := range calls {
				if final && (c.Name == "" || !json.Valid([]byte(c.Arguments))) {
					t.Fatalf("final call %+v of %q is incomplete", c, text)
				}
			}
		}
	})
}
