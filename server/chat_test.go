package server

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/engine"
)

func greedy(maxTokens int) engine.SamplingParams {
	p := engine.SamplingParams{MaxTokens: maxTokens, N: 1}
	return p
}

func TestChatCompletion(t *testing.T) {
	ts := newTestServer(t, Config{})
	q, _ := models(t)
	resp, err := ts.client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "qwen3",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You are terse."),
			openai.UserMessage("What is the capital of France?"),
		},
		Temperature: openai.Float(0),
		MaxTokens:   openai.Int(12),
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	prompt := chatPrompt(t, chat.Message{Role: "system", Content: chat.Text("You are terse.")},
		chat.Message{Role: "user", Content: chat.Text("What is the capital of France?")})
	want, _, fr := direct(t, q, prompt, greedy(12))
	if len(resp.Choices) != 1 {
		t.Fatalf("%d choices", len(resp.Choices))
	}
	c := resp.Choices[0]
	if c.Message.Content != want || c.FinishReason != string(fr) || c.Message.Role != "assistant" {
		t.Errorf("got %q (%s), want %q (%s)", c.Message.Content, c.FinishReason, want, fr)
	}
	if !strings.HasPrefix(resp.ID, "chatcmpl-") || resp.Object != "chat.completion" || resp.Model != "qwen3" || resp.Created == 0 {
		t.Errorf("envelope: id %q object %q model %q created %d", resp.ID, resp.Object, resp.Model, resp.Created)
	}
	if resp.Usage.PromptTokens != int64(len(prompt)) || resp.Usage.TotalTokens != resp.Usage.PromptTokens+resp.Usage.CompletionTokens || resp.Usage.CompletionTokens == 0 {
		t.Errorf("usage %+v for a prompt of %d tokens", resp.Usage, len(prompt))
	}
}

func TestChatStreaming(t *testing.T) {
	ts := newTestServer(t, Config{})
	params := openai.ChatCompletionNewParams{
		Model:         "qwen3",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Tell me a story.")},
		Temperature:   openai.Float(0),
		MaxTokens:     openai.Int(20),
		N:             openai.Int(2),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	whole, err := ts.client.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(describe(err))
	}
	stream := ts.client.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	chunks, usageChunks := 0, 0
	for stream.Next() {
		ch := stream.Current()
		if !acc.AddChunk(ch) {
			t.Fatalf("chunk %d not accepted by the accumulator: %s", chunks, ch.RawJSON())
		}
		if ch.Object != "chat.completion.chunk" || ch.Model != "qwen3" {
			t.Errorf("chunk envelope %s", ch.RawJSON())
		}
		if len(ch.Choices) == 0 {
			usageChunks++
			if ch.Usage.TotalTokens == 0 {
				t.Errorf("usage chunk without usage: %s", ch.RawJSON())
			}
		}
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(describe(err))
	}
	if usageChunks != 1 {
		t.Errorf("%d usage chunks, want 1", usageChunks)
	}
	if len(acc.Choices) != 2 {
		t.Fatalf("%d choices streamed", len(acc.Choices))
	}
	for i := range 2 {
		if got, want := acc.Choices[i].Message.Content, whole.Choices[i].Message.Content; got != want {
			t.Errorf("choice %d streamed %q, whole %q", i, got, want)
		}
		if acc.Choices[i].FinishReason != whole.Choices[i].FinishReason {
			t.Errorf("choice %d finish %q vs %q", i, acc.Choices[i].FinishReason, whole.Choices[i].FinishReason)
		}
	}
	if acc.Usage.CompletionTokens != whole.Usage.CompletionTokens || acc.Usage.PromptTokens != whole.Usage.PromptTokens {
		t.Errorf("streamed usage %+v, whole %+v", acc.Usage, whole.Usage)
	}
}

// TestContinuousUsage: vLLM's continuous_usage_stats puts the counts so
// far in every chunk.
func TestContinuousUsage(t *testing.T) {
	ts := newTestServer(t, Config{})
	stream := ts.client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:       "qwen3",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		Temperature: openai.Float(0),
		MaxTokens:   openai.Int(6),
	}, option.WithJSONSet("stream_options", map[string]any{"include_usage": true, "continuous_usage_stats": true}))
	var last int64 = -1
	chunks := 0
	for stream.Next() {
		u := stream.Current().Usage
		if u.PromptTokens == 0 || u.CompletionTokens < last || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
			t.Errorf("chunk %d usage %+v after %d completion tokens", chunks, u, last)
		}
		last = u.CompletionTokens
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(describe(err))
	}
	if last != 6 {
		t.Errorf("final completion tokens %d, want 6", last)
	}
}
