package chat

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Fuzz over template source: parsing and rendering must never panic or hang, whatever the
// text; limits keep each input to a bounded amount of work.

var fuzzLimits = Limits{MaxSteps: 50_000, MaxOutput: 64 << 10, MaxDepth: 16, MaxTokens: 20_000}

func addTemplateSeeds(f *testing.F) {
	dirs, _ := filepath.Glob("../testdata/chat/templates/*")
	for _, d := range dirs {
		if src, err := LoadDir(d); err == nil {
			for _, name := range src.names() {
				f.Add(src.Templates[name])
			}
		}
	}
	var snippets []snippet
	if b, err := os.ReadFile("../testdata/chat/snippets.json"); err == nil && json.Unmarshal(b, &snippets) == nil {
		for _, s := range snippets {
			f.Add(s.Template)
		}
	}
	var external struct {
		Cases []struct {
			Template string `json:"template"`
		} `json:"cases"`
	}
	if b, err := os.ReadFile("../testdata/chat/external.json"); err == nil && json.Unmarshal(b, &external) == nil {
		for _, c := range external.Cases {
			f.Add(c.Template)
		}
	}
	for _, s := range []string{"", "{", "{{", "{%", "{#", "}}", "{{-", "{%- raw -%}", "{{ 'a\\", "{% if %}{% endif %}",
		"{% for %}", "{{ x[::0] }}", "{{ 1 is divisibleby 0 }}", "{{ -9223372036854775807 - 2 }}", "{{ 9223372036854775807 * 2 }}",
		"{{ (-9223372036854775807 - 1) // -1 }}", "{{ 'a'[9223372036854775807:] }}", "{{ '%*d' % (3, 4) }}"} {
		f.Add(s)
	}
}

var fuzzCtx = Context{
	RawMessages: json.RawMessage(`[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]},
		{"role":"assistant","content":null,"tool_calls":[{"id":"abc123XYZ","type":"function","function":{"name":"f","arguments":{"a":1}}}]},
		{"role":"tool","tool_call_id":"abc123XYZ","content":"ok"}]`),
	Tools:               []json.RawMessage{json.RawMessage(`{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}`)},
	AddGenerationPrompt: true,
	SpecialTokens:       map[string]string{"bos_token": "<s>", "eos_token": "</s>"},
	Kwargs:              map[string]any{"enable_thinking": false},
	Now:                 func() time.Time { return time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC) },
}

func FuzzParse(f *testing.F) {
	addTemplateSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = ParseLimits("fuzz", src, fuzzLimits)
	})
}

func FuzzRender(f *testing.F) {
	addTemplateSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := ParseLimits("fuzz", src, fuzzLimits)
		if err != nil {
			return
		}
		out, err := tmpl.Render(fuzzCtx)
		if err == nil && len(out) > fuzzLimits.MaxOutput {
			t.Fatalf("output of %d bytes passed the %d limit", len(out), fuzzLimits.MaxOutput)
		}
	})
}
