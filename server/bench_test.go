package server

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

// BenchmarkStreamOverhead measures the server's own cost per streamed
// chunk: the scripted generator answers instantly, two characters an
// event, so the time is HTTP, JSON, SSE and the reasoning/tool parsers.
func BenchmarkStreamOverhead(b *testing.B) {
	for _, tools := range []bool{false, true} {
		name := "plain"
		if tools {
			name = "tools+reasoning"
		}
		b.Run(name, func(b *testing.B) {
			ts := newTestServer(b, Config{})
			reply := strings.Repeat("All work and no play. ", 360) // ~8000 characters, 4000 events
			params := openai.ChatCompletionNewParams{
				Model:    "scripted",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("REPLY:" + reply)},
			}
			if tools {
				params.Tools = weatherTools
				params.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage("REPLY:<think>" + reply + "</think>" + hermesReply)}
			}
			chunks := 0
			for b.Loop() {
				stream := ts.client.Chat.Completions.NewStreaming(context.Background(), params)
				for stream.Next() {
					chunks++
				}
				if err := stream.Err(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(chunks)/1000, "µs/chunk")
		})
	}
}
