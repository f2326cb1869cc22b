package chat

import (
	"math"
	"math/big"
	"strings"
)

// Python arithmetic and comparison rules, with Python's TypeError texts.

// num reports v as a number; bools count as ints, as in Python.
func num(v Value) (i int64, f float64, isFloat, ok bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, 1, false, true
		}
		return 0, 0, false, true
	case int64:
		return x, float64(x), false, true
	case float64:
		return 0, x, true, true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return 0, f, true, true
	}
	return 0, 0, false, false
}

func opTypeError(op string, l, r Value) error {
	return errf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(l), typeName(r))
}

func (e *evaluator) binaryOp(op string, l, r Value) (Value, error) {
	if op == "~" {
		s := e.str(l) + e.str(r)
		return s, e.alloc(len(s))
	}
	if u, ok := l.(*Undefined); ok {
		return nil, undefinedErr(u)
	}
	if s, ok := l.(string); ok && op == "%" { // str.__mod__ runs first, whatever the right side
		return e.percentFormat(s, r)
	}
	if u, ok := r.(*Undefined); ok {
		return nil, undefinedErr(u)
	}
	li, lf, lFloat, lNum := num(l)
	ri, rf, rFloat, rNum := num(r)
	if lNum && rNum {
		return numericOp(op, li, lf, lFloat, ri, rf, rFloat, l, r)
	}
	switch op {
	case "+":
		switch x := l.(type) {
		case string:
			y, ok := r.(string)
			if !ok {
				return nil, errf("can only concatenate str (not \"%s\") to str", typeName(r))
			}
			if err := e.alloc(len(x) + len(y)); err != nil {
				return nil, err
			}
			return x + y, nil
		case *List:
			y, ok := r.(*List)
			if !ok {
				return nil, errf("can only concatenate list (not \"%s\") to list", typeName(r))
			}
			if err := e.alloc(16 * (len(x.Items) + len(y.Items))); err != nil {
				return nil, err
			}
			out := &List{Items: make([]Value, 0, len(x.Items)+len(y.Items))}
			out.Items = append(append(out.Items, x.Items...), y.Items...)
			return out, nil
		}
	case "*":
		if rNum && !rFloat {
			return e.repeat(l, ri)
		}
		if lNum && !lFloat {
			return e.repeat(r, li)
		}
	case "%":
		if s, ok := l.(string); ok {
			return e.percentFormat(s, r)
		}
	}
	return nil, opTypeError(op, l, r)
}

func (e *evaluator) repeat(v Value, n int64) (Value, error) {
	if n < 0 {
		n = 0
	}
	switch x := v.(type) {
	case string:
		if len(x) > 0 && n > int64(e.limits.MaxOutput/len(x)) {
			return nil, errOutputTooLarge
		}
		if err := e.alloc(len(x) * int(n)); err != nil {
			return nil, err
		}
		return strings.Repeat(x, int(n)), nil
	case *List:
		if len(x.Items) > 0 && n > int64(e.limits.MaxOutput/len(x.Items)/16) {
			return nil, errOutputTooLarge
		}
		if err := e.alloc(16 * len(x.Items) * int(n)); err != nil {
			return nil, err
		}
		out := &List{}
		for i := int64(0); i < n; i++ {
			out.Items = append(out.Items, x.Items...)
		}
		return out, nil
	}
	return nil, errf("can't multiply sequence by non-int of type '%s'", typeName(v))
}

func numericOp(op string, li int64, lf float64, lFloat bool, ri int64, rf float64, rFloat bool, l, r Value) (Value, error) {
	asFloat := lFloat || rFloat
	switch op {
	case "+":
		if asFloat {
			return lf + rf, nil
		}
		return li + ri, nil
	case "-":
		if asFloat {
			return lf - rf, nil
		}
		return li - ri, nil
	case "*":
		if asFloat {
			return lf * rf, nil
		}
		return li * ri, nil
	case "/":
		if rf == 0 {
			return nil, errf("division by zero")
		}
		return lf / rf, nil
	case "//":
		if rf == 0 {
			return nil, errf("integer division or modulo by zero")
		}
		if asFloat {
			return math.Floor(lf / rf), nil
		}
		q := li / ri
		if (li%ri != 0) && ((li < 0) != (ri < 0)) {
			q--
		}
		return q, nil
	case "%":
		if rf == 0 {
			return nil, errf("integer division or modulo by zero")
		}
		if asFloat {
			m := math.Mod(lf, rf)
			if m != 0 && (m < 0) != (rf < 0) {
				m += rf
			}
			return m, nil
		}
		m := li % ri
		if m != 0 && (m < 0) != (ri < 0) {
			m += ri
		}
		return m, nil
	case "**":
		if !asFloat && ri >= 0 {
			res, f := int64(1), float64(1)
			for k := int64(0); k < ri && k < 4096; k++ {
				res *= li
				f *= float64(li)
			}
			if math.Abs(f) < 1<<62 {
				return res, nil
			}
			return math.Pow(lf, rf), nil
		}
		return math.Pow(lf, rf), nil
	}
	return nil, opTypeError(op, l, r)
}

func (e *evaluator) compareOp(op string, l, r Value) (bool, error) {
	switch op {
	case "==", "!=":
		eq := e.equal(l, r)
		if err := e.overBudget(); err != nil {
			return false, err
		}
		return eq == (op == "=="), nil
	case "in":
		return e.contains(r, l)
	case "notin":
		ok, err := e.contains(r, l)
		return !ok, err
	}
	c, err := e.order(l, r, op)
	if err != nil {
		return false, err
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

// equal is Python ==. Each visited node costs a step: shared sub-lists can make a small
// template build a structure whose full comparison would never end.
func (e *evaluator) equal(a, b Value) bool { return e.valuesEqual(a, b, 0) }

// overBudget reports a step budget that a comparison spent without returning an error.
func (e *evaluator) overBudget() error {
	if e.steps > e.limits.MaxSteps {
		return e.step()
	}
	return nil
}

func (e *evaluator) valuesEqual(a, b Value, depth int) bool {
	e.steps++
	if depth > maxReprDepth || e.steps > e.limits.MaxSteps {
		return false
	}
	if x, ok := a.(*big.Int); ok {
		if y, ok := b.(*big.Int); ok {
			return x.Cmp(y) == 0
		}
	}
	ai, af, aFloat, aNum := num(a)
	bi, bf, bFloat, bNum := num(b)
	if aNum && bNum {
		if aFloat || bFloat {
			return af == bf
		}
		return ai == bi
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *Undefined:
		_, ok := b.(*Undefined)
		return ok
	case *List:
		y, ok := b.(*List)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !e.valuesEqual(x.Items[i], y.Items[i], depth+1) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		if x.Namespace || y.Namespace {
			return x == y
		}
		for i, k := range x.keys {
			v, ok := y.Get(k)
			if !ok || !e.valuesEqual(x.vals[i], v, depth+1) {
				return false
			}
		}
		return true
	}
	return a == b
}

// order compares for < <= > >=: numbers, strings, and lists element-wise.
func (e *evaluator) order(a, b Value, op string) (int, error) {
	if u, ok := a.(*Undefined); ok {
		return 0, undefinedErr(u)
	}
	if u, ok := b.(*Undefined); ok {
		return 0, undefinedErr(u)
	}
	ai, af, aFloat, aNum := num(a)
	bi, bf, bFloat, bNum := num(b)
	if aNum && bNum {
		if aFloat || bFloat {
			switch {
			case af < bf:
				return -1, nil
			case af > bf:
				return 1, nil
			}
			return 0, nil
		}
		switch {
		case ai < bi:
			return -1, nil
		case ai > bi:
			return 1, nil
		}
		return 0, nil
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case *List:
		if y, ok := b.(*List); ok {
			for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
				if e.equal(x.Items[i], y.Items[i]) {
					continue
				}
				return e.order(x.Items[i], y.Items[i], op)
			}
			return len(x.Items) - len(y.Items), nil
		}
	}
	return 0, errf("'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
}

// contains is Python's `needle in hay`; an undefined container holds nothing, as in jinja2.
func (e *evaluator) contains(hay, needle Value) (bool, error) {
	switch h := hay.(type) {
	case string:
		s, ok := needle.(string)
		if !ok {
			return false, errf("'in <string>' requires string as left operand, not %s", typeName(needle))
		}
		return strings.Contains(h, s), nil
	case *List:
		for _, it := range h.Items {
			if e.equal(it, needle) {
				return true, nil
			}
		}
		return false, e.overBudget()
	case *Dict:
		_, ok := h.Get(needle)
		return ok, nil
	case *Undefined:
		return false, nil
	case *Gen: // consumed up to the match, as Python does
		for {
			it, ok, err := h.next()
			if err != nil {
				return false, err
			}
			if !ok {
				return false, e.overBudget()
			}
			if e.equal(it, needle) {
				return true, nil
			}
		}
	}
	return false, errf("argument of type '%s' is not iterable", typeName(hay))
}
