package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/convert"
)

// TestLoadChat: the template comes from a folder, a GGUF's metadata or a
// file given; a folder without one gives nil and no error.
func TestLoadChat(t *testing.T) {
	qwenDir := filepath.Join(fixtures, "qwen3")
	msgs := []chat.Message{{Role: "user", Content: chat.Text("hi")}}
	render := func(c *chat.Chat) string {
		t.Helper()
		out, err := c.Render("", chat.Context{Messages: msgs, AddGenerationPrompt: true})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	fc, err := LoadChat(qwenDir, "")
	if err != nil || fc == nil {
		t.Fatalf("folder template: %v", err)
	}
	folder := render(fc)
	if !strings.HasSuffix(folder, "<|im_start|>assistant\n") {
		t.Errorf("folder template rendered %q", folder)
	}

	// A GGUF carries the template in tokenizer.chat_template.
	ft, err := convert.ParseFileType("F32")
	if err != nil {
		t.Fatal(err)
	}
	gguf := filepath.Join(t.TempDir(), "qwen3.gguf")
	if _, err = convert.Convert(qwenDir, gguf, convert.Options{Type: ft}); err != nil {
		t.Fatal(err)
	}
	c, err := LoadChat(gguf, "")
	if err != nil || c == nil {
		t.Fatalf("GGUF template: %v", err)
	}
	if got := render(c); got != folder {
		t.Errorf("GGUF template rendered %q, the folder's %q", got, folder)
	}

	// --chat-template wins; a folder without a template gives nil, no error.
	file := filepath.Join(t.TempDir(), "t.jinja")
	os.WriteFile(file, []byte("{% for m in messages %}[{{ m.content }}]{% endfor %}"), 0o644)
	if c, err = LoadChat(qwenDir, file); err != nil || render(c) != "[hi]" {
		t.Errorf("--chat-template: %v", err)
	}
	if c, err = LoadChat(t.TempDir(), ""); err != nil || c != nil {
		t.Errorf("no template: %v, %v", c, err)
	}
}
