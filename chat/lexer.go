package chat

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexer splits a template into text and tag tokens the way jinja2's lexer does under the
// settings transformers uses: trim_blocks (drop the newline right after a block or comment tag)
// and lstrip_blocks (drop spaces and tabs before a block or comment tag that starts its line),
// plus the "-" and "+" whitespace modifiers.

type tokKind int

const (
	tEOF tokKind = iota
	tText
	tVarBegin
	tVarEnd
	tBlockBegin
	tBlockEnd
	tName
	tString
	tInt
	tFloat
	tOp
)

type token struct {
	kind tokKind
	val  string
	line int
	num  Value // tInt/tFloat value
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of template"
	case tText:
		return "template data"
	case tVarBegin:
		return "'{{'"
	case tVarEnd:
		return "'}}'"
	case tBlockBegin:
		return "'{%'"
	case tBlockEnd:
		return "'%}'"
	case tString:
		return "string"
	case tInt, tFloat:
		return "number " + t.val
	}
	return "'" + t.val + "'"
}

// SyntaxError is a template that cannot be parsed.
type SyntaxError struct {
	Name string // template name, may be empty
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s line %d: %s", displayName(e.Name), e.Line, e.Msg)
}

func displayName(name string) string {
	if name == "" {
		return "chat template"
	}
	return "chat template " + name
}

type lexer struct {
	src          string
	pos          int
	line         int
	toks         []token
	lineStarting bool // the previous tag's end consumed a newline (or nothing came yet)
	maxTokens    int
}

var operators = []string{"//", "**", "==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "~", "<", ">", "=", ".", ":", "|", ",", "(", ")", "[", "]", "{", "}"}

func lex(src string, maxTokens int) ([]token, error) {
	// jinja2 first turns every \r\n and \r into \n and, keep_trailing_newline being off,
	// drops one newline that ends the template.
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	src = strings.TrimSuffix(src, "\n")
	lx := &lexer{src: src, line: 1, lineStarting: true, maxTokens: maxTokens}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.toks, nil
}

func (lx *lexer) errf(line int, format string, args ...any) error {
	return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (lx *lexer) emit(kind tokKind, val string, line int) error {
	if lx.maxTokens > 0 && len(lx.toks) >= lx.maxTokens {
		return lx.errf(line, "template too large (over %d tokens)", lx.maxTokens)
	}
	lx.toks = append(lx.toks, token{kind: kind, val: val, line: line})
	return nil
}

// advance moves pos to p, counting newlines.
func (lx *lexer) advance(p int) {
	lx.line += strings.Count(lx.src[lx.pos:p], "\n")
	lx.pos = p
}

func nextTagStart(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '{' && (s[i+1] == '{' || s[i+1] == '%' || s[i+1] == '#') {
			return i
		}
	}
	return -1
}

func (lx *lexer) run() error {
	for lx.pos < len(lx.src) {
		rel := nextTagStart(lx.src[lx.pos:])
		if rel < 0 {
			if err := lx.emit(tText, lx.src[lx.pos:], lx.line); err != nil {
				return err
			}
			lx.advance(len(lx.src))
			break
		}
		start := lx.pos + rel
		text := lx.src[lx.pos:start]
		kind := lx.src[start+1]
		mod := byte(0)
		if start+2 < len(lx.src) && (lx.src[start+2] == '-' || lx.src[start+2] == '+') {
			mod = lx.src[start+2]
		}
		switch {
		case mod == '-':
			text = strings.TrimRightFunc(text, pyIsSpace)
		case mod != '+' && kind != '{':
			text = lstripBlock(text, lx.lineStarting)
		}
		if text != "" {
			if err := lx.emit(tText, text, lx.line); err != nil {
				return err
			}
		}
		lx.advance(start)
		var err error
		switch kind {
		case '#':
			err = lx.comment()
		case '%':
			if ok, rerr := lx.raw(); ok || rerr != nil {
				err = rerr
			} else {
				err = lx.tag(tBlockBegin, tBlockEnd, "%}")
			}
		default:
			err = lx.tag(tVarBegin, tVarEnd, "}}")
		}
		if err != nil {
			return err
		}
	}
	return lx.emit(tEOF, "", lx.line)
}

// lstripBlock removes the indentation before a block tag when only whitespace separates the tag
// from the start of its line.
func lstripBlock(text string, lineStarting bool) string {
	lpos := strings.LastIndexByte(text, '\n') + 1
	if lpos == 0 && !lineStarting {
		return text
	}
	rest := text[lpos:]
	if rest == "" {
		return text
	}
	for _, r := range rest {
		if !pyIsSpace(r) {
			return text
		}
	}
	return text[:lpos]
}

// afterEnd applies the end delimiter's whitespace rule from pos: "-" strips all whitespace,
// trim_blocks drops one "\n" after a block or comment tag.
func (lx *lexer) afterEnd(end int, strip, trim bool) {
	p := end
	if strip {
		for p < len(lx.src) {
			r, n := utf8.DecodeRuneInString(lx.src[p:])
			if !pyIsSpace(r) {
				break
			}
			p += n
		}
	} else if trim && p < len(lx.src) && lx.src[p] == '\n' {
		p++
	}
	lx.lineStarting = p > 0 && lx.src[p-1] == '\n'
	lx.advance(p)
}

func (lx *lexer) comment() error {
	line := lx.line
	rel := strings.Index(lx.src[lx.pos+2:], "#}")
	if rel < 0 {
		return lx.errf(line, "missing end of comment tag")
	}
	end := lx.pos + 2 + rel
	strip := end > lx.pos+2 && lx.src[end-1] == '-'
	keep := end > lx.pos+2 && lx.src[end-1] == '+'
	lx.afterEnd(end+2, strip, !keep)
	return nil
}

// raw handles {% raw %}...{% endraw %}: the body is text, not template code.
func (lx *lexer) raw() (bool, error) {
	p := lx.pos + 2
	if p < len(lx.src) && (lx.src[p] == '-' || lx.src[p] == '+') {
		p++
	}
	q := skipSpaces(lx.src, p)
	if !strings.HasPrefix(lx.src[q:], "raw") {
		return false, nil
	}
	q = skipSpaces(lx.src, q+3)
	strip := false
	if q < len(lx.src) && lx.src[q] == '-' {
		strip, q = true, q+1
	}
	if !strings.HasPrefix(lx.src[q:], "%}") {
		return false, nil
	}
	line := lx.line
	lx.afterEnd(q+2, strip, true)
	bodyStart := lx.pos
	for i := bodyStart; i < len(lx.src); i++ {
		if !strings.HasPrefix(lx.src[i:], "{%") {
			continue
		}
		j := i + 2
		endMod := byte(0)
		if j < len(lx.src) && (lx.src[j] == '-' || lx.src[j] == '+') {
			endMod, j = lx.src[j], j+1
		}
		j = skipSpaces(lx.src, j)
		if !strings.HasPrefix(lx.src[j:], "endraw") {
			continue
		}
		j = skipSpaces(lx.src, j+6)
		tailStrip := false
		if j < len(lx.src) && lx.src[j] == '-' {
			tailStrip, j = true, j+1
		}
		if !strings.HasPrefix(lx.src[j:], "%}") {
			continue
		}
		body := lx.src[bodyStart:i]
		if endMod == '-' {
			body = strings.TrimRightFunc(body, pyIsSpace)
		} else if endMod != '+' {
			body = lstripBlock(body, false)
		}
		if body != "" {
			if err := lx.emit(tText, body, lx.line); err != nil {
				return true, err
			}
		}
		lx.advance(i)
		lx.afterEnd(j+2, tailStrip, true)
		return true, nil
	}
	return true, lx.errf(line, "missing end of raw directive")
}

func skipSpaces(s string, p int) int {
	for p < len(s) && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r') {
		p++
	}
	return p
}

// tag lexes the expression tokens of one {{ }} or {% %} tag.
func (lx *lexer) tag(begin, endKind tokKind, end string) error {
	line := lx.line
	if err := lx.emit(begin, "", line); err != nil {
		return err
	}
	p := lx.pos + 2
	if p < len(lx.src) && (lx.src[p] == '-' || lx.src[p] == '+') {
		p++
	}
	lx.advance(p)
	depth := 0 // open brackets: "}}" inside {{ {'a': {'b': 1}} }} closes a dict, not the tag
	for {
		lx.advance(skipSpaces(lx.src, lx.pos))
		if lx.pos >= len(lx.src) {
			what := "print statement"
			if begin == tBlockBegin {
				what = "block statement"
			}
			return lx.errf(line, "unexpected end of template, expected end of %s", what)
		}
		rest := lx.src[lx.pos:]
		if depth == 0 {
			switch {
			case strings.HasPrefix(rest, "-"+end):
				if err := lx.emit(endKind, "", lx.line); err != nil {
					return err
				}
				lx.afterEnd(lx.pos+3, true, false)
				return nil
			case begin == tBlockBegin && strings.HasPrefix(rest, "+"+end):
				if err := lx.emit(endKind, "", lx.line); err != nil {
					return err
				}
				lx.afterEnd(lx.pos+3, false, false)
				return nil
			case strings.HasPrefix(rest, end):
				if err := lx.emit(endKind, "", lx.line); err != nil {
					return err
				}
				lx.afterEnd(lx.pos+2, false, begin == tBlockBegin)
				return nil
			}
		}
		if err := lx.exprToken(&depth); err != nil {
			return err
		}
	}
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }

func (lx *lexer) exprToken(depth *int) error {
	s, p, line := lx.src, lx.pos, lx.line
	c := s[p]
	switch {
	case isNameStart(c):
		q := p + 1
		for q < len(s) && (isNameStart(s[q]) || isDigit(s[q])) {
			q++
		}
		if err := lx.emit(tName, s[p:q], line); err != nil {
			return err
		}
		lx.advance(q)
		return nil
	case isDigit(c):
		return lx.number()
	case c == '\'' || c == '"':
		return lx.str()
	}
	for _, op := range operators {
		if strings.HasPrefix(s[p:], op) {
			switch op {
			case "(", "[", "{":
				*depth++
			case ")", "]", "}":
				if *depth > 0 {
					*depth--
				}
			}
			if err := lx.emit(tOp, op, line); err != nil {
				return err
			}
			lx.advance(p + len(op))
			return nil
		}
	}
	r, _ := utf8.DecodeRuneInString(s[p:])
	return lx.errf(line, "unexpected char %q", r)
}

func (lx *lexer) number() error {
	s, p, line := lx.src, lx.pos, lx.line
	q := p
	digits := func() {
		for q < len(s) && (isDigit(s[q]) || s[q] == '_' && q+1 < len(s) && isDigit(s[q+1])) {
			q++
		}
	}
	digits()
	isFloat := false
	afterDot := p > 0 && s[p-1] == '.' // matrix.0.1 is two subscripts, not 0.1
	if !afterDot && q+1 < len(s) && s[q] == '.' && isDigit(s[q+1]) {
		isFloat = true
		q++
		digits()
	}
	if !afterDot && q < len(s) && (s[q] == 'e' || s[q] == 'E') {
		r := q + 1
		if r < len(s) && (s[r] == '+' || s[r] == '-') {
			r++
		}
		if r < len(s) && isDigit(s[r]) {
			isFloat = true
			q = r
			digits()
		}
	}
	lit := strings.ReplaceAll(s[p:q], "_", "")
	tok := token{kind: tInt, val: s[p:q], line: line}
	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return lx.errf(line, "bad number %q", s[p:q])
		}
		tok.kind, tok.num = tFloat, f
	} else {
		tok.num = jsonNumber(lit) // int64, or *big.Int beyond it
	}
	if lx.maxTokens > 0 && len(lx.toks) >= lx.maxTokens {
		return lx.errf(line, "template too large (over %d tokens)", lx.maxTokens)
	}
	lx.toks = append(lx.toks, tok)
	lx.advance(q)
	return nil
}

func (lx *lexer) str() error {
	s, p, line := lx.src, lx.pos, lx.line
	q := s[p]
	i := p + 1
	for i < len(s) && s[i] != q {
		if s[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(s) {
		return lx.errf(line, "unterminated string")
	}
	val, uerr := unescape(strings.ReplaceAll(strings.ReplaceAll(s[p+1:i], "\r\n", "\n"), "\r", "\n"))
	if uerr != nil {
		return lx.errf(line, "%v", uerr)
	}
	if err := lx.emit(tString, val, line); err != nil {
		return err
	}
	lx.advance(i + 1)
	return nil
}

// unescape applies Python's unicode-escape rules, which jinja2 uses for string literals;
// unknown escapes keep their backslash, malformed ones are errors as in Python.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n > len(s) {
				return "", fmt.Errorf("truncated \\%c escape", e)
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil || strings.ContainsAny(s[i+1:i+1+n], "+-_") {
				return "", fmt.Errorf("truncated \\%c escape", e)
			}
			if v > utf8.MaxRune {
				return "", fmt.Errorf("illegal Unicode character")
			}
			b.WriteRune(rune(v))
			i += n
		case 'N':
			return "", fmt.Errorf("malformed \\N character escape (named escapes are not supported)")
		default:
			if e >= '0' && e <= '7' {
				j := i
				v := 0
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					v = v*8 + int(s[j]-'0')
					j++
				}
				b.WriteRune(rune(v))
				i = j - 1
				continue
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}
