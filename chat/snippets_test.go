package chat

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// testdata/chat/snippets.json holds small templates, one Jinja feature (or failure) each, and
// snippets_golden.json what transformers' jinja2 environment made of them: output, or error and
// the template line jinja2 blamed.

type snippet struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Vars     json.RawMessage `json:"vars"`
}

type snippetGolden struct {
	Output    *string `json:"output"`
	Error     string  `json:"error"`
	ErrorType string  `json:"error_type"`
	Line      int     `json:"line"`
}

func TestSnippets(t *testing.T) {
	var snippets []snippet
	readJSON(t, "../testdata/chat/snippets.json", &snippets)
	var gold struct {
		Renders map[string]snippetGolden `json:"renders"`
	}
	readJSON(t, "../testdata/chat/snippets_golden.json", &gold)
	passed := 0
	for _, sn := range snippets {
		want, ok := gold.Renders[sn.Name]
		if !ok {
			t.Errorf("%s: no golden", sn.Name)
			continue
		}
		got, err := renderSnippet(sn)
		if checkSnippet(t, sn.Name, got, err, want) {
			passed++
		}
	}
	t.Logf("snippets matching jinja2: %d/%d", passed, len(snippets))
}

func renderSnippet(sn snippet) (string, error) {
	tmpl, err := Parse("", sn.Template)
	if err != nil {
		return "", err
	}
	vars, err := FromJSON(sn.Vars)
	if err != nil {
		return "", err
	}
	now := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC) // conversations.json's fixed_now
	e := &evaluator{limits: tmpl.limits, now: func() time.Time { return now }}
	return tmpl.renderVars(e, vars.(*Dict))
}

func checkSnippet(t *testing.T, name, got string, err error, want snippetGolden) bool {
	t.Helper()
	if want.Output != nil {
		if err != nil {
			t.Errorf("%s: %v\n want %q", name, err, *want.Output)
			return false
		}
		if got != *want.Output {
			t.Errorf("%s:\n got  %q\n want %q", name, got, *want.Output)
			return false
		}
		return true
	}
	if err == nil {
		t.Errorf("%s: rendered %q, but jinja2 failed: %s: %s", name, got, want.ErrorType, want.Error)
		return false
	}
	line := 0
	var se *SyntaxError
	var re *RenderError
	switch {
	case errors.As(err, &se):
		line = se.Line
	case errors.As(err, &re):
		line = re.Line
		if want.ErrorType == "TemplateError" && (!re.Raised || re.Msg != want.Error) {
			t.Errorf("%s: %v, want raise_exception(%q)", name, err, want.Error)
			return false
		}
	}
	if want.Line != 0 && line != want.Line {
		t.Errorf("%s: error %q at line %d, jinja2 blames line %d (%s)", name, err, line, want.Line, want.Error)
		return false
	}
	return true
}
