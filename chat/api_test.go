package chat

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The typed Message path (what a server builds from an OpenAI request) must render the same
// bytes as the raw JSON the goldens were made from.
func TestTypedMessagesMatchGoldens(t *testing.T) {
	now, cases, renders := loadGoldens(t)
	checked := 0
	for tmplName, byCase := range renders {
		src, err := LoadDir(filepath.Join("../testdata/chat/templates", tmplName))
		if err != nil {
			t.Fatal(err)
		}
		chat, err := src.Compile()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			want, ok := byCase[c.Name]
			if !ok {
				continue
			}
			var msgs []Message
			if err := json.Unmarshal(c.Messages, &msgs); err != nil {
				continue // e.g. a tool result whose content is an object: only RawMessages carries it
			}
			ctx, err := c.context(now)
			if err != nil {
				t.Fatal(err)
			}
			ctx.RawMessages, ctx.Messages = nil, msgs
			got, err := chat.Render(c.TemplateName, ctx)
			if checkRender(t, "typed "+tmplName+"/"+c.Name, got, err, want) {
				checked++
			}
		}
	}
	if checked < 300 {
		t.Errorf("only %d typed renders matched", checked)
	}
}

func TestMessageJSON(t *testing.T) {
	in := `[{"role":"assistant","content":null,"tool_calls":[{"id":"x","type":"function","function":{"name":"f","arguments":"{\"a\": 1}"}}]},` +
		`{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"tool","content":"r","tool_call_id":"x"}]`
	var msgs []Message
	if err := json.Unmarshal([]byte(in), &msgs); err != nil {
		t.Fatal(err)
	}
	if !msgs[0].Content.Null || msgs[1].Content.Parts[0].Text != "hi" || msgs[2].Content.Text != "r" {
		t.Fatalf("decoded %+v", msgs)
	}
	tmpl, err := Parse("", `{% for m in messages %}{{ m.content is none }},{{ m.content is string }},{{ m.tool_calls is defined }},`+
		`{{ m.tool_calls[0].function.arguments if m.tool_calls else '' }}|{% endfor %}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render(Context{Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	want := `True,False,True,{"a": 1}|False,False,False,|False,True,False,|`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestTokenizerConfigForms(t *testing.T) {
	cfg := `{"chat_template": [{"name": "default", "template": "D{{ bos_token }}"}, {"name": "tool_use", "template": "T"}],
		"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false}, "eos_token": "</s>", "unk_token": null,
		"additional_special_tokens": ["<a>", {"content": "<b>"}]}`
	src, err := ParseTokenizerConfig("cfg", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if src.SpecialTokens["bos_token"] != "<s>" || src.SpecialTokens["eos_token"] != "</s>" || len(src.SpecialTokens) != 2 {
		t.Fatalf("special tokens %v", src.SpecialTokens)
	}
	if strings.Join(src.AdditionalSpecialTokens, ",") != "<a>,<b>" {
		t.Fatalf("additional %v", src.AdditionalSpecialTokens)
	}
	chat, err := src.Compile()
	if err != nil {
		t.Fatal(err)
	}
	tools := []json.RawMessage{json.RawMessage(`{"type": "function"}`)}
	for _, c := range []struct {
		name  string
		tools []json.RawMessage
		want  string
	}{{"", nil, "D<s>"}, {"", tools, "T"}, {"default", tools, "D<s>"}, {"tool_use", nil, "T"}} {
		got, err := chat.Render(c.name, Context{Tools: c.tools, Messages: []Message{{Role: "user"}}})
		if err != nil || got != c.want {
			t.Errorf("Render(%q, tools=%v) = %q, %v; want %q", c.name, c.tools != nil, got, err, c.want)
		}
	}
	if _, err := chat.Render("rag", Context{}); err == nil || !strings.Contains(err.Error(), "default, tool_use") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := ParseTokenizerConfig("bad", []byte(`{"chat_template": 3}`)); err == nil {
		t.Error("numeric chat_template accepted")
	}
}

func TestLoadDirFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tokenizer_config.json", `{"chat_template": "from config", "eos_token": "</s>"}`)
	write("chat_template.jinja", "from file {{ eos_token }}\n")
	write("additional_chat_templates/tool_use.jinja", "tools file")
	src, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	chat, err := src.Compile()
	if err != nil {
		t.Fatal(err)
	}
	one := []Message{{Role: "user", Content: Text("hi")}}
	if got, err := chat.Render("", Context{Messages: one}); got != "from file </s>" {
		t.Errorf("chat_template.jinja should win (and lose its final newline): %q %v", got, err)
	}
	if got, err := chat.Render("", Context{Messages: one, Tools: []json.RawMessage{}}); got != "tools file" {
		t.Errorf("tool_use from additional_chat_templates: %q %v", got, err)
	}
	if _, err := chat.Render("", Context{RawMessages: json.RawMessage(" [ ] ")}); err == nil {
		t.Error("an empty conversation rendered; apply_chat_template refuses it")
	}
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Error("empty folder gave no error")
	}
}

func TestContextVariables(t *testing.T) {
	tmpl, err := Parse("", `{{ tools }}|{{ documents }}|{{ add_generation_prompt }}|{{ flag }}|{{ obj|tojson }}|{{ strftime_now('%Y-%m-%d %H:%M %a %B %-d') }}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render(Context{
		Kwargs: map[string]any{"flag": true, "obj": json.RawMessage(`{"z": 1, "a": [2.0, null]}`)},
		Now:    func() time.Time { return time.Date(2025, 3, 4, 9, 26, 53, 0, time.UTC) },
	})
	want := `None|None|False|True|{"z": 1, "a": [2.0, null]}|2025-03-04 09:26 Tue March 4`
	if err != nil || got != want {
		t.Fatalf("got %q, %v\nwant %q", got, err, want)
	}
	if _, err := tmpl.Render(Context{Kwargs: map[string]any{"messages": 1}}); err == nil {
		t.Error("a kwarg named messages was accepted")
	}
}

func TestFromStringGGUF(t *testing.T) {
	chat, err := FromString("model.gguf tokenizer.chat_template", "{% for m in messages %}{{ m.role }}{% endfor %}").Compile()
	if err != nil {
		t.Fatal(err)
	}
	got, err := chat.Render("", Context{Messages: []Message{{Role: "user", Content: Text("x")}}})
	if err != nil || got != "user" {
		t.Fatalf("%q %v", got, err)
	}
	_, err = FromString("model.gguf tokenizer.chat_template", "{{ x.y }}").Compile()
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRenderQwen3Tools(b *testing.B) {
	now, cases, _ := loadGoldens(b)
	src, err := LoadDir("../testdata/chat/templates/qwen3")
	if err != nil {
		b.Fatal(err)
	}
	chat, err := src.Compile()
	if err != nil {
		b.Fatal(err)
	}
	var ctx Context
	for _, c := range cases {
		if c.Name == "tool_parallel" {
			ctx, _ = c.context(now)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := chat.Render("", ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	src, err := LoadFile("../testdata/chat/templates/jinja_file/chat_template.jinja")
	if err != nil || !strings.Contains(src.Templates["default"], "start_of_turn") {
		t.Fatalf("jinja file: %v", err)
	}
	src, err = LoadFile("../testdata/chat/templates/command_r_plus/tokenizer_config.json")
	if err != nil || len(src.Templates) != 3 || src.SpecialTokens["bos_token"] != "<BOS_TOKEN>" {
		t.Fatalf("config file: %v %v", err, src)
	}
}

// One compiled template serves concurrent requests.
func TestConcurrentRenders(t *testing.T) {
	now, cases, renders := loadGoldens(t)
	src, err := LoadDir("../testdata/chat/templates/qwen3")
	if err != nil {
		t.Fatal(err)
	}
	chat, err := src.Compile()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func() {
			for _, c := range cases {
				want := renders["qwen3"][c.Name]
				ctx, _ := c.context(now)
				got, err := chat.Render(c.TemplateName, ctx)
				if want.Output != nil && (err != nil || got != *want.Output) {
					done <- fmt.Errorf("%s: %v", c.Name, err)
					return
				}
			}
			done <- nil
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
