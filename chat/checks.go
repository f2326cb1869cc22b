package chat

import "math/big"

// Jinja tests: `x is defined`, `x is not none`, `n is divisibleby 3`.

func (e *evaluator) evalTest(n *testExpr, sc *scope) (Value, error) {
	v, err := e.eval(n.x, sc)
	if err != nil {
		return nil, err
	}
	args := make([]Value, len(n.args))
	for i, a := range n.args {
		if args[i], err = e.eval(a, sc); err != nil {
			return nil, err
		}
	}
	ok, err := e.runTest(n.name, v, args)
	if err != nil {
		return nil, err
	}
	return ok != n.negate, nil
}

func (e *evaluator) runTest(name string, v Value, args []Value) (bool, error) {
	a0 := func() (Value, error) {
		if len(args) == 0 {
			return nil, errf("test '%s' needs an argument", name)
		}
		return args[0], nil
	}
	switch name {
	case "defined":
		_, undef := v.(*Undefined)
		return !undef, nil
	case "undefined":
		_, undef := v.(*Undefined)
		return undef, nil
	case "none":
		return v == nil, nil
	case "boolean":
		_, ok := v.(bool)
		return ok, nil
	case "true":
		b, ok := v.(bool)
		return ok && b, nil
	case "false":
		b, ok := v.(bool)
		return ok && !b, nil
	case "integer":
		switch v.(type) {
		case int64, *big.Int:
			return true, nil
		}
		return false, nil
	case "float":
		_, ok := v.(float64)
		return ok, nil
	case "number":
		_, _, _, ok := num(v)
		return ok, nil
	case "string":
		_, ok := v.(string)
		return ok, nil
	case "mapping":
		_, ok := v.(*Dict)
		return ok, nil
	case "iterable":
		switch v.(type) {
		case string, *List, *Dict, *Undefined, *Gen:
			return true, nil
		}
		return false, nil
	case "sequence":
		switch x := v.(type) {
		case string:
			return true, nil
		case *List:
			return x.View == "", nil
		case *Dict:
			return !x.Namespace, nil
		}
		return false, nil
	case "callable":
		switch v.(type) {
		case *Func, *Macro, *Undefined: // jinja2's Undefined defines __call__ (to fail)
			return true, nil
		}
		return false, nil
	case "odd", "even": // value % 2, so floats work and strings fail as in Python
		m, err := e.binaryOp("%", v, int64(2))
		if err != nil {
			return false, err
		}
		return e.equal(m, int64(1)) == (name == "odd") && (name == "odd" || e.equal(m, int64(0))), nil
	case "divisibleby":
		d, err := a0()
		if err != nil {
			return false, err
		}
		m, err := e.binaryOp("%", v, d)
		if err != nil {
			return false, err
		}
		return e.equal(m, int64(0)), nil
	case "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in":
		b, err := a0()
		if err != nil {
			return false, err
		}
		op := map[string]string{"eq": "==", "equalto": "==", "ne": "!=", "lt": "<", "lessthan": "<", "le": "<=",
			"gt": ">", "greaterthan": ">", "ge": ">="}[name]
		if op == "" {
			op = name
		}
		return e.compareOp(op, v, b)
	case "sameas":
		b, err := a0()
		if err != nil {
			return false, err
		}
		switch x := v.(type) {
		case nil, bool:
			return v == b, nil
		case *List, *Dict:
			return v == b, nil
		case *Undefined:
			return false, nil
		default:
			_ = x
			return e.equal(v, b) && typeName(v) == typeName(b), nil
		}
	case "lower":
		return strPredicate(e.str(v), "islower"), nil
	case "upper":
		return strPredicate(e.str(v), "isupper"), nil
	case "escaped":
		return false, nil
	case "filter":
		b, err := a0()
		if err != nil {
			return false, err
		}
		s, _ := b.(string)
		_, ok := filters[s]
		return ok, nil
	case "test":
		b, err := a0()
		if err != nil {
			return false, err
		}
		s, _ := b.(string)
		return knownTests[s], nil
	}
	return false, errf("no test named '%s'", name)
}

var knownTests = map[string]bool{}

func init() {
	for _, n := range []string{"defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number",
		"string", "mapping", "iterable", "sequence", "callable", "odd", "even", "divisibleby", "eq", "equalto", "==",
		"ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "sameas", "lower",
		"upper", "escaped", "filter", "test"} {
		knownTests[n] = true
	}
}
