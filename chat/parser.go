package chat

import (
	"fmt"
	"strings"
)

// The parser follows jinja2's grammar and operator precedence (lowest first): inline if/else, or,
// and, not, comparisons, + -, ~, * / // %, **, unary - +, then primaries with their postfix
// operators (.attr, [item], (call)) and filters/tests, which bind tightest: -x|abs is (-x)|abs.

type parser struct {
	toks  []token
	i     int
	depth int
	links int // operators in the current tag, see chain
}

const maxParseDepth = 200

func parse(toks []token) ([]stmt, error) {
	p := &parser{toks: toks}
	body, end, err := p.body(nil)
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, p.errAt(p.cur().line, "unexpected '%s'", end)
	}
	return body, nil
}

func (p *parser) cur() token  { return p.toks[p.i] }
func (p *parser) peek() token { return p.toks[min(p.i+1, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) errAt(line int, format string, args ...any) error {
	return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) isOp(op string) bool  { t := p.cur(); return t.kind == tOp && t.val == op }
func (p *parser) isName(n string) bool { t := p.cur(); return t.kind == tName && t.val == n }
func (p *parser) skipOp(op string) bool {
	ok := p.isOp(op)
	p.advanceIf(ok)
	return ok
}
func (p *parser) skipName(n string) bool {
	ok := p.isName(n)
	p.advanceIf(ok)
	return ok
}
func (p *parser) advanceIf(ok bool) bool {
	if ok {
		p.next()
	}
	return ok
}

func (p *parser) expectOp(op string) error {
	if !p.skipOp(op) {
		return p.errAt(p.cur().line, "expected '%s', got %s", op, p.cur())
	}
	return nil
}

func (p *parser) expectName() (string, error) {
	t := p.cur()
	if t.kind != tName {
		return "", p.errAt(t.line, "expected a name, got %s", t)
	}
	p.next()
	return t.val, nil
}

func (p *parser) expectBlockEnd() error {
	if p.cur().kind != tBlockEnd {
		return p.errAt(p.cur().line, "expected end of statement block, got %s", p.cur())
	}
	p.next()
	return nil
}

// body parses statements until one of the end keywords opens a block; it returns that keyword
// with the parser positioned after it (inside the tag).
func (p *parser) body(ends []string) ([]stmt, string, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		return nil, "", p.errAt(p.cur().line, "blocks nested deeper than %d", maxParseDepth)
	}
	var out []stmt
	for {
		t := p.cur()
		switch t.kind {
		case tEOF:
			if len(ends) > 0 {
				return nil, "", p.errAt(t.line, "unexpected end of template, expected '%s'", strings.Join(ends, "' or '"))
			}
			return out, "", nil
		case tText:
			p.next()
			out = append(out, &textStmt{pos{t.line}, t.val})
		case tVarBegin:
			p.next()
			p.links = 0
			x, err := p.expr()
			if err != nil {
				return nil, "", err
			}
			if p.cur().kind != tVarEnd {
				return nil, "", p.errAt(p.cur().line, "expected end of print statement, got %s", p.cur())
			}
			p.next()
			out = append(out, &outputStmt{pos{t.line}, x})
		case tBlockBegin:
			p.next()
			p.links = 0
			kw := p.cur()
			if kw.kind != tName {
				return nil, "", p.errAt(kw.line, "expected a statement name, got %s", kw)
			}
			for _, e := range ends {
				if kw.val == e {
					p.next()
					return out, e, nil
				}
			}
			s, err := p.statement()
			if err != nil {
				return nil, "", err
			}
			out = append(out, s)
		default:
			return nil, "", p.errAt(t.line, "unexpected %s", t)
		}
	}
}

func (p *parser) statement() (stmt, error) {
	kw := p.next()
	line := kw.line
	switch kw.val {
	case "if":
		return p.ifStmt(line)
	case "for":
		return p.forStmt(line)
	case "set":
		return p.setStmt(line)
	case "macro":
		return p.macroStmt(line)
	case "call":
		return p.callBlock(line)
	case "filter":
		return p.filterBlock(line)
	case "with":
		return p.withStmt(line)
	case "break", "continue":
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		return &loopCtlStmt{pos{line}, kw.val == "break"}, nil
	case "generation":
		// transformers' AssistantTracker tag: marks assistant text, renders its body unchanged.
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, _, err := p.body([]string{"endgeneration"})
		if err != nil {
			return nil, err
		}
		return &withStmt{pos: pos{line}, body: body}, p.expectBlockEnd()
	case "include", "extends", "import", "from", "block":
		return nil, p.errAt(line, "'%s' is not supported in chat templates", kw.val)
	}
	return nil, p.errAt(line, "unknown statement '%s'", kw.val)
}

func (p *parser) ifStmt(line int) (stmt, error) {
	s := &ifStmt{pos: pos{line}}
	for {
		cond, err := p.condNoIf() // jinja2 takes no inline if-expression here
		if err != nil {
			return nil, err
		}
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		body, end, err := p.body([]string{"elif", "else", "endif"})
		if err != nil {
			return nil, err
		}
		s.conds = append(s.conds, cond)
		s.bodies = append(s.bodies, body)
		switch end {
		case "elif":
			continue
		case "else":
			if err := p.expectBlockEnd(); err != nil {
				return nil, err
			}
			s.orelse, _, err = p.body([]string{"endif"})
			if err != nil {
				return nil, err
			}
		}
		return s, p.expectBlockEnd()
	}
}

// targets parses assignment targets: a name, names separated by commas, or either in parens.
func (p *parser) targets() ([]string, error) {
	paren := p.skipOp("(")
	var names []string
	for {
		n, err := p.expectName()
		if err != nil {
			return nil, err
		}
		names = append(names, n)
		if !p.skipOp(",") || paren && p.isOp(")") {
			break
		}
	}
	if paren {
		return names, p.expectOp(")")
	}
	return names, nil
}

func (p *parser) forStmt(line int) (stmt, error) {
	s := &forStmt{pos: pos{line}}
	var err error
	if s.targets, err = p.targets(); err != nil {
		return nil, err
	}
	if !p.skipName("in") {
		return nil, p.errAt(p.cur().line, "expected 'in' in for loop, got %s", p.cur())
	}
	iter, err := p.condNoIf()
	if err != nil {
		return nil, err
	}
	s.iter = iter
	if p.skipName("if") {
		if s.filter, err = p.condNoIf(); err != nil {
			return nil, err
		}
	}
	s.recurse = p.skipName("recursive")
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	body, end, err := p.body([]string{"else", "endfor"})
	if err != nil {
		return nil, err
	}
	s.body = body
	if end == "else" {
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		if s.orelse, _, err = p.body([]string{"endfor"}); err != nil {
			return nil, err
		}
	}
	return s, p.expectBlockEnd()
}

// condNoIf parses an expression without the trailing inline "if" (the for-loop filter owns it).
func (p *parser) condNoIf() (expr, error) { return p.or() }

func (p *parser) setStmt(line int) (stmt, error) {
	if p.isOp("(") { // {% set (a, b) = pair %}
		names, err := p.targets()
		if err != nil {
			return nil, err
		}
		s := &setStmt{pos: pos{line}, names: names}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		if s.x, err = p.tupleOrExpr(); err != nil {
			return nil, err
		}
		return s, p.expectBlockEnd()
	}
	first, err := p.expectName()
	if err != nil {
		return nil, err
	}
	s := &setStmt{pos: pos{line}, names: []string{first}}
	if p.skipOp(".") {
		if s.attr, err = p.expectName(); err != nil {
			return nil, err
		}
	} else {
		for p.skipOp(",") {
			n, err := p.expectName()
			if err != nil {
				return nil, err
			}
			s.names = append(s.names, n)
		}
	}
	if !p.skipOp("=") {
		if s.attr != "" || len(s.names) > 1 {
			return nil, p.errAt(p.cur().line, "expected '=' in set, got %s", p.cur())
		}
		blk := &setBlockStmt{pos: pos{line}, name: first}
		for p.skipOp("|") {
			f, err := p.filterCall(nil)
			if err != nil {
				return nil, err
			}
			blk.filters = append(blk.filters, f)
		}
		if err := p.expectBlockEnd(); err != nil {
			return nil, err
		}
		if blk.body, _, err = p.body([]string{"endset"}); err != nil {
			return nil, err
		}
		return blk, p.expectBlockEnd()
	}
	if s.x, err = p.tupleOrExpr(); err != nil {
		return nil, err
	}
	return s, p.expectBlockEnd()
}

// tupleOrExpr parses "a, b" (a tuple, as a list) or a single expression.
func (p *parser) tupleOrExpr() (expr, error) {
	line := p.cur().line
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return x, nil
	}
	items := []expr{x}
	for p.skipOp(",") {
		if p.cur().kind == tBlockEnd {
			break
		}
		y, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, y)
	}
	return &listExpr{pos{line}, items, true}, nil
}

func (p *parser) macroStmt(line int) (stmt, error) {
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	m := &macroStmt{pos: pos{line}, name: name}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	if err := p.params(m); err != nil {
		return nil, err
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	if m.body, _, err = p.body([]string{"endmacro"}); err != nil {
		return nil, err
	}
	return m, p.expectBlockEnd()
}

// params parses a macro's (or caller's) parameter list after "(" through ")".
func (p *parser) params(m *macroStmt) error {
	for !p.skipOp(")") {
		if len(m.params) > 0 {
			if err := p.expectOp(","); err != nil {
				return err
			}
			if p.skipOp(")") {
				break
			}
		}
		pn, err := p.expectName()
		if err != nil {
			return err
		}
		var def expr
		if p.skipOp("=") {
			if def, err = p.expr(); err != nil {
				return err
			}
		}
		m.params = append(m.params, pn)
		m.defaults = append(m.defaults, def)
	}
	return nil
}

func (p *parser) callBlock(line int) (stmt, error) {
	caller := &macroStmt{pos: pos{line}, name: "caller"}
	if p.skipOp("(") { // {% call(item) list(items) %}: caller takes parameters
		if err := p.params(caller); err != nil {
			return nil, err
		}
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	c, ok := x.(*callExpr)
	if !ok {
		return nil, p.errAt(line, "expected a call in {%% call %%}")
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	if caller.body, _, err = p.body([]string{"endcall"}); err != nil {
		return nil, err
	}
	return &callBlockStmt{pos{line}, c, caller}, p.expectBlockEnd()
}

func (p *parser) filterBlock(line int) (stmt, error) {
	s := &filterBlockStmt{pos: pos{line}}
	for {
		f, err := p.filterCall(nil)
		if err != nil {
			return nil, err
		}
		s.filters = append(s.filters, f)
		if !p.skipOp("|") {
			break
		}
	}
	if err := p.expectBlockEnd(); err != nil {
		return nil, err
	}
	body, _, err := p.body([]string{"endfilter"})
	if err != nil {
		return nil, err
	}
	s.body = body
	return s, p.expectBlockEnd()
}

func (p *parser) withStmt(line int) (stmt, error) {
	s := &withStmt{pos: pos{line}}
	for p.cur().kind != tBlockEnd {
		if len(s.names) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		n, err := p.expectName()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		s.names, s.vals = append(s.names, n), append(s.vals, v)
	}
	p.next()
	body, _, err := p.body([]string{"endwith"})
	if err != nil {
		return nil, err
	}
	s.body = body
	return s, p.expectBlockEnd()
}

// ---- expressions ----

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxParseDepth {
		return p.errAt(p.cur().line, "expression nested deeper than %d", maxParseDepth)
	}
	return nil
}

func (p *parser) expr() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	line := p.cur().line
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	for p.skipName("if") {
		cond, err := p.or()
		if err != nil {
			return nil, err
		}
		var orelse expr
		if p.skipName("else") {
			if orelse, err = p.expr(); err != nil {
				return nil, err
			}
		}
		x = &condExpr{pos{line}, cond, x, orelse}
	}
	return x, nil
}

func (p *parser) or() (expr, error) {
	line := p.cur().line // jinja2 dates an operator node from its left operand
	x, err := p.and()
	for err == nil && p.isName("or") {
		p.next()
		if err = p.chain(); err != nil {
			break
		}
		var y expr
		if y, err = p.and(); err == nil {
			x = &binaryExpr{pos{line}, "or", x, y}
		}
	}
	return x, err
}

func (p *parser) and() (expr, error) {
	line := p.cur().line
	x, err := p.not()
	for err == nil && p.isName("and") {
		p.next()
		if err = p.chain(); err != nil {
			break
		}
		var y expr
		if y, err = p.not(); err == nil {
			x = &binaryExpr{pos{line}, "and", x, y}
		}
	}
	return x, err
}

func (p *parser) not() (expr, error) {
	if p.isName("not") {
		line := p.next().line
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{pos{line}, "not", x}, nil
	}
	return p.compare()
}

func (p *parser) compare() (expr, error) {
	line := p.cur().line
	x, err := p.math1()
	if err != nil {
		return nil, err
	}
	c := &compareExpr{pos: pos{line}, first: x}
	for {
		var op string
		t := p.cur()
		switch {
		case t.kind == tOp && (t.val == "==" || t.val == "!=" || t.val == "<" || t.val == "<=" || t.val == ">" || t.val == ">="):
			op = t.val
			p.next()
		case p.isName("in"):
			op = "in"
			p.next()
		case p.isName("not") && p.peek().kind == tName && p.peek().val == "in":
			op = "notin"
			p.next()
			p.next()
		default:
			if len(c.ops) == 0 {
				return x, nil
			}
			return c, nil
		}
		y, err := p.math1()
		if err != nil {
			return nil, err
		}
		c.ops = append(c.ops, op)
		c.rest = append(c.rest, y)
	}
}

func (p *parser) binaryLevel(ops []string, next func() (expr, error)) (expr, error) {
	line := p.cur().line
	x, err := next()
	for err == nil {
		t := p.cur()
		matched := ""
		for _, op := range ops {
			if t.kind == tOp && t.val == op {
				matched = op
			}
		}
		if matched == "" {
			break
		}
		p.next()
		if err = p.chain(); err != nil {
			break
		}
		var y expr
		if y, err = next(); err == nil {
			x = &binaryExpr{pos{line}, matched, x, y}
		}
	}
	return x, err
}

func (p *parser) math1() (expr, error) { return p.binaryLevel([]string{"+", "-"}, p.concat) }
func (p *parser) concat() (expr, error) {
	return p.binaryLevel([]string{"~"}, p.math2)
}
func (p *parser) math2() (expr, error) {
	return p.binaryLevel([]string{"*", "/", "//", "%"}, p.pow)
}
func (p *parser) pow() (expr, error) {
	return p.binaryLevel([]string{"**"}, func() (expr, error) { return p.unary(true) })
}

func (p *parser) unary(withFilter bool) (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := p.cur()
	var x expr
	var err error
	if t.kind == tOp && (t.val == "-" || t.val == "+") {
		p.next()
		var y expr
		if y, err = p.unary(false); err != nil {
			return nil, err
		}
		x = &unaryExpr{pos{t.line}, t.val, y}
	} else if x, err = p.primary(); err != nil {
		return nil, err
	}
	if x, err = p.postfix(x); err != nil {
		return nil, err
	}
	if withFilter {
		return p.filterTail(x)
	}
	return x, nil
}

func (p *parser) primary() (expr, error) {
	t := p.cur()
	switch t.kind {
	case tName:
		p.next()
		switch t.val {
		case "true", "True":
			return &constExpr{pos{t.line}, true}, nil
		case "false", "False":
			return &constExpr{pos{t.line}, false}, nil
		case "none", "None":
			return &constExpr{pos{t.line}, nil}, nil
		}
		return &nameExpr{pos{t.line}, t.val}, nil
	case tString:
		s := p.next().val
		for p.cur().kind == tString { // adjacent literals concatenate, as in Python
			s += p.next().val
		}
		return &constExpr{pos{t.line}, s}, nil
	case tInt, tFloat:
		p.next()
		return &constExpr{pos{t.line}, t.num}, nil
	case tOp:
		switch t.val {
		case "(":
			p.next()
			if p.skipOp(")") {
				return &listExpr{pos{t.line}, nil, true}, nil
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(",") {
				items := []expr{x}
				for p.skipOp(",") {
					if p.isOp(")") {
						break
					}
					y, err := p.expr()
					if err != nil {
						return nil, err
					}
					items = append(items, y)
				}
				x = &listExpr{pos{t.line}, items, true}
			}
			return x, p.expectOp(")")
		case "[":
			p.next()
			l := &listExpr{pos: pos{t.line}}
			for !p.skipOp("]") {
				if len(l.items) > 0 {
					if err := p.expectOp(","); err != nil {
						return nil, err
					}
					if p.skipOp("]") {
						break
					}
				}
				x, err := p.expr()
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, x)
			}
			return l, nil
		case "{":
			p.next()
			d := &dictExpr{pos: pos{t.line}}
			for !p.skipOp("}") {
				if len(d.keys) > 0 {
					if err := p.expectOp(","); err != nil {
						return nil, err
					}
					if p.skipOp("}") {
						break
					}
				}
				k, err := p.expr()
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := p.expr()
				if err != nil {
					return nil, err
				}
				d.keys, d.vals = append(d.keys, k), append(d.vals, v)
			}
			return d, nil
		}
	}
	return nil, p.errAt(t.line, "unexpected %s", t)
}

// chain counts one more link of a left-nested chain (a+b+c, x.a.b, x|f|g): evaluation recurses
// once per link, so their number is bounded like nesting is.
func (p *parser) chain() error {
	p.links++
	if p.links > maxChainLinks {
		return p.errAt(p.cur().line, "expression longer than %d operators", maxChainLinks)
	}
	return nil
}

const maxChainLinks = 10000

func (p *parser) postfix(x expr) (expr, error) {
	for {
		if err := p.chain(); err != nil {
			return nil, err
		}
		t := p.cur()
		switch {
		case t.kind == tOp && t.val == ".":
			p.next()
			n := p.cur()
			switch n.kind {
			case tName:
				p.next()
				x = &attrExpr{pos{t.line}, x, n.val}
			case tInt:
				p.next()
				x = &itemExpr{pos{t.line}, x, &constExpr{pos{t.line}, n.num}}
			default:
				return nil, p.errAt(n.line, "expected an attribute name, got %s", n)
			}
		case t.kind == tOp && t.val == "[":
			p.next()
			y, err := p.subscript(x, t.line)
			if err != nil {
				return nil, err
			}
			x = y
		case t.kind == tOp && t.val == "(":
			c, err := p.callArgs(x, t.line)
			if err != nil {
				return nil, err
			}
			x = c
		default:
			return x, nil
		}
	}
}

func (p *parser) subscript(x expr, line int) (expr, error) {
	var parts [3]expr
	n := 0
	isSlice := false
	for {
		if p.isOp(":") {
			isSlice = true
			p.next()
			n++
			if n > 2 {
				return nil, p.errAt(line, "too many ':' in slice")
			}
			continue
		}
		if p.skipOp("]") {
			break
		}
		if parts[n] != nil {
			return nil, p.errAt(p.cur().line, "expected ']' or ':', got %s", p.cur())
		}
		y, err := p.expr()
		if err != nil {
			return nil, err
		}
		parts[n] = y
	}
	if !isSlice {
		if parts[0] == nil {
			return nil, p.errAt(line, "empty subscript")
		}
		return &itemExpr{pos{line}, x, parts[0]}, nil
	}
	return &sliceExpr{pos{line}, x, parts[0], parts[1], parts[2]}, nil
}

func (p *parser) callArgs(fn expr, line int) (*callExpr, error) {
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	c := &callExpr{pos: pos{line}, fn: fn}
	err := p.callArgList(c)
	return c, err
}

// callArgList is argList plus Python's *args and **kwargs, which calls (not filters) accept.
func (p *parser) callArgList(c *callExpr) error {
	for !p.skipOp(")") {
		if len(c.args)+len(c.kwName) > 0 || c.starArgs != nil || c.starKw != nil {
			if err := p.expectOp(","); err != nil {
				return err
			}
			if p.skipOp(")") {
				break
			}
		}
		switch {
		case p.isOp("**"):
			p.next()
			x, err := p.expr()
			if err != nil {
				return err
			}
			c.starKw = x
		case p.isOp("*"):
			p.next()
			x, err := p.expr()
			if err != nil {
				return err
			}
			c.starArgs = x
		case p.cur().kind == tName && p.peek().kind == tOp && p.peek().val == "=":
			c.kwName = append(c.kwName, p.next().val)
			p.next()
			v, err := p.expr()
			if err != nil {
				return err
			}
			c.kwVals = append(c.kwVals, v)
		default:
			if len(c.kwName) > 0 || c.starArgs != nil || c.starKw != nil {
				return p.errAt(p.cur().line, "positional argument follows keyword argument")
			}
			v, err := p.expr()
			if err != nil {
				return err
			}
			c.args = append(c.args, v)
		}
	}
	return nil
}

// argList parses call arguments after "(" up to and including ")".
func (p *parser) argList() ([]expr, []string, []expr, error) {
	var args []expr
	var kwn []string
	var kwv []expr
	for !p.skipOp(")") {
		if len(args)+len(kwn) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, nil, nil, err
			}
			if p.skipOp(")") {
				break
			}
		}
		if p.cur().kind == tName && p.peek().kind == tOp && p.peek().val == "=" {
			kwn = append(kwn, p.next().val)
			p.next()
			v, err := p.expr()
			if err != nil {
				return nil, nil, nil, err
			}
			kwv = append(kwv, v)
			continue
		}
		if len(kwn) > 0 {
			return nil, nil, nil, p.errAt(p.cur().line, "positional argument follows keyword argument")
		}
		v, err := p.expr()
		if err != nil {
			return nil, nil, nil, err
		}
		args = append(args, v)
	}
	return args, kwn, kwv, nil
}

func (p *parser) filterTail(x expr) (expr, error) {
	for {
		if err := p.chain(); err != nil {
			return nil, err
		}
		switch {
		case p.isOp("|"):
			p.next()
			f, err := p.filterCall(x)
			if err != nil {
				return nil, err
			}
			x = f
		case p.isName("is"):
			line := p.next().line
			neg := p.skipName("not")
			name, err := p.dottedName()
			if err != nil {
				return nil, err
			}
			te := &testExpr{pos: pos{line}, x: x, name: name, negate: neg}
			if p.isOp("(") {
				p.next()
				args, _, _, err := p.argList()
				if err != nil {
					return nil, err
				}
				te.args = args
			} else if t := p.cur(); t.kind == tString || t.kind == tInt || t.kind == tFloat ||
				t.kind == tName && t.val != "else" && t.val != "or" && t.val != "and" ||
				t.kind == tOp && (t.val == "(" || t.val == "[" || t.val == "{") {
				// jinja2 allows one argument without parentheses: x is divisibleby 3, x is sameas false
				if p.isName("is") {
					return nil, p.errAt(t.line, "you cannot chain multiple tests with is")
				}
				arg, err := p.primary()
				if err == nil {
					arg, err = p.postfix(arg)
				}
				if err != nil {
					return nil, err
				}
				te.args = []expr{arg}
			}
			x = te
		default:
			return x, nil
		}
	}
}

func (p *parser) dottedName() (string, error) {
	n, err := p.expectName()
	for err == nil && p.isOp(".") && p.peek().kind == tName {
		p.next()
		n += "." + p.next().val
	}
	return n, err
}

func (p *parser) filterCall(x expr) (*filterExpr, error) {
	line := p.cur().line
	name, err := p.dottedName()
	if err != nil {
		return nil, err
	}
	f := &filterExpr{pos: pos{line}, x: x, name: name}
	if p.skipOp("(") {
		f.args, f.kwName, f.kwVals, err = p.argList()
	}
	return f, err
}
