package chat

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python methods templates call on strings, dicts and lists. The immutable sandbox transformers
// uses refuses the mutating ones, with jinja2's SecurityError text.

func method(name string, fn func(e *evaluator, args []Value, kw *Dict) (Value, error)) *Func {
	return &Func{Name: name, Call: fn}
}

// arg returns positional i, else keyword name, else def.
func arg(args []Value, kw *Dict, i int, name string, def Value) Value {
	if i >= 0 && i < len(args) {
		return args[i]
	}
	if kw != nil {
		if v, ok := kw.Get(name); ok {
			return v
		}
	}
	return def
}

func strArg(v Value, what string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", errf("%s must be str, not %s", what, typeName(v))
	}
	return s, nil
}

func intArg(v Value, what string) (int, error) {
	i, ok := asIndex(v)
	if !ok {
		return 0, errf("%s must be an integer, not %s", what, typeName(v))
	}
	return i, nil
}

func unsafe(obj Value, name string) *Func {
	return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
		return nil, errf("access to attribute '%s' of '%s' object is unsafe.", name, typeName(obj))
	})
}

func stripChars(s string, chars Value, left, right bool) (string, error) {
	var cut func(rune) bool
	switch c := chars.(type) {
	case nil:
		cut = pyIsSpace
	case string:
		cut = func(r rune) bool { return strings.ContainsRune(c, r) }
	default:
		return "", errf("strip arg must be None or str")
	}
	if left {
		s = strings.TrimLeftFunc(s, cut)
	}
	if right {
		s = strings.TrimRightFunc(s, cut)
	}
	return s, nil
}

func strMethod(s string, name string) *Func {
	switch name {
	case "strip", "lstrip", "rstrip":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			return stripChars(s, arg(args, kw, 0, "chars", nil), name != "rstrip", name != "lstrip")
		})
	case "upper":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) { return pyUpper(s), nil })
	case "lower":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) { return pyLower(s), nil })
	case "title":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) { return pyTitle(s), nil })
	case "capitalize":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) { return capitalize(s), nil })
	case "swapcase":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) {
			return strings.Map(func(r rune) rune {
				if unicode.IsUpper(r) {
					return unicode.ToLower(r)
				}
				return unicode.ToUpper(r)
			}, s), nil
		})
	case "split", "rsplit":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			max, err := intArg(arg(args, kw, 1, "maxsplit", int64(-1)), "maxsplit")
			if err != nil {
				return nil, err
			}
			return pySplit(s, arg(args, kw, 0, "sep", nil), max, name == "rsplit")
		})
	case "splitlines":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			out := &List{}
			for _, line := range splitLines(s, truthy(arg(args, kw, 0, "keepends", false))) {
				out.Items = append(out.Items, line)
			}
			return out, nil
		})
	case "startswith", "endswith":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			var cands []Value
			switch p := arg(args, kw, 0, "prefix", nil).(type) {
			case string:
				cands = []Value{p}
			case *List:
				cands = p.Items
			default:
				return nil, errf("%s first arg must be str or a tuple of str, not %s", name, typeName(p))
			}
			for _, c := range cands {
				cs, ok := c.(string)
				if !ok {
					return nil, errf("tuple for %s must only contain str, not %s", name, typeName(c))
				}
				if name == "startswith" && strings.HasPrefix(s, cs) || name == "endswith" && strings.HasSuffix(s, cs) {
					return true, nil
				}
			}
			return false, nil
		})
	case "replace":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			old, err := strArg(arg(args, kw, 0, "old", nil), "replace() argument 1")
			if err != nil {
				return nil, err
			}
			nw, err := strArg(arg(args, kw, 1, "new", nil), "replace() argument 2")
			if err != nil {
				return nil, err
			}
			count, err := intArg(arg(args, kw, 2, "count", int64(-1)), "count")
			if err != nil {
				return nil, err
			}
			return e.replace(s, old, nw, count)
		})
	case "find", "rfind", "index", "rindex", "count":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			sub, err := strArg(arg(args, kw, 0, "sub", nil), name+"() argument")
			if err != nil {
				return nil, err
			}
			var i int
			switch name {
			case "count":
				if sub == "" {
					return int64(utf8.RuneCountInString(s) + 1), nil
				}
				return int64(strings.Count(s, sub)), nil
			case "find", "index":
				i = strings.Index(s, sub)
			default:
				i = strings.LastIndex(s, sub)
			}
			if i < 0 {
				if name == "index" || name == "rindex" {
					return nil, errf("substring not found")
				}
				return int64(-1), nil
			}
			return int64(utf8.RuneCountInString(s[:i])), nil
		})
	case "join":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			items, err := e.iterate(arg(args, kw, 0, "iterable", nil))
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(items))
			total := 0
			for i, it := range items {
				p, ok := it.(string)
				if !ok {
					return nil, errf("sequence item %d: expected str instance, %s found", i, typeName(it))
				}
				parts[i] = p
				total += len(p) + len(s)
			}
			if err := e.alloc(total); err != nil {
				return nil, err
			}
			return strings.Join(parts, s), nil
		})
	case "format":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) { return e.strFormat(s, args, kw) })
	case "isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum", "isspace", "isupper", "islower":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) { return strPredicate(s, name), nil })
	case "zfill", "ljust", "rjust", "center":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			w, err := intArg(arg(args, kw, 0, "width", nil), "width")
			if err != nil {
				return nil, err
			}
			if err := e.alloc(w); err != nil {
				return nil, err
			}
			fill := " "
			if f, ok := arg(args, kw, 1, "fillchar", " ").(string); ok && utf8.RuneCountInString(f) == 1 {
				fill = f
			}
			return pad(s, name, w, fill), nil
		})
	case "removeprefix":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			p, err := strArg(arg(args, kw, 0, "prefix", nil), "removeprefix() argument")
			return strings.TrimPrefix(s, p), err
		})
	case "removesuffix":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			p, err := strArg(arg(args, kw, 0, "suffix", nil), "removesuffix() argument")
			return strings.TrimSuffix(s, p), err
		})
	case "partition", "rpartition":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			sep, err := strArg(arg(args, kw, 0, "sep", nil), "partition() argument")
			if err != nil || sep == "" {
				return nil, errf("empty separator")
			}
			i := strings.Index(s, sep)
			if name == "rpartition" {
				i = strings.LastIndex(s, sep)
			}
			if i < 0 {
				if name == "rpartition" {
					return &List{Items: []Value{"", "", s}, Tuple: true}, nil
				}
				return &List{Items: []Value{s, "", ""}, Tuple: true}, nil
			}
			return &List{Items: []Value{s[:i], sep, s[i+len(sep):]}, Tuple: true}, nil
		})
	}
	return nil
}

func pad(s, how string, w int, fill string) string {
	n := utf8.RuneCountInString(s)
	if w <= n {
		return s
	}
	k := w - n
	switch how {
	case "zfill":
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			return s[:1] + strings.Repeat("0", k) + s[1:]
		}
		return strings.Repeat("0", k) + s
	case "ljust":
		return s + strings.Repeat(fill, k)
	case "rjust":
		return strings.Repeat(fill, k) + s
	}
	left := k / 2
	if k%2 == 1 && w%2 == 1 { // CPython's centering puts the odd pad on the left for odd widths
		left++
	}
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, k-left)
}

func strPredicate(s, name string) bool {
	if s == "" {
		return false
	}
	cased := false
	for _, r := range s {
		switch name {
		case "isdigit", "isnumeric", "isdecimal":
			if !unicode.IsDigit(r) {
				return false
			}
		case "isalpha":
			if !unicode.IsLetter(r) {
				return false
			}
		case "isalnum":
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		case "isspace":
			if !pyIsSpace(r) {
				return false
			}
		case "isupper":
			if unicode.IsLower(r) {
				return false
			}
			cased = cased || unicode.IsUpper(r)
		case "islower":
			if unicode.IsUpper(r) {
				return false
			}
			cased = cased || unicode.IsLower(r)
		}
	}
	if name == "isupper" || name == "islower" {
		return cased
	}
	return true
}

// pyTitle is str.title: uppercase a cased letter that follows an uncased one.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		cased := unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
		if cased && !prevCased {
			b.WriteString(pyTitleRune(r))
		} else if cased {
			b.WriteString(pyLower(string(r)))
		} else {
			b.WriteRune(r)
		}
		prevCased = cased
	}
	return b.String()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return pyTitleRune(r) + pyLower(s[n:])
}

// pySplit is str.split / str.rsplit.
func pySplit(s string, sepV Value, max int, fromRight bool) (Value, error) {
	out := &List{}
	if sepV == nil {
		var fields []string
		if max < 0 {
			fields = strings.FieldsFunc(s, pyIsSpace)
		} else if !fromRight {
			rest := strings.TrimLeftFunc(s, pyIsSpace)
			for rest != "" && len(fields) < max {
				i := strings.IndexFunc(rest, pyIsSpace)
				if i < 0 {
					break
				}
				fields = append(fields, rest[:i])
				rest = strings.TrimLeftFunc(rest[i:], pyIsSpace)
			}
			if rest != "" {
				fields = append(fields, rest)
			}
		} else {
			rest := strings.TrimRightFunc(s, pyIsSpace)
			var rev []string
			for rest != "" && len(rev) < max {
				i := strings.LastIndexFunc(rest, pyIsSpace)
				if i < 0 {
					break
				}
				_, w := utf8.DecodeRuneInString(rest[i:])
				rev = append(rev, rest[i+w:])
				rest = strings.TrimRightFunc(rest[:i], pyIsSpace)
			}
			if rest != "" {
				rev = append(rev, rest)
			}
			for i := len(rev) - 1; i >= 0; i-- {
				fields = append(fields, rev[i])
			}
		}
		for _, f := range fields {
			out.Items = append(out.Items, f)
		}
		return out, nil
	}
	sep, ok := sepV.(string)
	if !ok {
		return nil, errf("must be str or None, not %s", typeName(sepV))
	}
	if sep == "" {
		return nil, errf("empty separator")
	}
	var parts []string
	switch {
	case max < 0:
		parts = strings.Split(s, sep)
	case !fromRight:
		parts = strings.SplitN(s, sep, max+1)
	default:
		rest := s
		var rev []string
		for len(rev) < max {
			i := strings.LastIndex(rest, sep)
			if i < 0 {
				break
			}
			rev = append(rev, rest[i+len(sep):])
			rest = rest[:i]
		}
		rev = append(rev, rest)
		for i := len(rev) - 1; i >= 0; i-- {
			parts = append(parts, rev[i])
		}
	}
	for _, p := range parts {
		out.Items = append(out.Items, p)
	}
	return out, nil
}

func (e *evaluator) replace(s, old, nw string, count int) (Value, error) {
	n := strings.Count(s, old)
	if old == "" {
		n = utf8.RuneCountInString(s) + 1
	}
	if count >= 0 && count < n {
		n = count
	}
	if err := e.alloc(len(s) + n*(len(nw)-len(old))); err != nil {
		return nil, err
	}
	return strings.Replace(s, old, nw, n), nil
}

func dictMethod(d *Dict, name string) *Func {
	switch name {
	case "get":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			if len(args) == 0 {
				return nil, errf("get expected at least 1 argument, got 0")
			}
			if v, ok := d.Get(args[0]); ok {
				return v, nil
			}
			return arg(args, nil, 1, "", nil), nil
		})
	case "items":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) {
			v := dictItems(d)
			v.View = "dict_items"
			return v, nil
		})
	case "keys":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) {
			return &List{Items: append([]Value(nil), d.keys...), View: "dict_keys"}, nil
		})
	case "values":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) {
			return &List{Items: append([]Value(nil), d.vals...), View: "dict_values"}, nil
		})
	case "copy":
		return method(name, func(*evaluator, []Value, *Dict) (Value, error) { return d.copyDict(), nil })
	case "update", "pop", "popitem", "setdefault", "clear":
		return unsafe(d, name)
	}
	return nil
}

func dictItems(d *Dict) *List {
	out := &List{Items: make([]Value, d.Len())}
	for i, k := range d.keys {
		out.Items[i] = &List{Items: []Value{k, d.vals[i]}, Tuple: true}
	}
	return out
}

func listMethod(l *List, name string) *Func {
	switch name {
	case "index":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			for i, it := range l.Items {
				if len(args) > 0 && e.equal(it, args[0]) {
					return int64(i), nil
				}
			}
			return nil, errf("value is not in list")
		})
	case "count":
		return method(name, func(e *evaluator, args []Value, kw *Dict) (Value, error) {
			n := int64(0)
			for _, it := range l.Items {
				if len(args) > 0 && e.equal(it, args[0]) {
					n++
				}
			}
			return n, nil
		})
	case "append", "extend", "insert", "pop", "remove", "sort", "reverse", "clear":
		return unsafe(l, name)
	}
	return nil
}

// percentFormat is Python's "fmt" % args for the common conversions.
func (e *evaluator) percentFormat(f string, argv Value) (Value, error) {
	var args []Value
	var named *Dict
	switch a := argv.(type) {
	case *List:
		if a.Tuple {
			args = a.Items
		} else {
			args = []Value{a}
		}
	case *Dict:
		named = a
		args = []Value{a}
	default:
		args = []Value{a}
	}
	var b strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		i++
		if i >= len(f) {
			return nil, errf("incomplete format")
		}
		var v Value
		if f[i] == '(' && named != nil {
			j := strings.IndexByte(f[i:], ')')
			if j < 0 {
				return nil, errf("incomplete format key")
			}
			v, _ = named.Get(f[i+1 : i+j])
			i += j + 1
		}
		spec := ""
		for i < len(f) && strings.IndexByte("-+ #0123456789.", f[i]) >= 0 {
			spec += string(f[i])
			i++
		}
		if i >= len(f) {
			return nil, errf("incomplete format")
		}
		c := f[i]
		if c == '%' {
			b.WriteByte('%')
			continue
		}
		if err := e.checkSpec(spec); err != nil {
			return nil, err
		}
		if v == nil && named == nil || named != nil && f[i-1-len(spec)] != ')' {
			if next >= len(args) {
				return nil, errf("not enough arguments for format string")
			}
			v = args[next]
			next++
		}
		switch c {
		case 's':
			b.WriteString(fmt.Sprintf("%"+spec+"s", e.str(v)))
		case 'r':
			b.WriteString(fmt.Sprintf("%"+spec+"s", repr(v)))
		case 'd', 'i':
			ii, ff, isF, ok := num(v)
			if !ok {
				return nil, errf("%%d format: a real number is required, not %s", typeName(v))
			}
			if isF {
				ii = int64(ff)
			}
			b.WriteString(fmt.Sprintf("%"+spec+"d", ii))
		case 'f', 'F', 'e', 'g':
			_, ff, _, ok := num(v)
			if !ok {
				return nil, errf("must be real number, not %s", typeName(v))
			}
			if !strings.Contains(spec, ".") && c != 'g' {
				spec += ".6"
			}
			b.WriteString(fmt.Sprintf("%"+spec+string(c), ff))
		case 'x', 'X', 'o':
			ii, _, _, ok := num(v)
			if !ok {
				return nil, errf("%%x format: an integer is required, not %s", typeName(v))
			}
			b.WriteString(fmt.Sprintf("%"+spec+string(c), ii))
		default:
			return nil, errf("unsupported format character '%c'", c)
		}
		if b.Len() > e.limits.MaxOutput {
			return nil, errOutputTooLarge
		}
	}
	if err := e.alloc(b.Len()); err != nil {
		return nil, err
	}
	// Python skips this check when the right side is mapping-like (has __getitem__: a dict, a
	// list, jinja2's Undefined)
	_, isUndef := argv.(*Undefined)
	if _, isList := argv.(*List); named == nil && next < len(args) && !(isList && !argv.(*List).Tuple) && !isUndef {
		return nil, errf("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

// strFormat is str.format with {} / {0} / {name} fields and an optional simple spec.
func (e *evaluator) strFormat(f string, args []Value, kw *Dict) (Value, error) {
	var b strings.Builder
	auto, manual := 0, false
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '}' {
			if i+1 < len(f) && f[i+1] == '}' {
				i++
			}
			b.WriteByte('}')
			continue
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(f) && f[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			return nil, errf("Single '{' encountered in format string")
		}
		field := f[i+1 : i+j]
		i += j
		spec := ""
		if k := strings.IndexByte(field, ':'); k >= 0 {
			field, spec = field[:k], field[k+1:]
		}
		conv := byte(0)
		if k := strings.IndexByte(field, '!'); k >= 0 && k+1 < len(field) {
			field, conv = field[:k], field[k+1]
		}
		var v Value
		switch {
		case field == "":
			if manual {
				return nil, errf("cannot switch from manual field specification to automatic field numbering")
			}
			if auto >= len(args) {
				return nil, errf("Replacement index %d out of range for positional args tuple", auto)
			}
			v = args[auto]
			auto++
		case field[0] >= '0' && field[0] <= '9':
			if auto > 0 {
				return nil, errf("cannot switch from automatic field numbering to manual field specification")
			}
			manual = true
			n, _ := strconv.Atoi(field)
			if n >= len(args) {
				return nil, errf("Replacement index %d out of range for positional args tuple", n)
			}
			v = args[n]
		default:
			var ok bool
			if v, ok = kw.Get(field); !ok {
				return nil, errf("'%s'", field)
			}
		}
		s := e.str(v)
		if conv == 'r' {
			s = repr(v)
		}
		if err := e.checkSpec(spec); err != nil {
			return nil, err
		}
		if spec != "" {
			if _, ff, isF, ok := num(v); ok && strings.HasSuffix(spec, "f") {
				_ = isF
				s = fmt.Sprintf("%"+spec, ff)
			} else if w, err := strconv.Atoi(strings.TrimLeft(spec, "<>^")); err == nil {
				how := "ljust"
				if _, _, _, isNum := num(v); isNum {
					how = "rjust"
				}
				switch spec[0] {
				case '>':
					how = "rjust"
				case '^':
					how = "center"
				case '<':
					how = "ljust"
				}
				if err := e.alloc(w); err != nil {
					return nil, err
				}
				s = pad(s, how, w, " ")
			}
		}
		b.WriteString(s)
		if b.Len() > e.limits.MaxOutput {
			return nil, errOutputTooLarge
		}
	}
	return b.String(), e.alloc(b.Len())
}

// checkSpec refuses format widths and precisions that would build strings past the output limit.
func (e *evaluator) checkSpec(spec string) error {
	n := 0
	for i := 0; i <= len(spec); i++ {
		if i < len(spec) && spec[i] >= '0' && spec[i] <= '9' {
			if n = n*10 + int(spec[i]-'0'); n > e.limits.MaxOutput {
				return errOutputTooLarge
			}
			continue
		}
		n = 0
	}
	return nil
}

// splitLines is str.splitlines: \n, \r, \r\n and the other Unicode line boundaries.
func splitLines(s string, keep bool) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029")
		if i < 0 {
			out = append(out, s)
			break
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			w = 2
		}
		line := s[:i]
		if keep {
			line = s[:i+w]
		}
		out = append(out, line)
		s = s[i+w:]
	}
	return out
}

func pySplitLines(s string) []string { return splitLines(s, false) }
