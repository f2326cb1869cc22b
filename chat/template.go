// Package chat renders Hugging Face chat templates (Jinja) byte-identically to transformers'
// apply_chat_template(tokenize=False).
//
// It carries its own small Jinja interpreter rather than a general engine because the rendered
// bytes depend on Python semantics (str(None), float repr, dict order, json.dumps spacing) and
// because a template comes from a downloaded model: rendering must stay bounded in steps, output
// and nesting, and every error must name the template line.
package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Limits bound the work one Render may do; a template exceeding them fails with an error.
type Limits struct {
	MaxSteps  int64 // statements + expressions + loop iterations
	MaxOutput int   // bytes of output and of any one string built on the way; 16x this in all
	MaxDepth  int   // macro calls and recursive loops
	MaxTokens int   // lexer tokens in the template source
}

// DefaultLimits are generous for real chat templates (a 100-message tool conversation takes
// well under 1% of them) and stop hostile ones within a fraction of a second.
func DefaultLimits() Limits {
	return Limits{MaxSteps: 20_000_000, MaxOutput: 16 << 20, MaxDepth: 64, MaxTokens: 1 << 20}
}

// Template is a parsed chat template. It is immutable and safe for concurrent Render calls.
type Template struct {
	name   string
	source string
	body   []stmt
	limits Limits
}

// Parse compiles template source. name appears in error messages ("chat template NAME line 3:
// ..."); it may be empty.
func Parse(name, source string) (*Template, error) {
	return ParseLimits(name, source, DefaultLimits())
}

// ParseLimits is Parse with explicit limits.
func ParseLimits(name, source string, lim Limits) (*Template, error) {
	def := DefaultLimits()
	if lim.MaxSteps <= 0 {
		lim.MaxSteps = def.MaxSteps
	}
	if lim.MaxOutput <= 0 {
		lim.MaxOutput = def.MaxOutput
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = def.MaxDepth
	}
	if lim.MaxTokens <= 0 {
		lim.MaxTokens = def.MaxTokens
	}
	toks, err := lex(source, lim.MaxTokens)
	if err == nil {
		var body []stmt
		if body, err = parse(toks); err == nil {
			return &Template{name: name, source: source, body: body, limits: lim}, nil
		}
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		se.Name = name
	}
	return nil, err
}

// Source returns the template text.
func (t *Template) Source() string { return t.source }

// Name returns the name given to Parse.
func (t *Template) Name() string { return t.name }

// Context is what a chat template sees, mirroring apply_chat_template's arguments.
type Context struct {
	// Messages is the conversation. RawMessages, when set, replaces it: a JSON array rendered
	// exactly as given (key order, extra fields), which is what an HTTP server holds.
	Messages    []Message
	RawMessages json.RawMessage

	// Tools are OpenAI-style function schemas, each a JSON object; key order is kept, so
	// `tool | tojson` prints them as given. Nil means no tools (the template sees None).
	Tools []json.RawMessage

	// Documents for RAG templates; nil means None.
	Documents []json.RawMessage

	AddGenerationPrompt bool

	// SpecialTokens are the tokenizer's special tokens by their transformers names
	// (bos_token, eos_token, unk_token, pad_token, ...), passed as template variables.
	SpecialTokens map[string]string
	// AdditionalSpecialTokens become the additional_special_tokens variable when non-nil.
	AdditionalSpecialTokens []string

	// Kwargs are extra template variables (chat_template_kwargs such as enable_thinking).
	// Values are Go values as encoding/json produces them, or json.RawMessage to keep key order.
	Kwargs map[string]any

	// Now is the clock behind strftime_now; nil means time.Now.
	Now func() time.Time

	// ContinueFinalMessage renders the conversation so that the last message (its content, or
	// the last text part of it) is left open for the model to continue, as transformers'
	// continue_final_message does: nothing the template writes after it is kept.
	// It cannot be combined with AddGenerationPrompt.
	ContinueFinalMessage bool
}

// continueTag marks the end of the final message while rendering with ContinueFinalMessage;
// transformers uses the same marker, so templates see identical text.
const continueTag = "CONTINUE_FINAL_MESSAGE_TAG "

// reserved names are apply_chat_template's own arguments; Python rejects them twice given.
var reserved = map[string]bool{"messages": true, "tools": true, "documents": true, "add_generation_prompt": true}

// Render renders the template for ctx.
func (t *Template) Render(ctx Context) (string, error) {
	vars, err := ctx.variables()
	if err != nil {
		return "", fmt.Errorf("%s: %w", displayName(t.name), err)
	}
	now := ctx.Now
	if now == nil {
		now = time.Now
	}
	var final string
	if ctx.ContinueFinalMessage {
		if ctx.AddGenerationPrompt {
			return "", fmt.Errorf("%s: continue_final_message and add_generation_prompt cannot be combined", displayName(t.name))
		}
		if final, err = t.markFinalMessage(vars["messages"].(*List)); err != nil {
			return "", err
		}
	}
	d := NewDict()
	for _, k := range sortedKeys(vars) {
		d.SetStr(k, vars[k])
	}
	out, err := t.renderVars(&evaluator{name: t.name, limits: t.limits, now: now}, d)
	if err != nil || !ctx.ContinueFinalMessage {
		return out, err
	}
	return t.cutAtFinalMessage(out, final)
}

// markFinalMessage appends continueTag to the last message's content (or its last text part)
// and returns the content as it was.
func (t *Template) markFinalMessage(msgs *List) (string, error) {
	fail := func(msg string) (string, error) {
		return "", fmt.Errorf("%s: continue_final_message: %s", displayName(t.name), msg)
	}
	if len(msgs.Items) == 0 {
		return fail("no messages")
	}
	last, ok := msgs.Items[len(msgs.Items)-1].(*Dict)
	if !ok {
		return fail("the final message is not an object")
	}
	content, ok := last.Get("content")
	if !ok || content == nil {
		return fail(`the final message has no "content" to continue`)
	}
	if !strings.Contains(t.source, "content") {
		return fail(`the template never reads "content"`)
	}
	switch c := content.(type) {
	case string:
		last.SetStr("content", c+continueTag)
		return c, nil
	case *List:
		for i := len(c.Items) - 1; i >= 0; i-- {
			part, ok := c.Items[i].(*Dict)
			if !ok {
				continue
			}
			if text, ok := part.Get("text"); ok {
				s := toStr(text)
				part.SetStr("text", s+continueTag)
				return s, nil
			}
		}
	}
	return fail("no text in the final message to continue")
}

// cutAtFinalMessage drops what follows the marked final message, as transformers does.
func (t *Template) cutAtFinalMessage(out, final string) (string, error) {
	tag := strings.TrimSpace(continueTag)
	if !strings.Contains(out, strings.TrimFunc(final, pyIsSpace)) || !strings.Contains(out, tag) {
		return "", fmt.Errorf("%s: continue_final_message: the final message does not appear in the rendered chat", displayName(t.name))
	}
	loc := strings.LastIndex(out, tag)
	if strings.HasPrefix(out[loc:], continueTag) {
		return out[:loc], nil
	}
	return strings.TrimRightFunc(out[:loc], pyIsSpace), nil // the template trimmed the message's tail
}

func (t *Template) renderVars(e *evaluator, vars *Dict) (string, error) {
	if e.now == nil {
		e.now = time.Now
	}
	sc := newScope(globalScope(e.now))
	for i, k := range vars.Keys() {
		if name, ok := k.(string); ok {
			sc.vars[name] = vars.Values()[i]
		}
	}
	var out strings.Builder
	e.out = &out
	if err := e.execBody(t.body, sc); err != nil {
		switch err {
		case errBreak, errContinue:
			return "", &RenderError{Name: t.name, Msg: err.Error()}
		}
		return "", err
	}
	if err := e.overBudget(); err != nil { // spent inside a comparison after the last statement
		return "", &RenderError{Name: t.name, Line: 1, Msg: err.Error()}
	}
	return out.String(), nil
}

func (c *Context) variables() (map[string]Value, error) {
	vars := map[string]Value{}
	for _, k := range sortedKeys(c.SpecialTokens) {
		vars[k] = c.SpecialTokens[k]
	}
	if c.AdditionalSpecialTokens != nil {
		vars["additional_special_tokens"], _ = FromGo(c.AdditionalSpecialTokens)
	}
	for _, k := range sortedKeys(c.Kwargs) {
		if reserved[k] {
			return nil, fmt.Errorf("kwarg %q collides with apply_chat_template's own argument", k)
		}
		v, err := FromGo(c.Kwargs[k])
		if err != nil {
			return nil, fmt.Errorf("kwarg %q: %w", k, err)
		}
		vars[k] = v
	}
	var err error
	if c.RawMessages != nil {
		if vars["messages"], err = FromJSON(c.RawMessages); err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		if _, ok := vars["messages"].(*List); !ok {
			return nil, fmt.Errorf("messages: want a JSON array")
		}
	} else {
		l := &List{Items: make([]Value, len(c.Messages))}
		for i := range c.Messages {
			if l.Items[i], err = c.Messages[i].value(); err != nil {
				return nil, fmt.Errorf("message %d: %w", i, err)
			}
		}
		vars["messages"] = l
	}
	if vars["tools"], err = rawList(c.Tools); err != nil {
		return nil, fmt.Errorf("tools: %w", err)
	}
	if vars["documents"], err = rawList(c.Documents); err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	vars["add_generation_prompt"] = c.AddGenerationPrompt
	return vars, nil
}

func rawList(items []json.RawMessage) (Value, error) {
	if items == nil {
		return nil, nil
	}
	l := &List{Items: make([]Value, len(items))}
	for i, raw := range items {
		v, err := FromJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		l.Items[i] = v
	}
	return l, nil
}
