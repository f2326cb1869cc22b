package chat

import (
	"fmt"
	"strings"
	"time"
)

// Globals every template sees: jinja2's (range, namespace, dict, cycler, joiner) and the two
// transformers adds (raise_exception, strftime_now).

func globalScope(now func() time.Time) *scope {
	sc := newScope(nil)
	sc.vars["range"] = &Func{Name: "range", Call: gRange}
	sc.vars["namespace"] = &Func{Name: "namespace", Call: gNamespace}
	sc.vars["dict"] = &Func{Name: "dict", Call: gDict}
	sc.vars["raise_exception"] = &Func{Name: "raise_exception", Call: func(e *evaluator, args []Value, kw *Dict) (Value, error) {
		return nil, &pyError{msg: e.str(arg(args, kw, 0, "message", "")), raised: true}
	}}
	sc.vars["strftime_now"] = &Func{Name: "strftime_now", Call: func(e *evaluator, args []Value, kw *Dict) (Value, error) {
		f, err := strArg(arg(args, kw, 0, "format", nil), "strftime_now() format")
		if err != nil {
			return nil, err
		}
		return strftime(now(), f), nil
	}}
	sc.vars["cycler"] = &Func{Name: "cycler", Call: gCycler}
	sc.vars["joiner"] = &Func{Name: "joiner", Call: gJoiner}
	return sc
}

func gRange(e *evaluator, args []Value, kw *Dict) (Value, error) {
	var b [3]int
	for i, a := range args {
		if i > 2 {
			return nil, errf("range expected at most 3 arguments, got %d", len(args))
		}
		n, ok := asIndex(a)
		if !ok {
			return nil, errf("'%s' object cannot be interpreted as an integer", typeName(a))
		}
		b[i] = n
	}
	start, stop, step := 0, 0, 1
	switch len(args) {
	case 0:
		return nil, errf("range expected at least 1 argument, got 0")
	case 1:
		stop = b[0]
	case 2:
		start, stop = b[0], b[1]
	default:
		start, stop, step = b[0], b[1], b[2]
	}
	if step == 0 {
		return nil, errf("range() arg 3 must not be zero")
	}
	n := 0
	if step > 0 && stop > start {
		n = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		n = (start - stop - step - 1) / -step
	}
	// jinja2's sandbox caps ranges at 100000 items (MAX_RANGE); the step budget pays for the list.
	if n > 100000 {
		return nil, errf("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
	}
	e.steps += int64(n)
	if err := e.step(); err != nil {
		return nil, err
	}
	out := &List{Items: make([]Value, n)}
	for i := range out.Items {
		out.Items[i] = int64(start + i*step)
	}
	return out, nil
}

func gNamespace(e *evaluator, args []Value, kw *Dict) (Value, error) {
	ns := NewDict()
	ns.Namespace = true
	if err := mergeDicts(ns, "namespace", args, kw); err != nil {
		return nil, err
	}
	return ns, nil
}

func gDict(e *evaluator, args []Value, kw *Dict) (Value, error) {
	d := NewDict()
	if err := mergeDicts(d, "dict", args, kw); err != nil {
		return nil, err
	}
	return d, nil
}

// mergeDicts sets into d the items of every positional dict, then the
// keyword arguments, as dict() and namespace() take them.
func mergeDicts(d *Dict, fn string, args []Value, kw *Dict) error {
	for _, a := range args {
		src, ok := a.(*Dict)
		if !ok {
			return errf("%s() positional argument must be a dict, not %s", fn, typeName(a))
		}
		for i, k := range src.keys {
			_ = d.Set(k, src.vals[i])
		}
	}
	for i, k := range kw.keys {
		_ = d.Set(k, kw.vals[i])
	}
	return nil
}

func gCycler(e *evaluator, args []Value, kw *Dict) (Value, error) {
	if len(args) == 0 {
		return nil, errf("at least one item has to be provided")
	}
	items := append([]Value(nil), args...)
	pos := 0
	c := NewDict()
	c.SetStr("items", &List{Items: items})
	c.SetStr("next", &Func{Name: "next", Call: func(*evaluator, []Value, *Dict) (Value, error) {
		v := items[pos]
		pos = (pos + 1) % len(items)
		return v, nil
	}})
	c.SetStr("reset", &Func{Name: "reset", Call: func(*evaluator, []Value, *Dict) (Value, error) {
		pos = 0
		return nil, nil
	}})
	c.Namespace = true // attribute access only
	return c, nil
}

func gJoiner(e *evaluator, args []Value, kw *Dict) (Value, error) {
	sep := e.str(arg(args, kw, 0, "sep", ", "))
	used := false
	return &Func{Name: "joiner", Call: func(*evaluator, []Value, *Dict) (Value, error) {
		if !used {
			used = true
			return "", nil
		}
		return sep, nil
	}}, nil
}

var (
	shortDays   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	shortMonths = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// strftime is Python's datetime.strftime in the C locale for the usual directives; glibc's
// "%-d" (no padding) is honoured as Linux Python does.
func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		noPad := false
		if f[i] == '-' && i+1 < len(f) {
			noPad = true
			i++
		}
		num := func(v, width int) {
			if noPad {
				fmt.Fprintf(&b, "%d", v)
			} else {
				fmt.Fprintf(&b, "%0*d", width, v)
			}
		}
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'y':
			num(t.Year()%100, 2)
		case 'm':
			num(int(t.Month()), 2)
		case 'd':
			num(t.Day(), 2)
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			num(t.Hour(), 2)
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, 2)
		case 'M':
			num(t.Minute(), 2)
		case 'S':
			num(t.Second(), 2)
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'b', 'h':
			b.WriteString(shortMonths[t.Month()-1])
		case 'B':
			b.WriteString(t.Month().String())
		case 'a':
			b.WriteString(shortDays[t.Weekday()])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'j':
			num(t.YearDay(), 3)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			fmt.Fprintf(&b, "%d", wd)
		case 'Z', 'z':
			// datetime.now() is naive: no zone name, no offset
		case 'D':
			b.WriteString(strftime(t, "%m/%d/%y"))
		case 'F':
			b.WriteString(strftime(t, "%Y-%m-%d"))
		case 'T':
			b.WriteString(strftime(t, "%H:%M:%S"))
		case 'R':
			b.WriteString(strftime(t, "%H:%M"))
		case 'c':
			b.WriteString(strftime(t, "%a %b %e %H:%M:%S %Y"))
		case 'x':
			b.WriteString(strftime(t, "%m/%d/%y"))
		case 'X':
			b.WriteString(strftime(t, "%H:%M:%S"))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			if noPad {
				b.WriteByte('-')
			}
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
