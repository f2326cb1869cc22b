package chat

import "fmt"

// Gen is a Python generator, what jinja2's select, reject, selectattr, rejectattr, map, unique,
// batch and items filters (and reverse on a list) return. It matters for byte-identical output:
// a generator is always true, even when empty (`{% if msgs|selectattr(...) %}` always passes),
// has no length, and is used up by the first loop or filter that reads it.
type Gen struct {
	Name  string // Python's name for it, as printed by repr
	items []Value
	pos   int
}

func newGen(name string, items []Value) *Gen { return &Gen{Name: name, items: items} }

// take returns what the generator has left and exhausts it.
func (g *Gen) take() []Value {
	rest := g.items[g.pos:]
	g.pos = len(g.items)
	return rest
}

// next returns one item, as Python's next() does.
func (g *Gen) next() (Value, bool) {
	if g.pos >= len(g.items) {
		return nil, false
	}
	g.pos++
	return g.items[g.pos-1], true
}

func (g *Gen) repr() string {
	if g.Name == "list_reverseiterator" {
		return "<list_reverseiterator object>"
	}
	return fmt.Sprintf("<generator object %s>", g.Name)
}

// generator adapts a filter that builds a list into one returning a generator.
func generator(name string, f filterFunc) filterFunc {
	return func(e *evaluator, v Value, a []Value, k *Dict) (Value, error) {
		out, err := f(e, v, a, k)
		if err != nil {
			return nil, err
		}
		if l, ok := out.(*List); ok {
			return newGen(name, l.Items), nil
		}
		return out, nil
	}
}

func init() {
	for name, gen := range map[string]string{"select": "select_or_reject", "reject": "select_or_reject",
		"selectattr": "select_or_reject", "rejectattr": "select_or_reject", "map": "sync_do_map",
		"unique": "sync_do_unique", "batch": "do_batch", "items": "do_items"} {
		filters[name] = generator(gen, filters[name])
	}
}
