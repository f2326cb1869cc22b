package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Source is a model's chat templates and the special tokens they are rendered with, as found in
// a Hugging Face folder (tokenizer_config.json, chat_template.jinja,
// additional_chat_templates/*.jinja), a GGUF file's tokenizer.chat_template, or a user file.
type Source struct {
	// Templates by name; a single unnamed template is "default".
	Templates map[string]string
	// Origin says where the templates came from, for error messages.
	Origin string

	SpecialTokens           map[string]string // bos_token, eos_token, ... as transformers passes them
	AdditionalSpecialTokens []string
}

// Special-token keys transformers passes to every template (its special_tokens_map).
var specialTokenKeys = []string{"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}

// FromString wraps one template text, e.g. a GGUF tokenizer.chat_template or a user file.
func FromString(origin, template string) *Source {
	return &Source{Templates: map[string]string{"default": template}, Origin: origin, SpecialTokens: map[string]string{}}
}

// ParseTokenizerConfig reads the chat template(s) and special tokens of a tokenizer_config.json.
// chat_template may be a string or a list of {"name", "template"}; special tokens may be
// strings or AddedToken objects ({"content": ...}).
func ParseTokenizerConfig(origin string, data []byte) (*Source, error) {
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", origin, err)
	}
	s := &Source{Templates: map[string]string{}, Origin: origin, SpecialTokens: map[string]string{}}
	if raw, ok := cfg["chat_template"]; ok && string(raw) != "null" {
		var one string
		var named []struct {
			Name     string `json:"name"`
			Template string `json:"template"`
		}
		switch {
		case json.Unmarshal(raw, &one) == nil:
			s.Templates["default"] = one
		case json.Unmarshal(raw, &named) == nil:
			for _, t := range named {
				if t.Name == "" {
					return nil, fmt.Errorf("%s: chat_template list entry without a name", origin)
				}
				s.Templates[t.Name] = t.Template
			}
		default:
			return nil, fmt.Errorf("%s: chat_template is neither a string nor a list of {name, template}", origin)
		}
	}
	for _, k := range specialTokenKeys {
		raw, ok := cfg[k]
		if !ok {
			continue
		}
		tok, err := tokenContent(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", origin, k, err)
		}
		if tok != nil {
			s.SpecialTokens[k] = *tok
		}
	}
	if raw, ok := cfg["additional_special_tokens"]; ok {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err == nil {
			s.AdditionalSpecialTokens = []string{}
			for _, r := range list {
				if tok, err := tokenContent(r); err == nil && tok != nil {
					s.AdditionalSpecialTokens = append(s.AdditionalSpecialTokens, *tok)
				}
			}
		}
	}
	return s, nil
}

// tokenContent reads "<s>" or {"content": "<s>", ...}; null gives nil.
func tokenContent(raw json.RawMessage) (*string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return &s, nil
	}
	var obj struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil || obj.Content == nil {
		return nil, fmt.Errorf("want a string or an object with content")
	}
	return obj.Content, nil
}

// ErrNoTemplate is wrapped by LoadDir's error for a folder without any chat
// template.
var ErrNoTemplate = errors.New("no chat template")

// LoadDir reads a model or tokenizer folder. As in transformers, chat_template.jinja (and
// additional_chat_templates/NAME.jinja) win over templates inside tokenizer_config.json.
func LoadDir(dir string) (*Source, error) {
	cfgPath := filepath.Join(dir, "tokenizer_config.json")
	var s *Source
	data, err := os.ReadFile(cfgPath)
	switch {
	case err == nil:
		if s, err = ParseTokenizerConfig(cfgPath, data); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		s = &Source{Templates: map[string]string{}, Origin: dir, SpecialTokens: map[string]string{}}
	default:
		return nil, err
	}
	jinjaPath := filepath.Join(dir, "chat_template.jinja")
	if b, err := os.ReadFile(jinjaPath); err == nil {
		s.Templates = map[string]string{"default": string(b)}
		s.Origin = jinjaPath
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, sub := range []string{"additional_chat_templates", "chat_templates"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*.jinja"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			s.Templates[strings.TrimSuffix(filepath.Base(f), ".jinja")] = string(b)
		}
	}
	if len(s.Templates) == 0 {
		return nil, fmt.Errorf("%s: %w (neither chat_template in tokenizer_config.json nor chat_template.jinja)", dir, ErrNoTemplate)
	}
	return s, nil
}

// Select picks a template the way transformers' get_chat_template does: the named one if name is
// given, else "tool_use" when tools are passed and it exists, else "default".
func (s *Source) Select(name string, hasTools bool) (string, string, error) {
	if name != "" {
		t, ok := s.Templates[name]
		if !ok {
			return "", "", fmt.Errorf("%s: no chat template named %q (have %s)", s.Origin, name, strings.Join(s.names(), ", "))
		}
		return name, t, nil
	}
	if t, ok := s.Templates["tool_use"]; ok && hasTools {
		return "tool_use", t, nil
	}
	if t, ok := s.Templates["default"]; ok {
		return "default", t, nil
	}
	return "", "", fmt.Errorf("%s: multiple chat templates and none is named default (have %s)", s.Origin, strings.Join(s.names(), ", "))
}

func (s *Source) names() []string {
	var n []string
	for k := range s.Templates {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Chat is a Source with its templates parsed once, ready to render conversations.
type Chat struct {
	src    *Source
	parsed map[string]*Template
}

// Compile parses every template of s, failing on the first that does not parse.
func (s *Source) Compile() (*Chat, error) {
	c := &Chat{src: s, parsed: map[string]*Template{}}
	for _, name := range s.names() {
		label := s.Origin
		if len(s.Templates) > 1 {
			label += "#" + name
		}
		t, err := Parse(label, s.Templates[name])
		if err != nil {
			return nil, err
		}
		c.parsed[name] = t
	}
	return c, nil
}

// Render picks the template (name may be empty, see Select), fills in the source's special
// tokens where ctx has none, and renders.
func (c *Chat) Render(name string, ctx Context) (string, error) {
	sel, _, err := c.src.Select(name, ctx.Tools != nil)
	if err != nil {
		return "", err
	}
	n := len(ctx.Messages)
	if ctx.RawMessages != nil {
		var raw []json.RawMessage
		if err := json.Unmarshal(ctx.RawMessages, &raw); err != nil {
			return "", fmt.Errorf("messages: %w", err)
		}
		n = len(raw)
	}
	if n == 0 { // as apply_chat_template refuses
		return "", fmt.Errorf("%s: cannot apply a chat template to an empty conversation", c.src.Origin)
	}
	if ctx.SpecialTokens == nil {
		ctx.SpecialTokens = c.src.SpecialTokens
	}
	if ctx.AdditionalSpecialTokens == nil {
		ctx.AdditionalSpecialTokens = c.src.AdditionalSpecialTokens
	}
	return c.parsed[sel].Render(ctx)
}

// Template returns the parsed template called name ("default", "tool_use", ...).
func (c *Chat) Template(name string) (*Template, bool) {
	t, ok := c.parsed[name]
	return t, ok
}

// LoadFile reads a user-supplied template: a tokenizer_config.json-shaped JSON file, or a
// Jinja file taken as the default template (a .jinja file, or anything not ending in .json).
func LoadFile(path string) (*Source, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".json") {
		s, err := ParseTokenizerConfig(path, b)
		if err == nil && len(s.Templates) == 0 {
			err = fmt.Errorf("%s: no chat_template", path)
		}
		return s, err
	}
	return FromString(path, string(b)), nil
}
