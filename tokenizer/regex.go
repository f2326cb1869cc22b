package tokenizer

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A small backtracking regular-expression engine with Oniguruma's
// leftmost-first semantics, used for split and replace patterns that have no
// hand-written scanner. Go's regexp cannot run them: the hub's patterns use
// lookahead (`\s+(?!\S)`), and RE2's leftmost-first is not backtracking when
// alternatives overlap with lookaround. It supports what tokenizer.json
// patterns use: literals, classes with \p{..}, \s \d \w and their negations,
// groups (capturing, (?:), (?i:), (?i)), alternation, greedy, lazy and
// possessive quantifiers, lookahead and lookbehind, and ^ $ \A \z \b anchors.
type regex struct {
	src  string
	root *rnode
}

type rkind uint8

const (
	rLit rkind = iota
	rClass
	rAny
	rCat
	rAlt
	rRepeat
	rLook
	rBOL
	rEOL
	rBegin
	rEnd
	rEndZ
	rWordB
	rNotWordB
	rEmpty
)

type rnode struct {
	kind       rkind
	r          rune
	fold       bool
	cls        *charClass
	subs       []*rnode
	min, max   int
	greedy     bool
	possessive bool
	neg        bool
	behind     bool
}

type classRange struct{ lo, hi rune }

type classProp struct {
	fn  func(rune) bool
	neg bool
}

type charClass struct {
	ranges []classRange
	props  []classProp
	subs   []*charClass
	neg    bool
	fold   bool
}

func (c *charClass) matches(r rune) bool {
	in := c.has(r)
	if !in && c.fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if c.has(f) {
				in = true
				break
			}
		}
	}
	return in != c.neg
}

func (c *charClass) has(r rune) bool {
	for _, rg := range c.ranges {
		if r >= rg.lo && r <= rg.hi {
			return true
		}
	}
	for _, p := range c.props {
		if p.fn(r) != p.neg {
			return true
		}
	}
	for _, s := range c.subs {
		if s.matches(r) {
			return true
		}
	}
	return false
}

// compileRegex parses an Oniguruma-style pattern.
func compileRegex(src string) (*regex, error) {
	p := &reParser{src: src}
	n, err := p.parseAlt()
	if err != nil {
		return nil, fmt.Errorf("regex %q: %w", src, err)
	}
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("regex %q: unexpected %q at offset %d", src, p.src[p.pos], p.pos)
	}
	return &regex{src: src, root: n}, nil
}

type reParser struct {
	src  string
	pos  int
	fold bool
}

func (p *reParser) more() bool { return p.pos < len(p.src) }

func (p *reParser) peek() rune {
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return r
}

func (p *reParser) next() rune {
	r, n := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += n
	return r
}

func (p *reParser) parseAlt() (*rnode, error) {
	var alts []*rnode
	for {
		c, err := p.parseCat()
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
		if p.more() && p.src[p.pos] == '|' {
			p.pos++
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &rnode{kind: rAlt, subs: alts}, nil
}

func (p *reParser) parseCat() (*rnode, error) {
	var items []*rnode
	for p.more() {
		c := p.src[p.pos]
		if c == '|' || c == ')' {
			break
		}
		atom, err := p.parseAtom()
		if err != nil {
			return nil, err
		}
		if atom == nil {
			continue
		}
		atom, err = p.parseQuant(atom)
		if err != nil {
			return nil, err
		}
		items = append(items, atom)
	}
	switch len(items) {
	case 0:
		return &rnode{kind: rEmpty}, nil
	case 1:
		return items[0], nil
	}
	return &rnode{kind: rCat, subs: items}, nil
}

func (p *reParser) parseQuant(atom *rnode) (*rnode, error) {
	for p.more() {
		min, max := -1, -1
		switch p.src[p.pos] {
		case '*':
			min, max = 0, -1
			p.pos++
		case '+':
			min, max = 1, -1
			p.pos++
		case '?':
			min, max = 0, 1
			p.pos++
		case '{':
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return atom, nil
			}
			body := p.src[p.pos+1 : p.pos+end]
			lo, hi, ok := parseBraces(body)
			if !ok {
				return atom, nil // a literal '{', as Oniguruma reads it
			}
			if lo > 1000 || hi > 1000 {
				return nil, fmt.Errorf("repeat count {%s} above 1000 at offset %d", body, p.pos)
			}
			min, max = lo, hi
			p.pos += end + 1
		default:
			return atom, nil
		}
		n := &rnode{kind: rRepeat, subs: []*rnode{atom}, min: min, max: max, greedy: true}
		if p.more() && p.src[p.pos] == '?' {
			n.greedy = false
			p.pos++
		} else if p.more() && p.src[p.pos] == '+' {
			n.possessive = true
			p.pos++
		}
		atom = n
	}
	return atom, nil
}

func parseBraces(body string) (int, int, bool) {
	lo, hi, found := strings.Cut(body, ",")
	a, err := strconv.Atoi(lo)
	if err != nil && lo != "" {
		return 0, 0, false
	}
	if lo == "" {
		if !found {
			return 0, 0, false
		}
		a = 0
	}
	if !found {
		return a, a, true
	}
	if hi == "" {
		return a, -1, true
	}
	b, err := strconv.Atoi(hi)
	if err != nil || b < a {
		return 0, 0, false
	}
	return a, b, true
}

func (p *reParser) parseAtom() (*rnode, error) {
	c := p.next()
	switch c {
	case '(':
		return p.parseGroup()
	case '[':
		cls, err := p.parseClass()
		if err != nil {
			return nil, err
		}
		return &rnode{kind: rClass, cls: cls}, nil
	case '.':
		return &rnode{kind: rAny}, nil
	case '^':
		return &rnode{kind: rBOL}, nil
	case '$':
		return &rnode{kind: rEOL}, nil
	case '\\':
		return p.parseEscape()
	}
	return &rnode{kind: rLit, r: c, fold: p.fold}, nil
}

func (p *reParser) parseGroup() (*rnode, error) {
	saved := p.fold
	defer func() { p.fold = saved }()
	var look *rnode
	if strings.HasPrefix(p.src[p.pos:], "?") {
		rest := p.src[p.pos+1:]
		switch {
		case strings.HasPrefix(rest, ":"):
			p.pos += 2
		case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
			look = &rnode{kind: rLook, neg: rest[0] == '!'}
			p.pos += 2
		case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
			look = &rnode{kind: rLook, neg: rest[1] == '!', behind: true}
			p.pos += 3
		case strings.HasPrefix(rest, ">"):
			// Atomic group: a possessive repeat of exactly one.
			p.pos += 2
			sub, err := p.parseAlt()
			if err != nil {
				return nil, err
			}
			if !p.more() || p.next() != ')' {
				return nil, fmt.Errorf("missing ) at offset %d", p.pos)
			}
			return &rnode{kind: rRepeat, subs: []*rnode{sub}, min: 1, max: 1, greedy: true, possessive: true}, nil
		default:
			// Inline flags: (?i) (?-i) (?i:...)
			j := 1
			on := true
			fold := p.fold
			for j < len(p.src)-p.pos {
				ch := p.src[p.pos+j]
				if ch == 'i' {
					fold = on
				} else if ch == '-' {
					on = false
				} else if ch == 'm' || ch == 's' || ch == 'x' {
					if ch == 'x' && on {
						return nil, fmt.Errorf("flag x is not supported")
					}
				} else {
					break
				}
				j++
			}
			if p.pos+j >= len(p.src) {
				return nil, fmt.Errorf("unterminated group flags")
			}
			switch p.src[p.pos+j] {
			case ')':
				// The flag holds to the end of the enclosing group.
				p.pos += j + 1
				saved = fold
				p.fold = fold
				return nil, nil
			case ':':
				p.pos += j + 1
				p.fold = fold
			default:
				return nil, fmt.Errorf("unsupported group syntax at offset %d", p.pos)
			}
		}
	}
	sub, err := p.parseAlt()
	if err != nil {
		return nil, err
	}
	if !p.more() || p.next() != ')' {
		return nil, fmt.Errorf("missing ) at offset %d", p.pos)
	}
	if look != nil {
		look.subs = []*rnode{sub}
		return look, nil
	}
	return sub, nil
}

func (p *reParser) parseEscape() (*rnode, error) {
	if !p.more() {
		return nil, fmt.Errorf("trailing backslash")
	}
	c := p.peek()
	switch c {
	case 'A':
		p.next()
		return &rnode{kind: rBegin}, nil
	case 'z':
		p.next()
		return &rnode{kind: rEnd}, nil
	case 'Z':
		p.next()
		return &rnode{kind: rEndZ}, nil
	case 'b':
		p.next()
		return &rnode{kind: rWordB}, nil
	case 'B':
		p.next()
		return &rnode{kind: rNotWordB}, nil
	}
	cls, r, err := p.parseClassEscape()
	if err != nil {
		return nil, err
	}
	if cls != nil {
		return &rnode{kind: rClass, cls: cls}, nil
	}
	return &rnode{kind: rLit, r: r, fold: p.fold}, nil
}

// parseClassEscape reads the escape after a backslash: either a class
// (\s, \p{L}, ...) or a single rune.
func (p *reParser) parseClassEscape() (*charClass, rune, error) {
	c := p.next()
	prop := func(fn func(rune) bool, neg bool) *charClass {
		return &charClass{props: []classProp{{fn: fn, neg: neg}}}
	}
	switch c {
	case 's', 'S':
		return prop(isSpace, c == 'S'), 0, nil
	case 'd', 'D':
		return prop(isDecimal, c == 'D'), 0, nil
	case 'w', 'W':
		return prop(isWordChar, c == 'W'), 0, nil
	case 'h', 'H':
		return prop(isHexDigit, c == 'H'), 0, nil
	case 'p', 'P':
		name := ""
		if p.more() && p.src[p.pos] == '{' {
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return nil, 0, fmt.Errorf("unterminated \\p{")
			}
			name = p.src[p.pos+1 : p.pos+end]
			p.pos += end + 1
		} else if p.more() {
			name = string(p.next())
		}
		neg := c == 'P'
		if strings.HasPrefix(name, "^") {
			neg = !neg
			name = name[1:]
		}
		fn, err := unicodeProperty(name)
		if err != nil {
			return nil, 0, err
		}
		return prop(fn, neg), 0, nil
	case 'n':
		return nil, '\n', nil
	case 'r':
		return nil, '\r', nil
	case 't':
		return nil, '\t', nil
	case 'f':
		return nil, '\f', nil
	case 'v':
		return nil, '\v', nil
	case 'a':
		return nil, '\a', nil
	case 'e':
		return nil, 0x1b, nil
	case '0':
		return nil, 0, nil
	case 'x', 'u':
		var hex string
		if c == 'x' && p.more() && p.src[p.pos] == '{' {
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return nil, 0, fmt.Errorf("unterminated \\x{")
			}
			hex = p.src[p.pos+1 : p.pos+end]
			p.pos += end + 1
		} else {
			n := 2
			if c == 'u' {
				n = 4
			}
			if p.pos+n > len(p.src) {
				return nil, 0, fmt.Errorf("short \\%c escape", c)
			}
			hex = p.src[p.pos : p.pos+n]
			p.pos += n
		}
		v, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || v > unicode.MaxRune {
			return nil, 0, fmt.Errorf("bad \\%c escape %q", c, hex)
		}
		return nil, rune(v), nil
	}
	if c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '1' && c <= '9') {
		return nil, 0, fmt.Errorf("unsupported escape \\%c", c)
	}
	return nil, c, nil
}

func (p *reParser) parseClass() (*charClass, error) {
	cls := &charClass{fold: p.fold}
	if p.more() && p.src[p.pos] == '^' {
		cls.neg = true
		p.pos++
	}
	first := true
	for {
		if !p.more() {
			return nil, fmt.Errorf("unterminated character class")
		}
		c := p.next()
		if c == ']' && !first {
			return cls, nil
		}
		first = false
		var lo rune
		switch c {
		case '[':
			if strings.HasPrefix(p.src[p.pos:], ":") {
				end := strings.Index(p.src[p.pos:], ":]")
				if end < 0 {
					return nil, fmt.Errorf("unterminated POSIX class")
				}
				name := p.src[p.pos+1 : p.pos+end]
				p.pos += end + 2
				fn, err := posixClass(name)
				if err != nil {
					return nil, err
				}
				cls.props = append(cls.props, classProp{fn: fn})
				continue
			}
			sub, err := p.parseClass()
			if err != nil {
				return nil, err
			}
			cls.subs = append(cls.subs, sub)
			continue
		case '\\':
			sub, r, err := p.parseClassEscape()
			if err != nil {
				return nil, err
			}
			if sub != nil {
				cls.props = append(cls.props, sub.props...)
				continue
			}
			lo = r
		default:
			if c == '&' && strings.HasPrefix(p.src[p.pos:], "&") {
				return nil, fmt.Errorf("class intersection && is not supported")
			}
			lo = c
		}
		hi := lo
		if strings.HasPrefix(p.src[p.pos:], "-") && !strings.HasPrefix(p.src[p.pos:], "-]") && p.pos+1 < len(p.src) {
			p.pos++
			c2 := p.next()
			if c2 == '\\' {
				sub, r, err := p.parseClassEscape()
				if err != nil {
					return nil, err
				}
				if sub != nil {
					return nil, fmt.Errorf("bad class range")
				}
				c2 = r
			}
			hi = c2
			if hi < lo {
				return nil, fmt.Errorf("bad class range %q-%q", lo, hi)
			}
		}
		cls.ranges = append(cls.ranges, classRange{lo, hi})
	}
}

func posixClass(name string) (func(rune) bool, error) {
	switch name {
	case "alpha":
		return unicode.IsLetter, nil
	case "digit":
		return isDecimal, nil
	case "alnum":
		return func(r rune) bool { return unicode.IsLetter(r) || isDecimal(r) }, nil
	case "space":
		return isSpace, nil
	case "upper":
		return unicode.IsUpper, nil
	case "lower":
		return unicode.IsLower, nil
	case "punct":
		return unicode.IsPunct, nil
	}
	return nil, fmt.Errorf("unsupported POSIX class [:%s:]", name)
}

var propAliases = map[string]string{
	"Letter": "L", "Mark": "M", "Number": "N", "Punctuation": "P", "Symbol": "S",
	"Separator": "Z", "Other": "C", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll",
	"Decimal_Number": "Nd", "Alpha": "Alphabetic", "Alphabetic": "Alphabetic",
}

func unicodeProperty(name string) (func(rune) bool, error) {
	if a, ok := propAliases[name]; ok {
		name = a
	}
	switch name {
	case "L":
		return isLetter, nil
	case "N":
		return isNumber, nil
	case "Alphabetic":
		return func(r rune) bool {
			return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_Alphabetic, r)
		}, nil
	case "Any":
		return func(rune) bool { return true }, nil
	case "Cn":
		return func(r rune) bool { return !isAssigned(r) }, nil
	case "C":
		return func(r rune) bool { return unicode.Is(unicode.C, r) || !isAssigned(r) }, nil
	}
	if t, ok := unicode.Categories[name]; ok {
		return func(r rune) bool { return unicode.Is(t, r) }, nil
	}
	if t, ok := unicode.Scripts[name]; ok {
		return func(r rune) bool { return unicode.Is(t, r) }, nil
	}
	if t, ok := unicode.Properties[name]; ok {
		return func(r rune) bool { return unicode.Is(t, r) }, nil
	}
	return nil, fmt.Errorf("unknown Unicode property \\p{%s}", name)
}

// matcher state for one search.
type rmatch struct {
	s string
	// steps bounds the backtracking of one match attempt, as Oniguruma's
	// retry limit does, so a pathological pattern in a tokenizer.json
	// cannot hang encoding; an attempt over the limit counts as no match.
	steps int
	// total bounds the whole search the same way.
	total int
}

var (
	regexStepLimit  = 10_000_000
	regexTotalLimit = 50_000_000
)

func (m *rmatch) runeAt(i int) (rune, int) {
	c := m.s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(m.s[i:])
}

func (m *rmatch) runeBefore(i int) (rune, int) {
	c := m.s[i-1]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeLastRuneInString(m.s[:i])
}

func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// single reports whether n consumes exactly one rune and, if so, whether it
// matches r.
func (n *rnode) single() bool {
	return n.kind == rLit || n.kind == rClass || n.kind == rAny
}

func (n *rnode) matchRune(r rune) bool {
	switch n.kind {
	case rLit:
		if n.fold {
			return foldEq(n.r, r)
		}
		return n.r == r
	case rClass:
		return n.cls.matches(r)
	case rAny:
		return r != '\n'
	}
	return false
}

func (m *rmatch) wordAt(i int) bool {
	if i < 0 || i >= len(m.s) {
		return false
	}
	r, _ := m.runeAt(i)
	return isWordChar(r)
}

func (m *rmatch) wordBefore(i int) bool {
	if i <= 0 {
		return false
	}
	r, _ := m.runeBefore(i)
	return isWordChar(r)
}

func (m *rmatch) match(n *rnode, i int, k func(int) bool) bool {
	if m.steps++; m.steps > regexStepLimit {
		return false
	}
	switch n.kind {
	case rLit, rClass, rAny:
		if i >= len(m.s) {
			return false
		}
		r, w := m.runeAt(i)
		if !n.matchRune(r) {
			return false
		}
		return k(i + w)
	case rEmpty:
		return k(i)
	case rCat:
		return m.matchSeq(n.subs, i, k)
	case rAlt:
		for _, a := range n.subs {
			if m.match(a, i, k) {
				return true
			}
		}
		return false
	case rRepeat:
		return m.matchRepeat(n, i, k)
	case rLook:
		var ok bool
		if n.behind {
			for j := i; j >= 0 && !ok; j-- {
				ok = m.match(n.subs[0], j, func(e int) bool { return e == i })
			}
		} else {
			ok = m.match(n.subs[0], i, func(int) bool { return true })
		}
		if ok == n.neg {
			return false
		}
		return k(i)
	case rBOL:
		if i == 0 || m.s[i-1] == '\n' {
			return k(i)
		}
		return false
	case rEOL:
		if i == len(m.s) || m.s[i] == '\n' {
			return k(i)
		}
		return false
	case rBegin:
		return i == 0 && k(i)
	case rEnd:
		return i == len(m.s) && k(i)
	case rEndZ:
		if i == len(m.s) || (i == len(m.s)-1 && m.s[i] == '\n') {
			return k(i)
		}
		return false
	case rWordB, rNotWordB:
		b := m.wordBefore(i) != m.wordAt(i)
		if b == (n.kind == rWordB) {
			return k(i)
		}
		return false
	}
	return false
}

func (m *rmatch) matchSeq(subs []*rnode, i int, k func(int) bool) bool {
	if len(subs) == 0 {
		return k(i)
	}
	if len(subs) == 1 {
		return m.match(subs[0], i, k)
	}
	return m.match(subs[0], i, func(j int) bool { return m.matchSeq(subs[1:], j, k) })
}

func (m *rmatch) matchRepeat(n *rnode, i int, k func(int) bool) bool {
	sub := n.subs[0]
	if sub.single() {
		// Iterate instead of recursing: a run such as \p{L}+ over a long word
		// would otherwise recurse once per rune.
		ends := []int{i}
		j := i
		for n.max < 0 || len(ends)-1 < n.max {
			if j >= len(m.s) {
				break
			}
			r, w := m.runeAt(j)
			if !sub.matchRune(r) {
				break
			}
			j += w
			ends = append(ends, j)
			if !n.greedy && len(ends)-1 >= n.min {
				// Lazy: try the continuation as soon as the minimum is met.
				break
			}
		}
		if n.possessive {
			return len(ends)-1 >= n.min && k(ends[len(ends)-1])
		}
		if !n.greedy {
			return m.lazySingle(n, sub, i, k)
		}
		for c := len(ends) - 1; c >= n.min; c-- {
			if k(ends[c]) {
				return true
			}
		}
		return false
	}
	if n.possessive {
		end := -1
		m.repeatRec(n, sub, 0, i, func(e int) bool { end = e; return true })
		return end >= 0 && k(end)
	}
	return m.repeatRec(n, sub, 0, i, k)
}

func (m *rmatch) lazySingle(n, sub *rnode, i int, k func(int) bool) bool {
	count := 0
	j := i
	for {
		if count >= n.min && k(j) {
			return true
		}
		if n.max >= 0 && count >= n.max || j >= len(m.s) {
			return false
		}
		r, w := m.runeAt(j)
		if !sub.matchRune(r) {
			return false
		}
		j += w
		count++
	}
}

func (m *rmatch) repeatRec(n, sub *rnode, count, i int, k func(int) bool) bool {
	canMore := n.max < 0 || count < n.max
	// next continues after one more iteration ending at j. An iteration
	// that consumed nothing ends the loop, as Oniguruma's empty check does
	// (rather than failing), once the minimum is met.
	next := func(j int) bool {
		if j == i && count+1 >= n.min {
			return k(j)
		}
		return m.repeatRec(n, sub, count+1, j, k)
	}
	if n.greedy {
		if canMore && m.match(sub, i, next) {
			return true
		}
		return count >= n.min && k(i)
	}
	if count >= n.min && k(i) {
		return true
	}
	return canMore && m.match(sub, i, next)
}

// matchAt returns the end of the leftmost-first match starting at i.
func (re *regex) matchAt(m *rmatch, i int) (int, bool) {
	if m.total > regexTotalLimit {
		return -1, false
	}
	m.steps = 0
	end := -1
	ok := m.match(re.root, i, func(e int) bool { end = e; return true })
	m.total += m.steps
	return end, ok
}

// findAll returns the non-overlapping matches of re in s as [start, end)
// pairs, advancing past empty matches the way the onig crate's find_iter
// does (an empty match right where the last match ended is skipped).
func (re *regex) findAll(s string, dst [][2]int) [][2]int {
	m := &rmatch{s: s}
	lastEnd := 0
	lastMatchEnd := -1
	for lastEnd <= len(s) {
		start, end := -1, -1
		for i := lastEnd; i <= len(s); {
			if e, ok := re.matchAt(m, i); ok {
				start, end = i, e
				break
			}
			if i == len(s) {
				break
			}
			_, w := m.runeAt(i)
			i += w
		}
		if start < 0 {
			break
		}
		if start == end && lastMatchEnd == end {
			if lastEnd >= len(s) {
				break
			}
			_, w := m.runeAt(lastEnd)
			lastEnd += w
			continue
		}
		lastEnd, lastMatchEnd = end, end
		dst = append(dst, [2]int{start, end})
		if start == end && end == len(s) {
			break
		}
	}
	return dst
}
