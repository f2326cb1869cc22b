package chat

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// RenderError is a failure while rendering, at a template line. Raised is set when the template
// itself called raise_exception(Msg), which callers usually report to the user verbatim.
type RenderError struct {
	Name   string
	Line   int
	Msg    string
	Raised bool
}

func (e *RenderError) Error() string {
	return fmt.Sprintf("%s line %d: %s", displayName(e.Name), e.Line, e.Msg)
}

var (
	errBreak          = errors.New("break outside a loop")
	errContinue       = errors.New("continue outside a loop")
	errOutputTooLarge = errors.New("output too large")
	errAllocTooLarge  = errors.New("allocation budget exhausted")
)

// pyError is a Python-level exception before it gets its template line.
type pyError struct {
	msg    string
	raised bool
}

func (e *pyError) Error() string { return e.msg }

func errf(format string, args ...any) error { return &pyError{msg: fmt.Sprintf(format, args...)} }

type scope struct {
	vars   map[string]Value
	parent *scope
}

func newScope(parent *scope) *scope { return &scope{vars: map[string]Value{}, parent: parent} }

func (s *scope) lookup(name string) (Value, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// Macro is a {% macro %} bound to the scope it was defined in.
type Macro struct {
	Name    string
	def     *macroStmt
	closure *scope
}

type evaluator struct {
	name      string
	out       *strings.Builder
	limits    Limits
	steps     int64
	allocated int64
	depth     int
	now       func() time.Time
	globals   *scope
}

// step charges one unit of work; every statement, expression and loop iteration costs one, so a
// hostile template stops after Limits.MaxSteps instead of hanging.
func (e *evaluator) step() error {
	e.steps++
	if e.steps > e.limits.MaxSteps {
		return errf("template exceeded %d evaluation steps", e.limits.MaxSteps)
	}
	return nil
}

// alloc charges n bytes of a newly built string or list (16 bytes an item) to the render. One
// value may not exceed MaxOutput, and all of them together not 16 times that, so a template that
// keeps doubling strings runs out of budget rather than out of memory.
func (e *evaluator) alloc(n int) error {
	if n > e.limits.MaxOutput {
		return errOutputTooLarge
	}
	e.allocated += int64(n)
	if e.allocated > 16*int64(e.limits.MaxOutput) {
		return errAllocTooLarge
	}
	return nil
}

func (e *evaluator) write(s string) error {
	if e.out.Len()+len(s) > e.limits.MaxOutput {
		return errOutputTooLarge
	}
	e.out.WriteString(s)
	return nil
}

// atLine turns a bare error into a RenderError at line; errors that already have a line keep it.
func (e *evaluator) atLine(err error, line int) error {
	if err == nil || err == errBreak || err == errContinue {
		return err
	}
	var re *RenderError
	if errors.As(err, &re) {
		return err
	}
	msg, raised := err.Error(), false
	var pe *pyError
	if errors.As(err, &pe) {
		raised = pe.raised
	}
	switch err {
	case errOutputTooLarge:
		msg = fmt.Sprintf("a string or the output exceeds %d bytes", e.limits.MaxOutput)
	case errAllocTooLarge:
		msg = fmt.Sprintf("template built more than %d bytes of strings and lists", 16*int64(e.limits.MaxOutput))
	}
	return &RenderError{Name: e.name, Line: line, Msg: msg, Raised: raised}
}

func (e *evaluator) execBody(body []stmt, sc *scope) error {
	for _, s := range body {
		if err := e.exec(s, sc); err != nil {
			return err
		}
	}
	return nil
}

func (e *evaluator) exec(s stmt, sc *scope) error {
	if err := e.step(); err != nil {
		return e.atLine(err, s.stmtLine())
	}
	switch n := s.(type) {
	case *textStmt:
		return e.atLine(e.write(n.text), n.line)
	case *outputStmt:
		v, err := e.eval(n.x, sc)
		if err != nil {
			return err
		}
		return e.atLine(e.write(e.str(v)), n.line)
	case *ifStmt:
		for i, c := range n.conds {
			v, err := e.eval(c, sc)
			if err != nil {
				return err
			}
			if truthy(v) {
				return e.execBody(n.bodies[i], sc)
			}
		}
		return e.execBody(n.orelse, sc)
	case *forStmt:
		it, err := e.eval(n.iter, sc)
		if err != nil {
			return err
		}
		return e.forLoop(n, it, sc, 0)
	case *setStmt:
		return e.set(n, sc)
	case *setBlockStmt:
		text, err := e.capture(n.body, newScope(sc)) // assignments inside stay inside, as in jinja2
		if err != nil {
			return err
		}
		var v Value = text
		for _, f := range n.filters {
			if v, err = e.applyFilter(f, v, sc); err != nil {
				return err
			}
		}
		sc.vars[n.name] = v
		return nil
	case *macroStmt:
		sc.vars[n.name] = &Macro{Name: n.name, def: n, closure: sc}
		return nil
	case *callBlockStmt:
		caller := &Macro{Name: "caller", def: n.caller, closure: sc}
		v, err := e.evalCall(n.call, sc, caller)
		if err != nil {
			return err
		}
		return e.atLine(e.write(e.str(v)), n.line)
	case *filterBlockStmt:
		text, err := e.capture(n.body, newScope(sc))
		if err != nil {
			return err
		}
		var v Value = text
		for _, f := range n.filters {
			if v, err = e.applyFilter(f, v, sc); err != nil {
				return err
			}
		}
		return e.atLine(e.write(e.str(v)), n.line)
	case *withStmt:
		inner := newScope(sc)
		for i, name := range n.names {
			v, err := e.eval(n.vals[i], sc)
			if err != nil {
				return err
			}
			inner.vars[name] = v
		}
		if n.names == nil { // {% generation %}: no new scope
			inner = sc
		}
		return e.execBody(n.body, inner)
	case *loopCtlStmt:
		if n.brk {
			return errBreak
		}
		return errContinue
	}
	return e.atLine(errf("unknown statement %T", s), s.stmtLine())
}

// capture renders body into a string of its own.
func (e *evaluator) capture(body []stmt, sc *scope) (string, error) {
	saved := e.out
	var b strings.Builder
	e.out = &b
	err := e.execBody(body, sc)
	e.out = saved
	if err != nil {
		return "", err
	}
	return b.String(), e.alloc(b.Len())
}

func (e *evaluator) set(n *setStmt, sc *scope) error {
	v, err := e.eval(n.x, sc)
	if err != nil {
		return err
	}
	if n.attr != "" {
		target, ok := sc.lookup(n.names[0])
		d, isDict := target.(*Dict)
		if !ok || !isDict || !d.Namespace {
			return e.atLine(errf("cannot assign attribute on non-namespace object"), n.line)
		}
		d.SetStr(n.attr, v)
		return nil
	}
	return e.bindNames(sc, n.names, v, n.line)
}

// bindNames assigns v to names in sc: whole to a single name, unpacked
// item by item to several (as set and for targets do).
func (e *evaluator) bindNames(sc *scope, names []string, v Value, line int) error {
	if len(names) == 1 {
		sc.vars[names[0]] = v
		return nil
	}
	items, err := e.unpack(v, len(names))
	if err != nil {
		return e.atLine(err, line)
	}
	for i, name := range names {
		sc.vars[name] = items[i]
	}
	return nil
}

func (e *evaluator) unpack(v Value, n int) ([]Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) > n {
		return nil, errf("too many values to unpack (expected %d)", n)
	}
	if len(items) < n {
		return nil, errf("not enough values to unpack (expected %d, got %d)", n, len(items))
	}
	return items, nil
}

func (e *evaluator) forLoop(n *forStmt, it Value, sc *scope, depth int) error {
	if depth > e.limits.MaxDepth {
		return e.atLine(errf("recursive loop nested deeper than %d", e.limits.MaxDepth), n.line)
	}
	all, err := e.iterate(it)
	if err != nil {
		return e.atLine(err, n.line)
	}
	items := all
	if n.filter != nil {
		items = nil
		for _, item := range all {
			inner := newScope(sc)
			if err := e.bindTargets(n, inner, item); err != nil {
				return err
			}
			ok, err := e.eval(n.filter, inner)
			if err != nil {
				return err
			}
			if truthy(ok) {
				items = append(items, item)
			}
		}
	}
	if len(items) == 0 {
		return e.execBody(n.orelse, sc)
	}
	lp := &loopObj{items: items, depth0: depth}
	if n.recurse {
		lp.recurse = func(sub Value) (string, error) {
			saved := e.out
			var b strings.Builder
			e.out = &b
			err := e.forLoop(n, sub, sc, depth+1)
			e.out = saved
			return b.String(), err
		}
	}
	for i, item := range items {
		if err := e.step(); err != nil {
			return e.atLine(err, n.line)
		}
		lp.index0 = i
		inner := newScope(sc)
		if err := e.bindTargets(n, inner, item); err != nil {
			return err
		}
		inner.vars["loop"] = lp
		err := e.execBody(n.body, inner)
		if err == errBreak {
			break
		}
		if err != nil && err != errContinue {
			return err
		}
	}
	return nil
}

func (e *evaluator) bindTargets(n *forStmt, inner *scope, item Value) error {
	return e.bindNames(inner, n.targets, item, n.line)
}

// iterate lists what a for loop visits: list items, dict keys, string characters; an undefined
// value is empty, as in jinja2.
func (e *evaluator) iterate(v Value) ([]Value, error) {
	switch x := v.(type) {
	case *List:
		return x.Items, nil
	case *Dict:
		return x.keys, nil
	case string:
		out := make([]Value, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case *Undefined:
		return nil, nil
	case *Gen:
		return x.take()
	}
	return nil, errf("'%s' object is not iterable", typeName(v))
}

// loopObj is jinja2's `loop` inside a for body.
type loopObj struct {
	items       []Value
	index0      int
	depth0      int
	recurse     func(Value) (string, error)
	lastChanged []Value
	changedSet  bool
}

func (l *loopObj) attr(name string) Value {
	n := len(l.items)
	switch name {
	case "index":
		return int64(l.index0 + 1)
	case "index0":
		return int64(l.index0)
	case "revindex":
		return int64(n - l.index0)
	case "revindex0":
		return int64(n - l.index0 - 1)
	case "first":
		return l.index0 == 0
	case "last":
		return l.index0 == n-1
	case "length":
		return int64(n)
	case "depth":
		return int64(l.depth0 + 1)
	case "depth0":
		return int64(l.depth0)
	case "previtem":
		if l.index0 == 0 {
			return &Undefined{Hint: "there is no previous item"}
		}
		return l.items[l.index0-1]
	case "nextitem":
		if l.index0 >= n-1 {
			return &Undefined{Hint: "there is no next item"}
		}
		return l.items[l.index0+1]
	case "cycle":
		return &Func{Name: "cycle", Call: func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			if len(args) == 0 {
				return nil, errf("no items for cycling given")
			}
			return args[l.index0%len(args)], nil
		}}
	case "changed":
		return &Func{Name: "changed", Call: func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			if l.changedSet && e.equal(&List{Items: args}, &List{Items: l.lastChanged}) {
				return false, nil
			}
			l.changedSet, l.lastChanged = true, args
			return true, nil
		}}
	}
	return &Undefined{Hint: fmt.Sprintf("'LoopContext' object has no attribute '%s'", name)}
}
