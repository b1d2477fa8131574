package detect

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// op is the operation of a condition node.
type op uint8

const (
	opSearch op = iota // a search identifier
	opAnd
	opOr
	opNot
)

// cnode is a node of a compiled condition.
type cnode struct {
	op   op
	idx  int // search index for opSearch
	kids []*cnode
}

// ctoken is one token of a condition, with its byte offset.
type ctoken struct {
	text string
	off  int
}

// lexCondition splits a condition into tokens at white space and around
// parentheses. It reads characters, not bytes: a byte of a character
// (0xA0 of "à") is no space.
func lexCondition(s string) []ctoken {
	var toks []ctoken
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(c):
			i += n
		case c == '(' || c == ')':
			toks = append(toks, ctoken{text: s[i : i+1], off: i})
			i++
		default:
			j := i
			for j < len(s) {
				c, n := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(c) || c == '(' || c == ')' {
					break
				}
				j += n
			}
			toks = append(toks, ctoken{text: s[i:j], off: i})
			i = j
		}
	}
	return toks
}

// condParser parses one condition string. Precedence, loosest first:
// or, and, not, "x of", parentheses.
type condParser struct {
	toks  []ctoken
	pos   int
	src   string
	names []string // search identifiers in rule order
	index map[string]int
	depth int // parentheses and nots open around the current token
	spent *condBudget
}

// condBudget is what a rule's conditions may cost to build: their
// identifiers, each "x of" counting one for every identifier it names,
// and the identifier names an "x of" pattern is tried against. Repeating
// "1 of them" over thousands of identifiers built tens of millions of
// nodes, which every record would then be matched against.
type condBudget struct {
	nodes, tries int
}

// Bounds of a condBudget.
const (
	MaxConditionNodes = 10_000
	maxConditionTries = 1_000_000
)

// spend counts nodes and tries, made at off, against the budget.
func (p *condParser) spend(off, nodes, tries int) error {
	p.spent.nodes += nodes
	p.spent.tries += tries
	if p.spent.nodes > MaxConditionNodes || p.spent.tries > maxConditionTries {
		return p.fail(off, "the rule's conditions name more than %d identifiers, counting each one an \"of\" names", MaxConditionNodes)
	}
	return nil
}

// MaxConditionDepth bounds how deeply parentheses and nots nest in one
// condition. Rules nest a few levels; the parser and the matcher recurse
// once a level, and a crafted condition of millions of parentheses ran
// the stack out.
const MaxConditionDepth = 100

// enter notes one more level of nesting at off.
func (p *condParser) enter(off int) error {
	p.depth++
	if p.depth > MaxConditionDepth {
		return p.fail(off, "parentheses and nots nest more than %d deep", MaxConditionDepth)
	}
	return nil
}

// condError is a syntax or reference error at a byte offset of a condition.
type condError struct {
	off int
	msg string
}

func (e *condError) Error() string { return e.msg }

func (p *condParser) fail(off int, format string, args ...any) error {
	return &condError{off: off, msg: fmt.Sprintf(format, args...)}
}

func (p *condParser) peek() (ctoken, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return ctoken{off: len(p.src)}, false
}

func parseCondition(src string, names []string, index map[string]int, spent *condBudget) (*cnode, error) {
	p := &condParser{toks: lexCondition(src), src: src, names: names, index: index, spent: spent}
	if len(p.toks) == 0 {
		return nil, p.fail(0, "empty condition")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t, ok := p.peek(); ok {
		return nil, p.fail(t.off, "unexpected \"%s\"%s", t.text, caseHint(t.text))
	}
	return n, nil
}

func (p *condParser) parseOr() (*cnode, error) {
	return p.parseBinary("or", opOr, p.parseAnd)
}

func (p *condParser) parseAnd() (*cnode, error) {
	return p.parseBinary("and", opAnd, p.parseNot)
}

func (p *condParser) parseBinary(word string, o op, next func() (*cnode, error)) (*cnode, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	kids := []*cnode{first}
	for {
		t, ok := p.peek()
		if !ok || t.text != word {
			break
		}
		p.pos++
		n, err := next()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &cnode{op: o, kids: kids}, nil
}

func (p *condParser) parseNot() (*cnode, error) {
	t, ok := p.peek()
	if ok && t.text == "not" {
		p.pos++
		if err := p.enter(t.off); err != nil {
			return nil, err
		}
		n, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &cnode{op: opNot, kids: []*cnode{n}}, nil
	}
	return p.parsePrimary()
}

func (p *condParser) parsePrimary() (*cnode, error) {
	t, ok := p.peek()
	if !ok {
		return nil, p.fail(t.off, "condition ends where an identifier was expected")
	}
	p.pos++
	switch t.text {
	case "(":
		if err := p.enter(t.off); err != nil {
			return nil, err
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok || c.text != ")" {
			return nil, p.fail(c.off, "missing closing parenthesis for the one at offset %d", t.off)
		}
		p.pos++
		p.depth--
		return n, nil
	case ")", "and", "or", "of", "them":
		return nil, p.fail(t.off, "unexpected \"%s\"", t.text)
	case "1", "any", "all":
		if nt, ok := p.peek(); ok && nt.text == "of" {
			p.pos++
			return p.parseOf(t)
		}
	}
	return p.ident(t)
}

// parseOf parses the pattern after "1 of", "any of" or "all of".
func (p *condParser) parseOf(quant ctoken) (*cnode, error) {
	t, ok := p.peek()
	if !ok || t.text == "(" || t.text == ")" {
		return nil, p.fail(t.off, "\"%s\" of needs an identifier pattern or them", quant.text)
	}
	p.pos++
	if err := p.spend(t.off, 0, len(p.names)); err != nil {
		return nil, err
	}
	var kids []*cnode
	for i, name := range p.names {
		var hit bool
		if t.text == "them" {
			hit = !strings.HasPrefix(name, "_")
		} else {
			// path.Match gives '*' the meaning the specification wants;
			// identifiers hold no '/'.
			hit, _ = path.Match(t.text, name)
		}
		if hit {
			kids = append(kids, &cnode{op: opSearch, idx: i})
		}
	}
	if len(kids) == 0 {
		return nil, p.fail(t.off, "\"%s\" matches no search identifier", t.text)
	}
	if err := p.spend(t.off, len(kids), 0); err != nil {
		return nil, err
	}
	o := opOr
	if quant.text == "all" {
		o = opAnd
	}
	if len(kids) == 1 {
		return kids[0], nil
	}
	return &cnode{op: o, kids: kids}, nil
}

func (p *condParser) ident(t ctoken) (*cnode, error) {
	i, ok := p.index[t.text]
	if !ok {
		return nil, p.fail(t.off, "unknown search identifier \"%s\"%s", t.text, caseHint(t.text))
	}
	if err := p.spend(t.off, 1, 0); err != nil {
		return nil, err
	}
	return &cnode{op: opSearch, idx: i}, nil
}

// caseHint explains an operator written in upper case.
func caseHint(tok string) string {
	switch strings.ToLower(tok) {
	case "and", "or", "not", "of", "them", "all", "any":
		if tok != strings.ToLower(tok) {
			return " (operators are lower case)"
		}
	}
	return ""
}
