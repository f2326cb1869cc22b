package engine

import "github.com/ferrum-go/ferrum/chat"

// chatMessages is the conversation of the fixtures' reference.json.
func chatMessages() []chat.Message {
	return []chat.Message{
		{Role: "system", Content: chat.Text("You are a helpful assistant.")},
		{Role: "user", Content: chat.Text("What is the capital of France?")},
		{Role: "assistant", Content: chat.Text("The capital of France is Paris.")},
		{Role: "user", Content: chat.Text("And of Spain?")},
	}
}
