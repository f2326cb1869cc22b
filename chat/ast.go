package chat

// Statements. Every node keeps its template line so runtime errors can name it.

type stmt interface{ stmtLine() int }

type pos struct{ line int }

func (p pos) stmtLine() int { return p.line }
func (p pos) exprLine() int { return p.line }

type textStmt struct {
	pos
	text string
}

type outputStmt struct {
	pos
	x expr
}

type ifStmt struct {
	pos
	conds  []expr
	bodies [][]stmt
	orelse []stmt
}

type forStmt struct {
	pos
	targets []string // one name, or several for tuple unpacking (for k, v in d.items())
	iter    expr
	filter  expr // for x in xs if cond
	body    []stmt
	orelse  []stmt
	recurse bool
}

// setStmt assigns to a name, a namespace attribute (ns.attr) or unpacks into several names.
type setStmt struct {
	pos
	names []string
	attr  string // non-empty: names[0] is a namespace, set its attr
	x     expr
}

// setBlockStmt is {% set name %}...{% endset %}.
type setBlockStmt struct {
	pos
	name    string
	filters []*filterExpr // applied to the captured text, innermost first
	body    []stmt
}

type macroStmt struct {
	pos
	name     string
	params   []string
	defaults []expr // aligned with params, nil when none
	body     []stmt
}

type callBlockStmt struct {
	pos
	call   *callExpr
	caller *macroStmt // the body, callable as caller(...)
}

type filterBlockStmt struct {
	pos
	filters []*filterExpr
	body    []stmt
}

type withStmt struct {
	pos
	names []string
	vals  []expr
	body  []stmt
}

type loopCtlStmt struct {
	pos
	brk bool
}

// Expressions.

type expr interface{ exprLine() int }

type constExpr struct {
	pos
	v Value
}

type nameExpr struct {
	pos
	name string
}

type listExpr struct {
	pos
	items []expr
	tuple bool
}

type dictExpr struct {
	pos
	keys, vals []expr
}

type attrExpr struct {
	pos
	x    expr
	name string
}

type itemExpr struct {
	pos
	x, index expr
}

type sliceExpr struct {
	pos
	x                 expr
	start, stop, step expr // nil when omitted
}

type callExpr struct {
	pos
	fn       expr
	args     []expr
	kwName   []string
	kwVals   []expr
	starArgs expr // f(*xs)
	starKw   expr // f(**d)
}

type filterExpr struct {
	pos
	x      expr // nil inside a filter block chain
	name   string
	args   []expr
	kwName []string
	kwVals []expr
}

type testExpr struct {
	pos
	x      expr
	name   string
	args   []expr
	negate bool
}

type unaryExpr struct {
	pos
	op string // "-", "+", "not"
	x  expr
}

type binaryExpr struct {
	pos
	op   string // + - * / // % ** ~ and or
	l, r expr
}

type compareExpr struct {
	pos
	first expr
	ops   []string // == != < <= > >= in notin
	rest  []expr
}

type condExpr struct {
	pos
	cond, then, orelse expr // orelse nil: undefined
}
