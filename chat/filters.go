package chat

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Filters as jinja2 3.1 defines them, except tojson, which is transformers' own:
// json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).

type filterFunc func(e *evaluator, v Value, args []Value, kw *Dict) (Value, error)

var filters map[string]filterFunc

func init() {
	filters = map[string]filterFunc{
		"abs":        fAbs,
		"attr":       fAttr,
		"batch":      fBatch,
		"capitalize": func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return capitalize(e.str(v)), nil },
		"center":     fCenter,
		"count":      fLength,
		"d":          fDefault,
		"default":    fDefault,
		"dictsort":   fDictsort,
		"e":          fEscape,
		"escape":     fEscape,
		"first":      fFirst,
		"float":      fFloat,
		"format":     fFormat,
		"indent":     fIndent,
		"int":        fInt,
		"items":      fItems,
		"join":       fJoin,
		"last":       fLast,
		"length":     fLength,
		"list":       fList,
		"lower":      func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return pyLower(e.str(v)), nil },
		"map":        fMap,
		"max":        func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return fMinMax(e, v, a, k, 1) },
		"min":        func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return fMinMax(e, v, a, k, -1) },
		"reject":     func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return fSelect(e, v, a, false, false) },
		"rejectattr": func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return fSelect(e, v, a, false, true) },
		"replace":    fReplace,
		"reverse":    fReverse,
		"round":      fRound,
		"safe":       func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return e.str(v), nil }, // Markup(v), a str
		"select":     func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return fSelect(e, v, a, true, false) },
		"selectattr": func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return fSelect(e, v, a, true, true) },
		"sort":       fSort,
		"string":     func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return e.str(v), nil },
		"striptags":  fStriptags,
		"sum":        fSum,
		"title":      fTitle,
		"tojson":     fToJSON,
		"trim":       fTrim,
		"truncate":   fTruncate,
		"unique":     fUnique,
		"upper":      func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) { return pyUpper(e.str(v)), nil },
		"wordcount":  fWordcount,
	}
}

func (e *evaluator) applyFilter(f *filterExpr, v Value, sc *scope) (Value, error) {
	fn, ok := filters[f.name]
	if !ok {
		return nil, &RenderError{Name: e.name, Line: f.line, Msg: fmt.Sprintf("no filter named '%s'", f.name)}
	}
	args := make([]Value, len(f.args))
	for i, a := range f.args {
		var err error
		if args[i], err = e.eval(a, sc); err != nil {
			return nil, err
		}
	}
	kw := NewDict()
	for i, name := range f.kwName {
		x, err := e.eval(f.kwVals[i], sc)
		if err != nil {
			return nil, err
		}
		kw.SetStr(name, x)
	}
	out, err := fn(e, v, args, kw)
	if err != nil {
		return nil, e.atLine(err, f.line)
	}
	return out, nil
}

// callFilter runs a filter by name on behalf of map().
func (e *evaluator) callFilter(name string, v Value, args []Value, kw *Dict) (Value, error) {
	fn, ok := filters[name]
	if !ok {
		return nil, errf("no filter named '%s'", name)
	}
	return fn(e, v, args, kw)
}

func fLength(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	switch x := v.(type) {
	case string:
		return int64(utf8.RuneCountInString(x)), nil
	case *List:
		return int64(len(x.Items)), nil
	case *Dict:
		return int64(x.Len()), nil
	case *Undefined:
		return int64(0), nil
	}
	return nil, errf("object of type '%s' has no len()", typeName(v))
}

func fTrim(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	return stripChars(e.str(v), arg(a, k, 0, "chars", nil), true, true)
}

func fDefault(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	def := arg(a, k, 0, "default_value", "")
	if _, undef := v.(*Undefined); undef || truthy(arg(a, k, 1, "boolean", false)) && !truthy(v) {
		return def, nil
	}
	return v, nil
}

func fToJSON(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	o := jsonOptions{ensureASCII: truthy(arg(a, k, 0, "ensure_ascii", false)), sortKeys: truthy(arg(a, k, 3, "sort_keys", false)), maxOutputLen: e.limits.MaxOutput}
	switch ind := arg(a, k, 1, "indent", nil).(type) {
	case nil:
	case int64:
		o.hasIndent, o.indent = true, strings.Repeat(" ", int(max(0, min(ind, 64))))
	case string:
		o.hasIndent, o.indent = true, ind
	default:
		return nil, errf("indent must be an int or str, not %s", typeName(ind))
	}
	o.itemSep, o.keySep = ", ", ": "
	if o.hasIndent {
		o.itemSep = ","
	}
	if sep := arg(a, k, 2, "separators", nil); sep != nil {
		l, ok := sep.(*List)
		if !ok || len(l.Items) != 2 {
			return nil, errf("separators must be a pair of strings")
		}
		is, ok1 := l.Items[0].(string)
		ks, ok2 := l.Items[1].(string)
		if !ok1 || !ok2 {
			return nil, errf("separators must be a pair of strings")
		}
		o.itemSep, o.keySep = is, ks
	}
	s, err := toJSON(v, o)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func fAbs(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	i, f, isF, ok := num(v)
	if !ok {
		return nil, errf("bad operand type for abs(): '%s'", typeName(v))
	}
	if isF {
		return math.Abs(f), nil
	}
	if i < 0 {
		i = -i
	}
	return i, nil
}

func fAttr(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	name, err := strArg(arg(a, k, 0, "name", nil), "attribute name")
	if err != nil {
		return nil, err
	}
	// attr() is getattr only: a dict's methods, never its items; a namespace's attributes.
	if d, isDict := v.(*Dict); isDict && !d.Namespace {
		if m := dictMethod(d, name); m != nil {
			return m, nil
		}
		return &Undefined{Hint: fmt.Sprintf("'dict object' has no attribute '%s'", name)}, nil
	}
	return e.getAttr(v, name)
}

func fBatch(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	n, err := intArg(arg(a, k, 0, "linecount", nil), "linecount")
	if err != nil || n <= 0 {
		return nil, errf("batch size must be a positive integer")
	}
	fill, hasFill := arg(a, k, 1, "fill_with", nil), arg(a, k, 1, "fill_with", nil) != nil
	if hasFill {
		if err := e.alloc(16 * n); err != nil {
			return nil, err
		}
	}
	out := &List{}
	for i := 0; i < len(items); i += n {
		row := &List{Items: append([]Value(nil), items[i:min(i+n, len(items))]...)}
		for hasFill && len(row.Items) < n {
			row.Items = append(row.Items, fill)
		}
		out.Items = append(out.Items, row)
	}
	return out, nil
}

func fCenter(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	w, err := intArg(arg(a, k, 0, "width", int64(80)), "width")
	if err != nil {
		return nil, err
	}
	if err := e.alloc(w); err != nil {
		return nil, err
	}
	return pad(e.str(v), "center", w, " "), nil
}

func sortKey(v Value, caseSensitive bool) Value {
	if s, ok := v.(string); ok && !caseSensitive {
		return pyLower(s)
	}
	return v
}

func (e *evaluator) sortValues(items []Value, key func(Value) (Value, error), reverse bool) error {
	keys := make([]Value, len(items))
	for i, it := range items {
		k, err := key(it)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var sortErr error
	sort.SliceStable(idx, func(x, y int) bool {
		a, b := keys[idx[x]], keys[idx[y]]
		if reverse {
			a, b = b, a
		}
		c, err := e.order(a, b, "<")
		if err != nil && sortErr == nil {
			sortErr = err
		}
		return c < 0
	})
	if sortErr != nil {
		return sortErr
	}
	sorted := make([]Value, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
	return nil
}

func fDictsort(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	d, ok := v.(*Dict)
	if !ok {
		return nil, errf("dictsort needs a dict, not %s", typeName(v))
	}
	cs := truthy(arg(a, k, 0, "case_sensitive", false))
	by := arg(a, k, 1, "by", "key")
	pos := 0
	if by == "value" {
		pos = 1
	}
	items := dictItems(d).Items
	err := e.sortValues(items, func(it Value) (Value, error) {
		return sortKey(it.(*List).Items[pos], cs), nil
	}, truthy(arg(a, k, 2, "reverse", false)))
	return &List{Items: items}, err
}

func fEscape(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(e.str(v)), nil
}

func fFirst(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	if g, ok := v.(*Gen); ok { // takes one item only
		it, ok, err := g.next()
		if err != nil || ok {
			return it, err
		}
		return &Undefined{Hint: "No first item, sequence was empty."}, nil
	}
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &Undefined{Hint: "No first item, sequence was empty."}, nil
	}
	return items[0], nil
}

func fLast(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	if _, ok := v.(*Gen); ok {
		return nil, errf("'%s' object is not reversible", typeName(v))
	}
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &Undefined{Hint: "No last item, sequence was empty."}, nil
	}
	return items[len(items)-1], nil
}

func fFloat(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	def := arg(a, k, 0, "default", 0.0)
	if u, ok := v.(*Undefined); ok { // float(Undefined) raises in jinja2
		return nil, undefinedErr(u)
	}
	switch x := v.(type) {
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return def, nil
		}
		return f, nil
	}
	if _, f, _, ok := num(v); ok {
		return f, nil
	}
	return def, nil
}

func fInt(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	def := arg(a, k, 0, "default", int64(0))
	base, _ := asIndex(arg(a, k, 1, "base", int64(10)))
	if u, ok := v.(*Undefined); ok { // int(Undefined) raises in jinja2
		return nil, undefinedErr(u)
	}
	switch x := v.(type) {
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(x), "_", "")
		if i, err := strconv.ParseInt(s, base, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return int64(f), nil
		}
		return def, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return def, nil
		}
		return int64(x), nil
	}
	if i, _, _, ok := num(v); ok {
		return i, nil
	}
	return def, nil
}

func fFormat(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	if k.Len() > 0 {
		return e.percentFormat(e.str(v), k)
	}
	return e.percentFormat(e.str(v), &List{Items: a, Tuple: true})
}

func fIndent(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	ind := "    "
	switch w := arg(a, k, 0, "width", int64(4)).(type) {
	case int64:
		ind = strings.Repeat(" ", int(max(0, min(w, 256))))
	case string:
		ind = w
	}
	first, blank := truthy(arg(a, k, 1, "first", false)), truthy(arg(a, k, 2, "blank", false))
	s, isStr := v.(string)
	if !isStr { // jinja2 appends "\n" to the value itself
		if u, ok := v.(*Undefined); ok {
			return nil, undefinedErr(u)
		}
		return nil, errf("unsupported operand type(s) for +=: '%s' and 'str'", typeName(v))
	}
	// jinja2: append a newline, splitlines(), indent every line but the first (empty ones
	// only with blank=True), then the first with first=True
	lines := pySplitLines(s + "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
			if blank || line != "" {
				b.WriteString(ind)
			}
		}
		b.WriteString(line)
	}
	out := b.String()
	if first {
		out = ind + out
	}
	return out, e.alloc(len(out))
}

func fItems(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	switch x := v.(type) {
	case *Dict:
		return dictItems(x), nil
	case *Undefined:
		return &List{}, nil
	}
	return nil, errf("can only get item pairs from a mapping.")
}

func fJoin(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	sep := e.str(arg(a, k, 0, "d", ""))
	attr := arg(a, k, 1, "attribute", nil)
	parts := make([]string, len(items))
	total := 0
	for i, it := range items {
		if attr != nil {
			if it, err = e.attrPath(it, attr); err != nil {
				return nil, err
			}
		}
		parts[i] = e.str(it)
		total += len(parts[i]) + len(sep)
	}
	if err := e.alloc(total); err != nil {
		return nil, err
	}
	return strings.Join(parts, sep), nil
}

// attrPath follows jinja2's attribute= argument: "a.b" or an integer index.
func (e *evaluator) attrPath(v Value, attr Value) (Value, error) {
	s, ok := attr.(string)
	if !ok {
		return e.getItem(v, attr)
	}
	for _, part := range strings.Split(s, ".") {
		var key Value = part
		if n, err := strconv.Atoi(part); err == nil {
			key = int64(n)
		}
		var err error
		if v, err = e.getItem(v, key); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func fList(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	return &List{Items: append([]Value(nil), items...)}, nil
}

func fMap(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	if !truthy(v) { // jinja2 maps nothing over a false value, iterable or not
		return &List{}, nil
	}
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	out := &List{Items: make([]Value, 0, len(items))}
	if attr, ok := k.Get("attribute"); ok {
		def, hasDef := k.Get("default")
		for _, it := range items {
			x, err := e.attrPath(it, attr)
			if err != nil {
				return nil, err
			}
			if _, undef := x.(*Undefined); undef && hasDef {
				x = def
			}
			out.Items = append(out.Items, x)
		}
		return out, nil
	}
	if len(a) == 0 {
		return nil, errf("map requires a filter argument")
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, errf("map filter name must be a string")
	}
	for _, it := range items {
		if err := e.step(); err != nil {
			return nil, err
		}
		x, err := e.callFilter(name, it, a[1:], k)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, x)
	}
	return out, nil
}

func fMinMax(e *evaluator, v Value, a []Value, k *Dict, sign int) (Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return &Undefined{Hint: "No aggregated item, sequence was empty."}, nil
	}
	cs := truthy(arg(a, k, 0, "case_sensitive", false))
	attr := arg(a, k, 1, "attribute", nil)
	best, bestKey := items[0], Value(nil)
	for i, it := range items {
		key := it
		if attr != nil {
			if key, err = e.attrPath(it, attr); err != nil {
				return nil, err
			}
		}
		key = sortKey(key, cs)
		if i == 0 {
			bestKey = key
			continue
		}
		c, err := e.order(key, bestKey, "<")
		if err != nil {
			return nil, err
		}
		if c*sign > 0 {
			best, bestKey = it, key
		}
	}
	return best, nil
}

// fSelect is select/reject (a test on each item) and selectattr/rejectattr (a test on one attribute).
func fSelect(e *evaluator, v Value, a []Value, keep, byAttr bool) (Value, error) {
	if !truthy(v) { // as map: a false value selects nothing, iterable or not
		return &List{}, nil
	}
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	var attr Value
	if byAttr {
		if len(a) == 0 {
			return nil, errf("missing parameter for attribute name")
		}
		attr, a = a[0], a[1:]
	}
	out := &List{}
	for _, it := range items {
		if err := e.step(); err != nil {
			return nil, err
		}
		x := it
		if byAttr {
			if x, err = e.attrPath(it, attr); err != nil {
				return nil, err
			}
		}
		var ok bool
		if len(a) == 0 {
			ok = truthy(x)
		} else {
			name, isStr := a[0].(string)
			if !isStr {
				return nil, errf("test name must be a string")
			}
			if ok, err = e.runTest(name, x, a[1:]); err != nil {
				return nil, err
			}
		}
		if ok == keep {
			out.Items = append(out.Items, it)
		}
	}
	return out, nil
}

func fReplace(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	old := e.str(arg(a, k, 0, "old", ""))
	nw := e.str(arg(a, k, 1, "new", ""))
	count, _ := asIndex(arg(a, k, 2, "count", int64(-1)))
	if arg(a, k, 2, "count", nil) == nil {
		count = -1
	}
	return e.replace(e.str(v), old, nw, count)
}

func fReverse(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	if s, ok := v.(string); ok {
		rs := []rune(s)
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
		return string(rs), nil
	}
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	out := &List{Items: make([]Value, len(items))}
	for i, it := range items {
		out.Items[len(items)-1-i] = it
	}
	if l, ok := v.(*List); ok && l.View == "" { // reversed(list): an iterator, not a list
		return newGen("list_reverseiterator", out.Items), nil
	}
	return out, nil
}

func fRound(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	prec, _ := asIndex(arg(a, k, 0, "precision", int64(0)))
	how := e.str(arg(a, k, 1, "method", "common"))
	i, f, isFloat, ok := num(v)
	if !ok {
		return nil, errf("must be real number, not %s", typeName(v))
	}
	p := math.Pow(10, float64(prec))
	switch how {
	case "common": // Python's round(): ints stay ints, floats round half to even on their exact value
		if !isFloat {
			return i, nil
		}
		if prec < 0 || prec > 300 || math.IsInf(f, 0) || math.IsNaN(f) {
			return math.RoundToEven(f*p) / p, nil
		}
		r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', prec, 64), 64)
		return r, nil
	case "ceil":
		return math.Ceil(f*p) / p, nil
	case "floor":
		return math.Floor(f*p) / p, nil
	}
	return nil, errf("method must be common, ceil or floor")
}

func fSort(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	items = append([]Value(nil), items...)
	cs := truthy(arg(a, k, 1, "case_sensitive", false))
	attr := arg(a, k, 2, "attribute", nil)
	err = e.sortValues(items, func(it Value) (Value, error) {
		// jinja2 sorts by the list of the comma-separated attributes' values (the item itself
		// without attribute=), so equal keys, even None or undefined, compare equal, not fail
		if attr == nil {
			return &List{Items: []Value{sortKey(it, cs)}}, nil
		}
		key := &List{}
		parts := []Value{attr}
		if s, ok := attr.(string); ok {
			parts = nil
			for _, p := range strings.Split(s, ",") {
				parts = append(parts, p)
			}
		}
		for _, p := range parts {
			x, err := e.attrPath(it, p)
			if err != nil {
				return nil, err
			}
			key.Items = append(key.Items, sortKey(x, cs))
		}
		return key, nil
	}, truthy(arg(a, k, 0, "reverse", false)))
	return &List{Items: items}, err
}

var tagRe = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)

func fStriptags(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	return strings.Join(strings.Fields(tagRe.ReplaceAllString(e.str(v), "")), " "), nil
}

func fSum(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	attr := arg(a, k, 0, "attribute", nil)
	var total Value = arg(a, k, 1, "start", int64(0))
	for _, it := range items {
		if attr != nil {
			if it, err = e.attrPath(it, attr); err != nil {
				return nil, err
			}
		}
		if total, err = e.binaryOp("+", total, it); err != nil {
			return nil, err
		}
	}
	return total, nil
}

var titleSplit = regexp.MustCompile(`([-\s({\[<]+)`)

// fTitle is jinja2's title filter, which capitalizes after spaces, dashes and opening brackets
// (unlike Python's str.title, which does so after any non-letter).
func fTitle(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	s := e.str(v)
	var b strings.Builder
	last := 0
	for _, m := range titleSplit.FindAllStringIndex(s, -1) {
		b.WriteString(capitalizeWord(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(capitalizeWord(s[last:]))
	return b.String(), nil
}

func capitalizeWord(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	if n == 0 {
		return w
	}
	return pyUpper(string(r)) + pyLower(w[n:])
}

func fTruncate(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	if _, isStr := v.(string); !isStr { // jinja2 measures the value itself, returning it if short
		n, err := fLength(e, v, nil, nil)
		if err != nil {
			return nil, err
		}
		length, _ := asIndex(arg(a, k, 0, "length", int64(255)))
		leeway, _ := asIndex(arg(a, k, 3, "leeway", int64(5)))
		if int(n.(int64)) <= length+leeway {
			return v, nil
		}
		return nil, errf("'%s' object is not subscriptable", typeName(v))
	}
	s := v.(string)
	length, _ := asIndex(arg(a, k, 0, "length", int64(255)))
	killwords := truthy(arg(a, k, 1, "killwords", false))
	end := e.str(arg(a, k, 2, "end", "..."))
	leeway, _ := asIndex(arg(a, k, 3, "leeway", int64(5)))
	rs := []rune(s)
	if len(rs) <= length+leeway {
		return s, nil
	}
	cut := max(0, length-utf8.RuneCountInString(end))
	if killwords {
		return string(rs[:cut]) + end, nil
	}
	head := string(rs[:cut])
	if i := strings.LastIndex(head, " "); i >= 0 {
		head = head[:i]
	}
	return head + end, nil
}

func fUnique(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	items, err := e.iterate(v)
	if err != nil {
		return nil, err
	}
	cs := truthy(arg(a, k, 0, "case_sensitive", false))
	attr := arg(a, k, 1, "attribute", nil)
	out := &List{}
	hashed := map[any]bool{}
	var seen []Value // unhashable keys, compared one by one (each comparison costs steps)
	for _, it := range items {
		key := it
		if attr != nil {
			if key, err = e.attrPath(it, attr); err != nil {
				return nil, err
			}
		}
		key = sortKey(key, cs)
		if h, ok := hashKey(key); ok {
			if !hashed[h] {
				hashed[h] = true
				out.Items = append(out.Items, it)
			}
			continue
		}
		dup := false
		for _, s := range seen {
			if err := e.step(); err != nil {
				return nil, err
			}
			if e.equal(s, key) {
				dup = true
				break
			}
		}
		if !dup {
			seen = append(seen, key)
			out.Items = append(out.Items, it)
		}
	}
	return out, nil
}

// fWordcount counts runs of word characters (Python's \w+), as jinja2 does.
func fWordcount(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
	n, in := int64(0), false
	for _, r := range e.str(v) {
		w := r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n, nil
}
