package chat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

func undefinedErr(u *Undefined) error {
	if u.Hint == "" {
		return errf("value is undefined")
	}
	return errf("%s", u.Hint)
}

// eval evaluates x; errors come back as RenderErrors at the innermost failing line.
func (e *evaluator) eval(x expr, sc *scope) (Value, error) {
	if err := e.step(); err != nil {
		return nil, e.atLine(err, x.exprLine())
	}
	v, err := e.evalInner(x, sc)
	if err != nil {
		return nil, e.atLine(err, x.exprLine())
	}
	return v, nil
}

func (e *evaluator) evalInner(x expr, sc *scope) (Value, error) {
	switch n := x.(type) {
	case *constExpr:
		return n.v, nil
	case *nameExpr:
		if v, ok := sc.lookup(n.name); ok {
			return v, nil
		}
		return &Undefined{Hint: fmt.Sprintf("'%s' is undefined", n.name)}, nil
	case *listExpr:
		l := &List{Items: make([]Value, len(n.items)), Tuple: n.tuple}
		for i, it := range n.items {
			v, err := e.eval(it, sc)
			if err != nil {
				return nil, err
			}
			l.Items[i] = v
		}
		return l, nil
	case *dictExpr:
		d := NewDict()
		for i := range n.keys {
			k, err := e.eval(n.keys[i], sc)
			if err != nil {
				return nil, err
			}
			v, err := e.eval(n.vals[i], sc)
			if err != nil {
				return nil, err
			}
			if err := d.Set(k, v); err != nil {
				return nil, err
			}
		}
		return d, nil
	case *attrExpr:
		obj, err := e.eval(n.x, sc)
		if err != nil {
			return nil, err
		}
		return e.getAttr(obj, n.name)
	case *itemExpr:
		obj, err := e.eval(n.x, sc)
		if err != nil {
			return nil, err
		}
		key, err := e.eval(n.index, sc)
		if err != nil {
			return nil, err
		}
		return e.getItem(obj, key)
	case *sliceExpr:
		return e.evalSlice(n, sc)
	case *callExpr:
		return e.evalCall(n, sc, nil)
	case *filterExpr:
		v, err := e.eval(n.x, sc)
		if err != nil {
			return nil, err
		}
		return e.applyFilter(n, v, sc)
	case *testExpr:
		return e.evalTest(n, sc)
	case *unaryExpr:
		v, err := e.eval(n.x, sc)
		if err != nil {
			return nil, err
		}
		return unaryOp(n.op, v)
	case *binaryExpr:
		l, err := e.eval(n.l, sc)
		if err != nil {
			return nil, err
		}
		switch n.op { // short-circuit, returning the deciding operand as Python does
		case "and":
			if !truthy(l) {
				return l, nil
			}
			return e.eval(n.r, sc)
		case "or":
			if truthy(l) {
				return l, nil
			}
			return e.eval(n.r, sc)
		}
		r, err := e.eval(n.r, sc)
		if err != nil {
			return nil, err
		}
		return e.binaryOp(n.op, l, r)
	case *compareExpr:
		l, err := e.eval(n.first, sc)
		if err != nil {
			return nil, err
		}
		for i, op := range n.ops {
			r, err := e.eval(n.rest[i], sc)
			if err != nil {
				return nil, err
			}
			ok, err := e.compareOp(op, l, r)
			if err != nil || !ok {
				return false, err
			}
			l = r
		}
		return true, nil
	case *condExpr:
		c, err := e.eval(n.cond, sc)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return e.eval(n.then, sc)
		}
		if n.orelse == nil {
			return &Undefined{Hint: "the inline if-expression evaluated to false and no else section was defined"}, nil
		}
		return e.eval(n.orelse, sc)
	}
	return nil, errf("unknown expression %T", x)
}

// getAttr is jinja2's obj.name: a method or attribute first, then the item of that name.
func (e *evaluator) getAttr(obj Value, name string) (Value, error) {
	switch x := obj.(type) {
	case *Undefined:
		return nil, undefinedErr(x)
	case *loopObj:
		return x.attr(name), nil
	case *Dict:
		if !x.Namespace {
			if m := dictMethod(x, name); m != nil {
				return m, nil
			}
		}
		if v, ok := x.Get(name); ok {
			return v, nil
		}
	case string:
		if m := strMethod(x, name); m != nil {
			return m, nil
		}
	case *List:
		if m := listMethod(x, name); m != nil {
			return m, nil
		}
	}
	return &Undefined{Hint: fmt.Sprintf("'%s object' has no attribute '%s'", jinjaTypeName(obj), name)}, nil
}

// jinjaTypeName is how jinja2's undefined hints name an object's type.
func jinjaTypeName(v Value) string {
	if v == nil {
		return "None"
	}
	return typeName(v)
}

// getItem is jinja2's obj[key]: the item first, then (for a string key) the attribute.
func (e *evaluator) getItem(obj, key Value) (Value, error) {
	switch x := obj.(type) {
	case *Undefined:
		return nil, undefinedErr(x)
	case *Dict:
		if v, ok := x.Get(key); ok {
			return v, nil
		}
	case *List:
		if i, ok := asIndex(key); ok && x.View == "" {
			if i < 0 {
				i += len(x.Items)
			}
			if i >= 0 && i < len(x.Items) {
				return x.Items[i], nil
			}
		}
	case string:
		if i, ok := asIndex(key); ok {
			n := utf8.RuneCountInString(x)
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				return string([]rune(x)[i]), nil
			}
		}
	}
	if s, ok := key.(string); ok {
		return e.getAttr(obj, s)
	}
	return &Undefined{Hint: fmt.Sprintf("'%s object' has no attribute %s", jinjaTypeName(obj), repr(key))}, nil
}

func asIndex(k Value) (int, bool) {
	switch v := k.(type) {
	case int64:
		return int(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func (e *evaluator) evalSlice(n *sliceExpr, sc *scope) (Value, error) {
	obj, err := e.eval(n.x, sc)
	if err != nil {
		return nil, err
	}
	var bounds [3]*int
	for i, b := range []expr{n.start, n.stop, n.step} {
		if b == nil {
			continue
		}
		v, err := e.eval(b, sc)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		idx, ok := asIndex(v)
		if !ok {
			return nil, errf("slice indices must be integers or None or have an __index__ method")
		}
		bounds[i] = &idx
	}
	switch x := obj.(type) {
	case *List:
		if x.View != "" {
			break
		}
		idx, err := sliceIndices(len(x.Items), bounds)
		if err != nil {
			return nil, err
		}
		out := &List{Items: make([]Value, len(idx))}
		for i, j := range idx {
			out.Items[i] = x.Items[j]
		}
		return out, nil
	case string:
		rs := []rune(x)
		idx, err := sliceIndices(len(rs), bounds)
		if err != nil {
			return nil, err
		}
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = rs[j]
		}
		return string(out), nil
	case *Undefined:
		return nil, undefinedErr(x)
	}
	literal := true
	switch n.x.(type) {
	case *constExpr, *dictExpr: // jinja2 folds a literal's failed slice to undefined
	default:
		literal = false
	}
	if literal {
		return &Undefined{Hint: fmt.Sprintf("'%s object' has no attribute 'slice'", jinjaTypeName(obj))}, nil
	}
	if d, ok := obj.(*Dict); ok && !d.Namespace {
		return nil, errf("unhashable type: 'slice'")
	}
	// jinja2 compiles slices to plain Python subscription: no fallback to undefined here
	return nil, errf("'%s' object is not subscriptable", typeName(obj))
}

// sliceIndices is Python's slice.indices followed by range().
func sliceIndices(n int, b [3]*int) ([]int, error) {
	step := 1
	if b[2] != nil {
		step = *b[2]
		if step == 0 {
			return nil, errf("slice step cannot be zero")
		}
	}
	clamp := func(p *int, def, lo, hi int) int {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
			if v < lo {
				v = lo
			}
		} else if v > hi {
			v = hi
		}
		return v
	}
	var out []int
	if step > 0 {
		start, stop := clamp(b[0], 0, 0, n), clamp(b[1], n, 0, n)
		for i := start; i < stop; i += step {
			out = append(out, i)
		}
	} else {
		start, stop := clamp(b[0], n-1, -1, n-1), clamp(b[1], -1, -1, n-1)
		for i := start; i > stop; i += step {
			out = append(out, i)
		}
	}
	return out, nil
}

func (e *evaluator) evalCall(n *callExpr, sc *scope, caller *Macro) (Value, error) {
	fn, err := e.eval(n.fn, sc)
	if err != nil {
		return nil, err
	}
	args := make([]Value, len(n.args))
	for i, a := range n.args {
		if args[i], err = e.eval(a, sc); err != nil {
			return nil, err
		}
	}
	if n.starArgs != nil {
		v, err := e.eval(n.starArgs, sc)
		if err != nil {
			return nil, err
		}
		more, err := e.iterate(v)
		if err != nil {
			return nil, e.atLine(err, n.line)
		}
		args = append(args, more...)
	}
	kw := NewDict()
	for i, name := range n.kwName {
		v, err := e.eval(n.kwVals[i], sc)
		if err != nil {
			return nil, err
		}
		kw.SetStr(name, v)
	}
	if n.starKw != nil {
		v, err := e.eval(n.starKw, sc)
		if err != nil {
			return nil, err
		}
		d, ok := v.(*Dict)
		if !ok {
			return nil, &RenderError{Name: e.name, Line: n.line, Msg: fmt.Sprintf("argument after ** must be a mapping, not %s", typeName(v))}
		}
		for i, k := range d.keys {
			_ = kw.Set(k, d.vals[i])
		}
	}
	if caller != nil {
		kw.SetStr("caller", caller)
	}
	return e.call(fn, args, kw)
}

func (e *evaluator) call(fn Value, args []Value, kw *Dict) (Value, error) {
	switch f := fn.(type) {
	case *Func:
		return f.Call(e, args, kw)
	case *Macro:
		return e.callMacro(f, args, kw)
	case *loopObj:
		if f.recurse == nil {
			return nil, errf("the loop must have the 'recursive' marker to be called recursively")
		}
		if len(args) != 1 {
			return nil, errf("loop() takes exactly one argument")
		}
		return f.recurse(args[0])
	case *Undefined:
		return nil, undefinedErr(f)
	}
	return nil, errf("'%s' object is not callable", typeName(fn))
}

func (e *evaluator) callMacro(m *Macro, args []Value, kw *Dict) (Value, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > e.limits.MaxDepth {
		return nil, errf("macro calls nested deeper than %d", e.limits.MaxDepth)
	}
	def := m.def
	sc := newScope(m.closure)
	var extra []Value
	for i, a := range args {
		if i < len(def.params) {
			sc.vars[def.params[i]] = a
		} else {
			extra = append(extra, a)
		}
	}
	extraKw := NewDict()
	for i, k := range kw.Keys() {
		name, _ := k.(string)
		if name == "caller" {
			sc.vars["caller"] = kw.Values()[i]
			continue
		}
		known := false
		for _, p := range def.params {
			known = known || p == name
		}
		if known {
			if _, dup := sc.vars[name]; dup {
				return nil, errf("macro '%s' got multiple values for argument '%s'", m.Name, name)
			}
			sc.vars[name] = kw.Values()[i]
		} else {
			extraKw.SetStr(name, kw.Values()[i])
		}
	}
	for i, p := range def.params {
		if _, ok := sc.vars[p]; ok {
			continue
		}
		if def.defaults[i] != nil {
			v, err := e.eval(def.defaults[i], sc)
			if err != nil {
				return nil, err
			}
			sc.vars[p] = v
		} else {
			sc.vars[p] = &Undefined{Hint: fmt.Sprintf("parameter '%s' was not provided", p)}
		}
	}
	sc.vars["varargs"] = &List{Items: extra, Tuple: true}
	sc.vars["kwargs"] = extraKw
	saved := e.out
	var b strings.Builder
	e.out = &b
	err := e.execBody(def.body, sc)
	e.out = saved
	if err == errBreak || err == errContinue {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return b.String(), e.alloc(b.Len())
}

func unaryOp(op string, v Value) (Value, error) {
	if op == "not" {
		return !truthy(v), nil
	}
	if u, ok := v.(*Undefined); ok {
		return nil, undefinedErr(u)
	}
	switch x := v.(type) {
	case bool:
		if x {
			v = int64(1)
		} else {
			v = int64(0)
		}
	}
	switch x := v.(type) {
	case int64:
		if op == "-" {
			return -x, nil
		}
		return x, nil
	case float64:
		if op == "-" {
			return -x, nil
		}
		return x, nil
	}
	return nil, errf("bad operand type for unary %s: '%s'", op, typeName(v))
}
