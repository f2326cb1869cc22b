package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/convert"
	"github.com/ferrum-go/ferrum/engine"
)

// TestEngineEqualsTransformers goes through the whole library path (the
// materialised folder's tokenizer.json, chat template and generation loop):
// prompts as text, greedy, past end-of-sequence, give transformers' token ids.
func TestEngineEqualsTransformers(t *testing.T) {
	ref := loadReference(t)
	e, err := engine.Open(hfFolder(t), engine.Options{Threads: 2, KVCacheTokens: 2048})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, c := range ref.Cases {
		ids, usage := generate(t, e, engine.Request{Prompt: c.Prompt})
		if usage.PromptTokens != len(c.InputIDs) {
			t.Errorf("%s: %d prompt tokens, transformers %d", c.Name, usage.PromptTokens, len(c.InputIDs))
		}
		if !slices.Equal(ids, c.Greedy.IDs) {
			t.Errorf("%s: %q gives %v, transformers %v", c.Name, c.Prompt, ids, c.Greedy.IDs)
		}
	}
	ids, usage := generate(t, e, engine.Request{Messages: []chat.Message{{Role: "user", Content: chat.Text("Once upon a time")}}})
	if usage.PromptTokens != len(ref.Chat.InputIDs) {
		t.Errorf("chat: %d prompt tokens, transformers %d (%q)", usage.PromptTokens, len(ref.Chat.InputIDs), ref.Chat.Rendered)
	}
	if !slices.Equal(ids, ref.Chat.Greedy.IDs) {
		t.Errorf("chat: %v, transformers %v", ids, ref.Chat.Greedy.IDs)
	}
}

// TestEmbeddedGGUFAnswers: the embedded file opens in the engine and
// answers "Once upon a time" in words.
func TestEmbeddedGGUFAnswers(t *testing.T) {
	path, err := PathIn(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(path, engine.Options{Threads: 2, KVCacheTokens: 2048})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ch, err := e.Generate(context.Background(), engine.Request{
		Messages: []chat.Message{{Role: "user", Content: chat.Text("Once upon a time")}},
		Sampling: engine.SamplingParams{MaxTokens: 24},
	})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for ev := range ch {
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		text.WriteString(ev.Text)
	}
	words := strings.Fields(text.String())
	if len(words) < 10 {
		t.Errorf("answer %q: want at least 10 words", text.String())
	}
	t.Logf("demo model: %q", text.String())
}

// TestQuantizeRoundTrip: `ferrum quantize --type Q8_0 --name ferrum-demo`
// of the materialised float32 folder gives back the embedded GGUF byte for
// byte. The folder holds the GGUF's own weights dequantized, so this checks
// that Q8_0 quantizing of exactly representable values, the HF<->GGUF
// mapping, the metadata (vocabulary, template) and the writer are all
// unchanged since the GGUF was made (the same command, on the float32
// folder training wrote, made it: see docs/demo-model.md).
func TestQuantizeRoundTrip(t *testing.T) {
	out := filepath.Join(t.TempDir(), FileName)
	ft, err := convert.ParseFileType("Q8_0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := convert.Convert(hfFolder(t), out, convert.Options{Type: ft, Name: Name, Threads: 2}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, GGUF()) {
		t.Errorf("ferrum quantize of the dequantized demo model (%d bytes) differs from the embedded %s (%d bytes)", len(got), FileName, len(GGUF()))
	}
}

func generate(t *testing.T, e *engine.Engine, req engine.Request) ([]int32, engine.Usage) {
	t.Helper()
	req.Sampling = engine.SamplingParams{MaxTokens: 32, IgnoreEOS: true} // zero temperature: greedy
	ch, err := e.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int32
	var usage engine.Usage
	for ev := range ch {
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		ids = append(ids, ev.Tokens...)
		if ev.Usage != nil {
			usage = *ev.Usage
		}
	}
	return ids, usage
}
