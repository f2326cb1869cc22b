package chat

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The goldens are transformers' apply_chat_template renders (tools/refgen/chat_templates.py) of
// testdata/chat/conversations.json with the templates under testdata/chat/templates/.

type goldenCase struct {
	Name                string            `json:"name"`
	Messages            json.RawMessage   `json:"messages"`
	Tools               []json.RawMessage `json:"tools"`
	AddGenerationPrompt bool              `json:"add_generation_prompt"`
	Kwargs              json.RawMessage   `json:"kwargs"`
	TemplateName        string            `json:"template_name"`
	ContinueFinal       bool              `json:"continue_final_message"`
	Documents           []json.RawMessage `json:"documents"`
}

type goldenRender struct {
	Output    *string `json:"output"`
	Error     string  `json:"error"`
	ErrorType string  `json:"error_type"`
}

func loadGoldens(t testing.TB) (time.Time, []goldenCase, map[string]map[string]goldenRender) {
	t.Helper()
	var conv struct {
		FixedNow string       `json:"fixed_now"`
		Cases    []goldenCase `json:"cases"`
	}
	readJSON(t, "../testdata/chat/conversations.json", &conv)
	now, err := time.Parse("2006-01-02T15:04:05", conv.FixedNow)
	if err != nil {
		t.Fatal(err)
	}
	var gold struct {
		Renders map[string]map[string]goldenRender `json:"renders"`
	}
	readJSON(t, "../testdata/chat/goldens.json", &gold)
	return now, conv.Cases, gold.Renders
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func (c goldenCase) context(now time.Time) (Context, error) {
	ctx := Context{RawMessages: c.Messages, Tools: c.Tools, Documents: c.Documents, AddGenerationPrompt: c.AddGenerationPrompt,
		ContinueFinalMessage: c.ContinueFinal, Now: func() time.Time { return now }}
	if len(c.Kwargs) > 0 {
		var kw map[string]json.RawMessage
		if err := json.Unmarshal(c.Kwargs, &kw); err != nil {
			return ctx, err
		}
		ctx.Kwargs = map[string]any{}
		for k, v := range kw {
			ctx.Kwargs[k] = v
		}
	}
	return ctx, nil
}

func TestGoldens(t *testing.T) {
	now, cases, renders := loadGoldens(t)
	names := make([]string, 0, len(renders))
	for n := range renders {
		names = append(names, n)
	}
	sort.Strings(names)
	total, passed := 0, 0
	var summary []string
	for _, tmplName := range names {
		src, err := LoadDir(filepath.Join("../testdata/chat/templates", tmplName))
		if err != nil {
			t.Fatal(err)
		}
		chat, err := src.Compile()
		if err != nil {
			t.Fatalf("%s: %v", tmplName, err)
		}
		ok := 0
		for _, c := range cases {
			want, found := renders[tmplName][c.Name]
			if !found {
				if _, has := src.Templates[c.TemplateName]; c.TemplateName != "" && !has {
					continue // only templates that have the named one render this case
				}
				t.Errorf("%s/%s: no golden", tmplName, c.Name)
				continue
			}
			total++
			ctx, err := c.context(now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := chat.Render(c.TemplateName, ctx)
			if !checkRender(t, tmplName+"/"+c.Name, got, err, want) {
				continue
			}
			ok++
		}
		passed += ok
		summary = append(summary, tmplName+" "+itoa(ok)+"/"+itoa(len(renders[tmplName])))
	}
	t.Logf("golden renders byte-identical: %d/%d (%s)", passed, total, strings.Join(summary, ", "))
}

// checkRender compares one render with its golden: byte equality of output, or, when transformers
// failed, a failure here too; a raise_exception message must match exactly.
func checkRender(t *testing.T, label, got string, err error, want goldenRender) bool {
	t.Helper()
	if want.Output == nil {
		if err == nil {
			t.Errorf("%s: rendered, but transformers failed with %s: %s", label, want.ErrorType, want.Error)
			return false
		}
		var re *RenderError
		if want.ErrorType == "TemplateError" && (!errors.As(err, &re) || !re.Raised || re.Msg != want.Error) {
			t.Errorf("%s: error %v, want raise_exception(%q)", label, err, want.Error)
			return false
		}
		return true
	}
	if err != nil {
		t.Errorf("%s: %v", label, err)
		return false
	}
	if got != *want.Output {
		i := 0
		for i < len(got) && i < len(*want.Output) && got[i] == (*want.Output)[i] {
			i++
		}
		t.Errorf("%s: differs at byte %d:\n got  %q\n want %q", label, i, window(got, i), window(*want.Output, i))
		return false
	}
	return true
}

func window(s string, i int) string {
	return s[max(0, i-30):min(len(s), i+50)]
}

func itoa(i int) string { return strconv.Itoa(i) }
