package chat

import (
	"encoding/json"
	"testing"
	"time"
)

// testdata/chat/external.json: real model templates with test conversations, and Jinja feature
// templates, from huggingface.js's jinja tests; external_golden.json: what transformers' jinja2
// environment renders from them (not huggingface.js's expectations).
func TestExternalTemplates(t *testing.T) {
	var doc struct {
		Cases []struct {
			Name     string          `json:"name"`
			Template string          `json:"template"`
			Vars     json.RawMessage `json:"vars"`
		} `json:"cases"`
	}
	readJSON(t, "../testdata/chat/external.json", &doc)
	var gold struct {
		Renders map[string]snippetGolden `json:"renders"`
	}
	readJSON(t, "../testdata/chat/external_golden.json", &gold)
	now := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	passed := 0
	for _, c := range doc.Cases {
		want, ok := gold.Renders[c.Name]
		if !ok {
			t.Errorf("%s: no golden", c.Name)
			continue
		}
		var got string
		tmpl, err := Parse(c.Name, c.Template)
		if err == nil {
			vars, verr := FromJSON(c.Vars)
			if verr != nil {
				t.Fatal(verr)
			}
			got, err = tmpl.renderVars(&evaluator{limits: tmpl.limits, now: func() time.Time { return now }}, vars.(*Dict))
		}
		if checkSnippet(t, c.Name, got, err, want) {
			passed++
		}
	}
	t.Logf("external templates matching jinja2: %d/%d", passed, len(doc.Cases))
}
