package server

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	ts := newTestServer(t, Config{})
	q, b := models(t)
	var tr tokenizeResponse
	_, _, body := post(t, ts.url, "/tokenize", `{"prompt": "Hello world", "return_token_strs": true}`)
	if err := json.Unmarshal([]byte(body), &tr); err != nil {
		t.Fatal(err)
	}
	want := q.Tokenizer().Encode("Hello world", true)
	if !slices.Equal(tr.Tokens, want) || tr.Count != len(want) || tr.MaxModelLen != 512 || len(tr.TokenStrs) != len(want) {
		t.Errorf("tokenize prompt: %+v, want tokens %v", tr, want)
	}

	_, _, body = post(t, ts.url, "/tokenize", `{"model": "qwen3", "messages": [{"role": "user", "content": "hi"}]}`)
	tr = tokenizeResponse{}
	json.Unmarshal([]byte(body), &tr)
	chatWant := chatPrompt(t, userMsg("hi"))
	if !slices.Equal(toInt32(tr.Tokens), chatWant) || tr.TokenStrs != nil {
		t.Errorf("tokenize messages: %v, want %v", tr.Tokens, chatWant)
	}
	_, _, body = post(t, ts.url, "/tokenize", `{"messages": [{"role": "user", "content": "hi"}], "add_generation_prompt": false}`)
	var noGen tokenizeResponse
	json.Unmarshal([]byte(body), &noGen)
	if noGen.Count >= tr.Count || !slices.Equal(noGen.Tokens, tr.Tokens[:noGen.Count]) {
		t.Errorf("without the generation prompt: %v vs %v", noGen.Tokens, tr.Tokens)
	}

	_, _, body = post(t, ts.url, "/tokenize", `{"model": "bert", "prompt": "Hello world"}`)
	tr = tokenizeResponse{}
	json.Unmarshal([]byte(body), &tr)
	if want := b.Tokenizer().Encode("Hello world", true); !slices.Equal(tr.Tokens, want) || tr.MaxModelLen != b.Info().MaxTokens {
		t.Errorf("bert tokenize: %+v, want %v", tr, want)
	}

	var dr struct {
		Prompt string `json:"prompt"`
	}
	_, _, body = post(t, ts.url, "/detokenize", `{"tokens": [`+joinInts(want)+`]}`)
	json.Unmarshal([]byte(body), &dr)
	if dr.Prompt != "Hello world" {
		t.Errorf("detokenize: %q", dr.Prompt)
	}
}

func joinInts(ids []int) string {
	b, _ := json.Marshal(ids)
	return string(b[1 : len(b)-1])
}
