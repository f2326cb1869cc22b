package server

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/embed"
)

func TestCompletions(t *testing.T) {
	ts := newTestServer(t, Config{})
	q, _ := models(t)
	tok := q.Tokenizer()
	ids := toInt32(tok.Encode("Once upon a time", true))
	want, _, _ := direct(t, q, ids, greedy(10))

	// Every prompt shape gives the same greedy text for the same tokens.
	shapes := []openai.CompletionNewParamsPromptUnion{
		{OfString: openai.String("Once upon a time")},
		{OfArrayOfStrings: []string{"Once upon a time", "Once upon a time"}},
		{OfArrayOfTokens: toInt64(ids)},
		{OfArrayOfTokenArrays: [][]int64{toInt64(ids), toInt64(ids)}},
	}
	for i, prompt := range shapes {
		resp, err := ts.client.Completions.New(context.Background(), openai.CompletionNewParams{
			Model: "qwen3", Prompt: prompt, MaxTokens: openai.Int(10), Temperature: openai.Float(0), N: openai.Int(2),
		})
		if err != nil {
			t.Fatal(describe(err))
		}
		nPrompts := 1
		if i%2 == 1 {
			nPrompts = 2
		}
		if len(resp.Choices) != 2*nPrompts || resp.Object != "text_completion" || !strings.HasPrefix(resp.ID, "cmpl-") {
			t.Fatalf("shape %d: %d choices, object %q id %q", i, len(resp.Choices), resp.Object, resp.ID)
		}
		for j, c := range resp.Choices {
			if c.Text != want || c.Index != int64(j) || c.FinishReason == "" {
				t.Errorf("shape %d choice %d: %q (%s), want %q", i, j, c.Text, c.FinishReason, want)
			}
		}
		if resp.Usage.PromptTokens != int64(nPrompts*len(ids)) {
			t.Errorf("shape %d: prompt tokens %d, want %d", i, resp.Usage.PromptTokens, nPrompts*len(ids))
		}
	}

	// Streaming gives the same text, with echo in front.
	stream := ts.client.Completions.NewStreaming(context.Background(), openai.CompletionNewParams{
		Model: "qwen3", Prompt: shapes[0], MaxTokens: openai.Int(10), Temperature: openai.Float(0),
		Echo: openai.Bool(true), StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var text strings.Builder
	var finish string
	var usage openai.CompletionUsage
	for stream.Next() {
		ch := stream.Current()
		for _, c := range ch.Choices {
			text.WriteString(c.Text)
			if c.FinishReason != "" {
				finish = string(c.FinishReason)
			}
		}
		if ch.Usage.TotalTokens > 0 {
			usage = ch.Usage
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(describe(err))
	}
	if text.String() != "Once upon a time"+want || finish == "" || usage.PromptTokens != int64(len(ids)) {
		t.Errorf("streamed %q (finish %q, usage %+v), want %q", text.String(), finish, usage, "Once upon a time"+want)
	}
}

func toInt64(ids []int32) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

func TestCompletionLogprobs(t *testing.T) {
	ts := newTestServer(t, Config{})
	q, _ := models(t)
	ids := toInt32(q.Tokenizer().Encode("The cat sat", true))
	p := greedy(5)
	p.Logprobs, p.TopLogprobs = true, 3
	_, wantLPs, _ := direct(t, q, ids, p)

	resp, err := ts.client.Completions.New(context.Background(), openai.CompletionNewParams{
		Model: "qwen3", Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("The cat sat")},
		MaxTokens: openai.Int(5), Temperature: openai.Float(0), Logprobs: openai.Int(3),
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	lp := resp.Choices[0].Logprobs
	if len(lp.Tokens) != len(wantLPs) || len(lp.TokenLogprobs) != len(wantLPs) || len(lp.TopLogprobs) != len(wantLPs) || len(lp.TextOffset) != len(wantLPs) {
		t.Fatalf("logprobs arrays %d/%d/%d/%d long for %d tokens", len(lp.Tokens), len(lp.TokenLogprobs), len(lp.TopLogprobs), len(lp.TextOffset), len(wantLPs))
	}
	for i, w := range wantLPs {
		if math.Abs(lp.TokenLogprobs[i]-float64(w.Logprob)) > 1e-6 {
			t.Errorf("token %d: logprob %v, want %v", i, lp.TokenLogprobs[i], w.Logprob)
		}
		if n := len(lp.TopLogprobs[i]); n < 1 || n > 4 {
			t.Errorf("token %d: %d top logprobs, want 3 (or 4 with the sampled token)", i, n)
		}
	}
	if lp.TextOffset[0] != 0 {
		t.Errorf("text_offset starts at %d", lp.TextOffset[0])
	}

	// echo with logprobs and max_tokens 0 scores the prompt: the first
	// token has null logprobs, the rest those of the engine.
	var raw completionResponse
	_, err = ts.client.Completions.New(context.Background(), openai.CompletionNewParams{
		Model: "qwen3", Prompt: openai.CompletionNewParamsPromptUnion{OfArrayOfTokens: toInt64(ids)},
		MaxTokens: openai.Int(0), Echo: openai.Bool(true), Logprobs: openai.Int(2),
	}, option.WithResponseBodyInto(&raw))
	if err != nil {
		t.Fatal(describe(err))
	}
	c := raw.Choices[0]
	if c.Logprobs == nil || len(c.Logprobs.Tokens) != len(ids) || c.Logprobs.TokenLogprobs[0] != nil || c.Logprobs.TopLogprobs[0] != nil {
		t.Fatalf("echo logprobs: %+v", c.Logprobs)
	}
	for i := 1; i < len(ids); i++ {
		if c.Logprobs.TokenLogprobs[i] == nil || *c.Logprobs.TokenLogprobs[i] > 0 {
			t.Errorf("prompt token %d: logprob %v", i, c.Logprobs.TokenLogprobs[i])
		}
	}
	if raw.Usage == nil || !strings.Contains(string(raw.Usage), `"completion_tokens":0`) {
		t.Errorf("usage %s", raw.Usage)
	}
	if *c.FinishReason != "length" || c.Text == "" {
		t.Errorf("finish %v text %q", *c.FinishReason, c.Text)
	}
}

func TestChatLogprobs(t *testing.T) {
	ts := newTestServer(t, Config{})
	q, _ := models(t)
	prompt := chatPrompt(t, userMsg("Count to three."))
	p := greedy(6)
	p.Logprobs, p.TopLogprobs = true, 2
	_, wantLPs, _ := direct(t, q, prompt, p)
	params := openai.ChatCompletionNewParams{
		Model: "qwen3", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Count to three.")},
		MaxTokens: openai.Int(6), Temperature: openai.Float(0), Logprobs: openai.Bool(true), TopLogprobs: openai.Int(2),
	}
	resp, err := ts.client.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(describe(err))
	}
	got := resp.Choices[0].Logprobs.Content
	if len(got) != len(wantLPs) {
		t.Fatalf("%d logprobs for %d tokens", len(got), len(wantLPs))
	}
	for i, w := range wantLPs {
		g := got[i]
		if math.Abs(g.Logprob-float64(w.Logprob)) > 1e-6 || len(g.TopLogprobs) != 2 {
			t.Errorf("token %d: %+v, want logprob %v", i, g, w.Logprob)
		}
		if g.Token != q.Tokenizer().Decode([]int{int(w.Token)}, false) || len(g.Bytes) != len(g.Token) {
			t.Errorf("token %d: %q bytes %v", i, g.Token, g.Bytes)
		}
	}
	// Streamed logprobs add up to the same list; token ids on request.
	stream := ts.client.Chat.Completions.NewStreaming(context.Background(), params, option.WithJSONSet("return_tokens_as_token_ids", true))
	var streamed []openai.ChatCompletionTokenLogprob
	for stream.Next() {
		for _, c := range stream.Current().Choices {
			streamed = append(streamed, c.Logprobs.Content...)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(describe(err))
	}
	if len(streamed) != len(wantLPs) {
		t.Fatalf("streamed %d logprobs, want %d", len(streamed), len(wantLPs))
	}
	for i, w := range wantLPs {
		if want := "token_id:" + strconv.Itoa(int(w.Token)); streamed[i].Token != want {
			t.Errorf("streamed token %d: %q, want %q", i, streamed[i].Token, want)
		}
	}
}

func TestEmbeddings(t *testing.T) {
	ts := newTestServer(t, Config{})
	_, b := models(t)
	texts := []string{"The cat sat on the mat.", "Paris is in France."}
	want, _, err := b.Embed(context.Background(), []embed.Input{{Text: texts[0]}, {Text: texts[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ts.client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "bert", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts},
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	if len(resp.Data) != 2 || resp.Model != "bert" || resp.Usage.PromptTokens == 0 || resp.Usage.TotalTokens != resp.Usage.PromptTokens {
		t.Fatalf("response: %d vectors, model %q, usage %+v", len(resp.Data), resp.Model, resp.Usage)
	}
	for i, d := range resp.Data {
		if d.Index != int64(i) || len(d.Embedding) != len(want[i]) {
			t.Fatalf("vector %d: index %d, %d dims", i, d.Index, len(d.Embedding))
		}
		for j, x := range d.Embedding {
			if float32(x) != want[i][j] {
				t.Fatalf("vector %d dim %d: %v, want %v", i, j, x, want[i][j])
			}
		}
	}
	// One string, token ids, and base64 (little-endian float32s).
	ids := toInt64(toInt32(b.Tokenizer().Encode(texts[1], true)))
	for _, in := range []openai.EmbeddingNewParamsInputUnion{
		{OfString: openai.String(texts[1])},
		{OfArrayOfTokens: ids},
		{OfArrayOfTokenArrays: [][]int64{ids}},
	} {
		var raw struct {
			Data []struct {
				Embedding string `json:"embedding"`
			} `json:"data"`
		}
		_, err := ts.client.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
			Model: "bert", Input: in, EncodingFormat: openai.EmbeddingNewParamsEncodingFormatBase64,
		}, option.WithResponseBodyInto(&raw))
		if err != nil {
			t.Fatal(describe(err))
		}
		bs, err := base64.StdEncoding.DecodeString(raw.Data[0].Embedding)
		if err != nil || len(bs) != 4*len(want[1]) {
			t.Fatalf("base64 embedding: %v, %d bytes", err, len(bs))
		}
		for j := range want[1] {
			if x := math.Float32frombits(binary.LittleEndian.Uint32(bs[4*j:])); x != want[1][j] {
				t.Fatalf("base64 dim %d: %v, want %v", j, x, want[1][j])
			}
		}
	}
}

func TestModelsEndpoint(t *testing.T) {
	ts := newTestServer(t, Config{})
	page, err := ts.client.Models.List(context.Background())
	if err != nil {
		t.Fatal(describe(err))
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
		if m.Object != "model" || m.OwnedBy != "ferrum" {
			t.Errorf("model card %+v", m)
		}
	}
	if strings.Join(ids, ",") != "qwen3,scripted,scripted-llama,bert" {
		t.Errorf("models %v", ids)
	}
	m, err := ts.client.Models.Get(context.Background(), "qwen3")
	if err != nil || m.ID != "qwen3" || !strings.Contains(m.RawJSON(), `"max_model_len":512`) {
		t.Errorf("get qwen3: %v %s", err, m.RawJSON())
	}
	if _, err := ts.client.Models.Get(context.Background(), "nope"); err == nil {
		t.Errorf("unknown model found")
	}
}

func userMsg(s string) chat.Message { return chat.Message{Role: "user", Content: chat.Text(s)} }
