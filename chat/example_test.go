package chat_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferrum-go/ferrum/chat"
)

// A model folder's templates, rendered for a conversation with a tool, as a server would.
func Example() {
	src, err := chat.LoadDir("../testdata/chat/templates/qwen3")
	if err != nil {
		panic(err)
	}
	templates, err := src.Compile()
	if err != nil {
		panic(err)
	}
	prompt, err := templates.Render("", chat.Context{
		Messages: []chat.Message{
			{Role: "user", Content: chat.Text("Weather in Paris?")},
			{Role: "assistant", ToolCalls: []chat.ToolCall{{Type: "function", Function: chat.FunctionCall{
				Name: "get_weather", Arguments: json.RawMessage(`{"city": "Paris"}`)}}}},
			{Role: "tool", Content: chat.Text("sunny"), ToolCallID: "1"},
		},
		Tools:               []json.RawMessage{json.RawMessage(`{"type": "function", "function": {"name": "get_weather"}}`)},
		AddGenerationPrompt: true,
		Kwargs:              map[string]any{"enable_thinking": false},
		Now:                 func() time.Time { return time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		panic(err)
	}
	fmt.Print(prompt)
	// Output:
	// <|im_start|>system
	// # Tools
	//
	// You may call one or more functions to assist with the user query.
	//
	// You are provided with function signatures within <tools></tools> XML tags:
	// <tools>
	// {"type": "function", "function": {"name": "get_weather"}}
	// </tools>
	//
	// For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:
	// <tool_call>
	// {"name": <function-name>, "arguments": <args-json-object>}
	// </tool_call><|im_end|>
	// <|im_start|>user
	// Weather in Paris?<|im_end|>
	// <|im_start|>assistant
	// <tool_call>
	// {"name": "get_weather", "arguments": {"city": "Paris"}}
	// </tool_call><|im_end|>
	// <|im_start|>user
	// <tool_response>
	// sunny
	// </tool_response><|im_end|>
	// <|im_start|>assistant
	// <think>
	//
	// </think>
}
