package chat

import "fmt"

// Gen is a Python generator, what jinja2's select, reject, selectattr, rejectattr, map, unique,
// batch and items filters (and reverse on a list) return. It matters for byte-identical output:
// a generator is always true, even when empty (`{% if msgs|selectattr(...) %}` always passes),
// has no length, is used up by the first loop or filter that reads it, and does its work (and
// raises its errors) only when something reads it.
type Gen struct {
	Name    string // Python's name for it, as printed by repr
	produce func() ([]Value, error)
	items   []Value
	pos     int
	done    bool
}

func newGen(name string, items []Value) *Gen { return &Gen{Name: name, items: items, done: true} }

func (g *Gen) fill() error {
	if g.done {
		return nil
	}
	g.done = true
	items, err := g.produce()
	g.items = items
	return err
}

// take returns what the generator has left and exhausts it.
func (g *Gen) take() ([]Value, error) {
	if err := g.fill(); err != nil {
		return nil, err
	}
	rest := g.items[g.pos:]
	g.pos = len(g.items)
	return rest, nil
}

// next returns one item, as Python's next() does.
func (g *Gen) next() (Value, bool, error) {
	if err := g.fill(); err != nil {
		return nil, false, err
	}
	if g.pos >= len(g.items) {
		return nil, false, nil
	}
	g.pos++
	return g.items[g.pos-1], true, nil
}

func (g *Gen) repr() string {
	// Python prints an address; a fixed one keeps the word count (|wordcount, |title) alike
	if g.Name == "list_reverseiterator" {
		return "<list_reverseiterator object at 0x7f0000000000>"
	}
	return fmt.Sprintf("<generator object %s at 0x7f0000000000>", g.Name)
}

// generator turns a filter that builds a list into one returning a lazy generator: the filter
// runs when the result is first read.
func generator(name string, f filterFunc) filterFunc {
	return func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
		return &Gen{Name: name, produce: func() ([]Value, error) {
			out, err := f(e, v, a, k)
			if err != nil {
				return nil, err
			}
			if l, ok := out.(*List); ok {
				return l.Items, nil
			}
			return e.iterate(out)
		}}, nil
	}
}

func init() {
	for name, gen := range map[string]string{"select": "select_or_reject", "reject": "select_or_reject",
		"selectattr": "select_or_reject", "rejectattr": "select_or_reject", "map": "sync_do_map",
		"unique": "sync_do_unique", "batch": "do_batch", "items": "do_items"} {
		filters[name] = generator(gen, filters[name])
	}
}
