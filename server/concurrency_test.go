package server

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func streamText(ctx context.Context, c openai.Client, prompt string, maxTokens int64) (string, string, error) {
	stream := c.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:       "qwen3",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
		Temperature: openai.Float(0),
		MaxTokens:   openai.Int(maxTokens),
	})
	defer stream.Close()
	var sb strings.Builder
	finish := ""
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			sb.WriteString(ch.Delta.Content)
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	return sb.String(), finish, stream.Err()
}

// TestConcurrentStreams: 32 streaming clients at once get, token for
// token, the greedy text each gets alone.
func TestConcurrentStreams(t *testing.T) {
	ts := newTestServer(t, Config{})
	prompts := make([]string, 8)
	alone := make([]string, len(prompts))
	for i := range prompts {
		prompts[i] = fmt.Sprintf("Story number %d: %s", i, strings.Repeat("once upon a time ", i+1))
		text, finish, err := streamText(context.Background(), ts.client, prompts[i], 24)
		if err != nil || finish == "" {
			t.Fatalf("prompt %d alone: %v (finish %q)", i, describe(err), finish)
		}
		alone[i] = text
	}
	const clients = 32
	got := make([]string, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[c], _, errs[c] = streamText(context.Background(), ts.client, prompts[c%len(prompts)], 24)
		}()
	}
	wg.Wait()
	for c := range clients {
		if errs[c] != nil {
			t.Errorf("client %d: %v", c, describe(errs[c]))
		} else if got[c] != alone[c%len(prompts)] {
			t.Errorf("client %d got %q in company, %q alone", c, got[c], alone[c%len(prompts)])
		}
	}
}

// TestDisconnectCancels: a client that goes away mid-stream stops its
// generation (the engine ends the choice as cancelled and frees it).
func TestDisconnectCancels(t *testing.T) {
	ts := newTestServer(t, Config{})
	q, _ := models(t)
	m, _ := ts.model("qwen3", true)
	abortsBefore := m.metrics.count("abort")
	ctx, cancel := context.WithCancel(context.Background())
	stream := ts.client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:       "qwen3",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Go on forever.")},
		Temperature: openai.Float(0),
		MaxTokens:   openai.Int(480),
	}, option.WithJSONSet("ignore_eos", true))
	for i := 0; i < 3 && stream.Next(); i++ {
	}
	cancel()
	stream.Close()
	waitFor(t, "the generation to be cancelled", func() bool { return m.metrics.count("abort") > abortsBefore })
	waitFor(t, "the engine to go idle", func() bool { st := q.Stats(); return st.Running == 0 && st.Waiting == 0 })
	if n := ts.pending.Load(); n != 0 {
		t.Errorf("%d requests still pending", n)
	}
}

// TestGracefulShutdown: after the serving context ends, a stream in
// progress runs to its end, new connections are refused, and Serve
// returns; a request still running after the grace period is cancelled.
func TestGracefulShutdown(t *testing.T) {
	for _, blocked := range []bool{false, true} {
		q, b := models(t)
		s := New(Config{Logger: discardLogger()})
		s.AddModel(&Model{Names: []string{"qwen3"}, Generator: q, Chat: mustChat(t, qwenDir)})
		s.AddModel(&Model{Names: []string{"scripted"}, Generator: &scripted{Engine: q}, Chat: mustChat(t, qwenDir)})
		s.AddModel(&Model{Names: []string{"bert"}, Embedder: b})
		s.SetReady()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ctx, stop := context.WithCancel(context.Background())
		grace := 30 * time.Second
		if blocked {
			grace = 50 * time.Millisecond
		}
		served := make(chan error, 1)
		go func() { served <- s.Serve(ctx, ln, grace) }()
		client := openai.NewClient(option.WithBaseURL(url+"/v1/"), option.WithMaxRetries(0), option.WithAPIKey("x"))
		model, prompt := "qwen3", "Keep talking."
		if blocked {
			model, prompt = "scripted", "BLOCK"
		}
		stream := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
			Model:       model,
			Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
			Temperature: openai.Float(0),
			MaxTokens:   openai.Int(64),
		}, option.WithJSONSet("ignore_eos", true))
		if !stream.Next() {
			t.Fatalf("no first chunk: %v", stream.Err())
		}
		stop()
		waitFor(t, "draining", func() bool { return s.draining.Load() })
		var sb strings.Builder
		finish := ""
		for stream.Next() {
			for _, c := range stream.Current().Choices {
				sb.WriteString(c.Delta.Content)
				if c.FinishReason != "" {
					finish = c.FinishReason
				}
			}
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if blocked {
			if finish != "" {
				t.Errorf("the blocked request finished (%q) instead of being cut off", finish)
			}
		} else if stream.Err() != nil || finish != "length" {
			t.Errorf("the stream in progress ended with %q, err %v; want it to run to max_tokens", finish, stream.Err())
		}
		stream.Close()
		if _, err := client.Models.List(context.Background()); err == nil {
			t.Errorf("a request after shutdown succeeded")
		}
	}
}
