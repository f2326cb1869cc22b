package chat

import (
	"errors"
	"strings"
	"testing"
)

// Templates come with downloaded models, so a hostile one must fail cleanly: bounded steps,
// output, allocation and nesting, never a hang, a panic or a Go stack overflow.

func TestHostileTemplatesFail(t *testing.T) {
	lim := Limits{MaxSteps: 200_000, MaxOutput: 1 << 20, MaxDepth: 32}
	cases := map[string]string{
		"nested loops":        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
		"huge range":          "{% for i in range(10**9) %}{% endfor %}",
		"macro recursion":     "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
		"loop recursion":      "{% for x in l recursive %}{{ loop(l) }}{% endfor %}",
		"string doubling":     "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
		"string repeat":       "{{ 'a' * 10**12 }}",
		"list repeat":         "{{ ([1] * 100000000)|length }}",
		"list doubling":       "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
		"shared sublists":     "{% set ns = namespace(a=[1]) %}{% for i in range(80) %}{% set ns.a = [ns.a, ns.a] %}{% endfor %}{{ ns.a }}",
		"shared equality":     "{% set ns = namespace(a=[1]) %}{% for i in range(80) %}{% set ns.a = [ns.a, ns.a] %}{% endfor %}{{ ns.a == ns.a }}",
		"shared tojson":       "{% set ns = namespace(a=[1]) %}{% for i in range(80) %}{% set ns.a = [ns.a, ns.a] %}{% endfor %}{{ ns.a|tojson }}",
		"big center":          "{{ 'x'.center(10**10) }}",
		"big format width":    "{{ '{:>999999999}'.format(1) }}",
		"replace blowup":      "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s|replace('', ns.s) %}{% endfor %}",
		"output flood":        "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
		"self namespace json": "{% set ns = namespace() %}{% set ns.me = ns %}{{ ns|tojson }}",
		"unique quadratic":    "{{ range(100000)|map('string')|map('list')|unique|list|length }}",
	}
	for name, src := range cases {
		tmpl, err := ParseLimits(name, src, lim)
		if err != nil {
			t.Errorf("%s: parse: %v", name, err)
			continue
		}
		out, err := tmpl.Render(Context{Kwargs: map[string]any{"l": []any{1, 2}}})
		if err == nil {
			t.Errorf("%s: rendered %d bytes, want a limit error", name, len(out))
			continue
		}
		var re *RenderError
		if !errors.As(err, &re) || re.Line != 1 {
			t.Errorf("%s: error %v, want a RenderError at line 1", name, err)
		}
	}
}

func TestHostileTemplatesDoNotParse(t *testing.T) {
	cases := map[string]string{
		"deep parens":     "{{ " + strings.Repeat("(", 20000) + "1" + strings.Repeat(")", 20000) + " }}",
		"deep lists":      "{{ " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + " }}",
		"deep ifs":        strings.Repeat("{% if true %}", 20000) + strings.Repeat("{% endif %}", 20000),
		"long plus chain": "{{ 1" + strings.Repeat(" + 1", 20000) + " }}",
		"long filters":    "{{ 'x'" + strings.Repeat("|trim", 20000) + " }}",
		"long attrs":      "{{ x" + strings.Repeat(".a", 20000) + " }}",
		"long or chain":   "{{ 0" + strings.Repeat(" or 0", 20000) + " }}",
		"not chain":       "{{ " + strings.Repeat("not ", 20000) + "1 }}",
		"minus chain":     "{{ " + strings.Repeat("-", 20000) + "1 }}",
	}
	for name, src := range cases {
		if _, err := Parse(name, src); err == nil {
			t.Errorf("%s: parsed, want a nesting or length error", name)
		}
	}
}

func TestErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		src  string
		line int
		msg  string
	}{
		{"a\nb\n{% if %}", 3, "unexpected"},
		{"{% for x in y %}\n\n", 2, "endfor"}, // jinja2 blames the end of the template
		{"x\n{{ 'a' + 1 }}", 2, `can only concatenate str (not "int") to str`},
		{"{% for m in messages %}\n{{ m.nope.deeper }}\n{% endfor %}", 2, "has no attribute 'nope'"},
		{"\n\n\n{{ raise_exception('bad role') }}", 4, "bad role"},
		{"{{ x|nosuch }}", 1, "no filter named 'nosuch'"},
		{"{# open comment\n\n", 1, "comment"},
		{"line\n{{ 'unterminated }}", 2, "unterminated string"},
	}
	for _, c := range cases {
		tmpl, err := Parse("t.jinja", c.src)
		if err == nil {
			_, err = tmpl.Render(Context{RawMessages: []byte(`[{"role": "user", "content": "hi"}]`)})
		}
		if err == nil {
			t.Errorf("%q: no error", c.src)
			continue
		}
		want := "chat template t.jinja line " + itoa(c.line) + ":"
		if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %q, want prefix %q and %q", c.src, err, want, c.msg)
		}
	}
}

func TestRaiseExceptionIsMarked(t *testing.T) {
	tmpl, err := Parse("", "{{ raise_exception('Conversation roles must alternate') }}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render(Context{})
	var re *RenderError
	if !errors.As(err, &re) || !re.Raised || re.Msg != "Conversation roles must alternate" {
		t.Fatalf("got %#v", err)
	}
}
