package engine

import (
	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/sample"
)

// chatMessages is the conversation of the fixtures' reference.json.
func chatMessages() []chat.Message {
	return []chat.Message{
		{Role: "system", Content: chat.Text("You are a helpful assistant.")},
		{Role: "user", Content: chat.Text("What is the capital of France?")},
		{Role: "assistant", Content: chat.Text("The capital of France is Paris.")},
		{Role: "user", Content: chat.Text("And of Spain?")},
	}
}

func samplingParams(temp float64) sample.Params { return sample.Params{Temperature: temp} }
