package detect

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strings"

	"go.yaml.in/yaml/v3"
)

// itemKind is how an item compares a field with its values.
type itemKind uint8

const (
	iStr     itemKind = iota // string patterns (plain values, contains, ...)
	iExists                  // exists: true/false
	iRe                      // regular expressions
	iCIDR                    // IP prefixes
	iNum                     // lt/lte/gt/gte
	iTime                    // minute/hour/... equality
	iRef                     // fieldref
	iKeyword                 // keywords: patterns over every value of the event
)

// item is one "field|modifiers: values" entry of a search identifier.
type item struct {
	kind   itemKind
	field  int // field id; -1 for keywords
	path   string
	line   int
	col    int
	all    bool
	neq    bool
	cased  bool
	null   bool // one of the values is null: field missing or null
	exists bool

	pats     []*pattern
	exact    map[string]int32    // pats as a lookup table, when literalTable makes one
	exactNum map[float64][]int32 // with exact: the patterns that are numbers, by float64 value, in order
	res      []*regexp.Regexp
	reInsts  []int       // per regexp: the instructions it compiles to (reSize)
	reLits   []litFilter // per regexp: literals a text needs to match it
	nets     []netip.Prefix
	cmp      string
	nums     []ruleNumber
	timePart string
	refs     []int // fieldref targets
	refPaths []string
	refMode  patKind // pExact, pPrefix, pSuffix or pContains
}

// scalarValues returns the scalar nodes of a value: the node itself, or the
// elements of a list.
func scalarValues(v *yaml.Node) ([]*yaml.Node, error) {
	v = Deref(v)
	vals := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		if len(v.Content) == 0 {
			return nil, errAt(v.Line, v.Column, "empty list of values")
		}
		vals = v.Content
	}
	for i, s := range vals {
		s = Deref(s)
		vals[i] = s
		if s.Kind != yaml.ScalarNode {
			return nil, errAt(s.Line, s.Column, "field values must be scalars or a list of scalars, got %s",
				kindName(s))
		}
	}
	return vals, nil
}

// Deref follows YAML aliases to the node they name (a few steps at most).
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; i < 16 && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Tag == "!!null" }

// compileItem compiles one map entry of a search identifier. An empty field
// name ("|all": [...]) makes a keyword item.
func (c *compiler) compileItem(k, v *yaml.Node) (*item, error) {
	parts := strings.Split(k.Value, "|")
	ms, err := parseMods(parts[1:])
	if err != nil {
		return nil, errAt(k.Line, k.Column, "field \"%s\": %v", k.Value, err)
	}
	it := &item{path: parts[0], line: k.Line, col: k.Column, all: ms.all, neq: ms.neq, cased: ms.cased}
	if it.path == "" {
		it.kind, it.field = iKeyword, -1
	} else {
		if err := checkFieldPath(k, it.path); err != nil {
			return nil, err
		}
		it.field = c.fieldID(it.path)
	}
	vals, err := scalarValues(v)
	if err != nil {
		return nil, err
	}
	weight := 1
	if ms.re {
		weight = reWeight
	}
	if err := c.spend(v, vals, weight); err != nil {
		return nil, err
	}
	if err := c.fillItem(it, ms, vals); err != nil {
		return nil, err
	}
	return it, nil
}

func (c *compiler) fillItem(it *item, ms modSet, vals []*yaml.Node) error {
	if it.kind == iKeyword && (ms.exists || ms.cidr || ms.cmp != "" || ms.fieldref || ms.timePart != "") {
		return errAt(vals[0].Line, vals[0].Column, "keywords take only string modifiers")
	}
	switch {
	case ms.exists:
		return fillExists(it, vals)
	case ms.re:
		return fillRe(it, ms, vals)
	case ms.cidr:
		return fillCIDR(it, vals)
	case ms.cmp != "" || ms.timePart != "":
		return fillNum(it, ms, vals)
	case ms.fieldref:
		return c.fillRef(it, ms, vals)
	}
	return c.fillStr(it, ms, vals)
}

func fillExists(it *item, vals []*yaml.Node) error {
	if len(vals) != 1 || vals[0].Tag != "!!bool" {
		return errAt(vals[0].Line, vals[0].Column, "modifier exists takes one boolean value")
	}
	it.kind, it.exists = iExists, vals[0].Value == "true"
	return nil
}

func noNull(vals []*yaml.Node, mod string) error {
	for _, v := range vals {
		if isNull(v) {
			return errAt(v.Line, v.Column, "modifier %s cannot take a null value", mod)
		}
	}
	return nil
}

func fillRe(it *item, ms modSet, vals []*yaml.Node) error {
	if err := noNull(vals, "re"); err != nil {
		return err
	}
	if it.kind != iKeyword {
		it.kind = iRe
	}
	flags := ""
	if ms.reFlags != "" {
		flags = "(?" + ms.reFlags + ")"
	}
	for _, v := range vals {
		re, err := regexp.Compile(flags + v.Value)
		if err != nil {
			return errAt(v.Line, v.Column, "regular expression \"%s\": %v (RE2 syntax: no lookaround, backreferences "+
				"or atomic groups)", v.Value, reCause(err))
		}
		n := reSize(flags + v.Value)
		if n > maxReInsts {
			return errAt(v.Line, v.Column, "regular expression \"%s\" compiles to %d instructions, more than %d: "+
				"matching takes time in proportion to them on every value", v.Value, n, maxReInsts)
		}
		it.reInsts = append(it.reInsts, max(n, 1))
		it.res = append(it.res, re)
		it.reLits = append(it.reLits, requiredLiterals(flags+v.Value))
	}
	return nil
}

// maxReInsts bounds a rule's regular expression by the instructions it
// compiles to. Go's engine takes time in proportion to the text times the
// program: fifty alternatives of v{1,1000} make a program of 100,000
// instructions that ran for minutes on one large record. The largest of
// SigmaHQ's CloudTrail rules compile to 32, the catalog's policy-document
// rules to about 200.
const maxReInsts = 2000

// reSize is the number of instructions expr compiles to, as regexp
// compiles it; 0 when it does not parse (regexp.Compile said why).
func reSize(expr string) int {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return 0
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0
	}
	return len(prog.Inst)
}

func reCause(err error) string {
	if se, ok := err.(*syntax.Error); ok {
		return fmt.Sprintf("%s: `%s`", se.Code, se.Expr)
	}
	return err.Error()
}

func fillCIDR(it *item, vals []*yaml.Node) error {
	if err := noNull(vals, "cidr"); err != nil {
		return err
	}
	it.kind = iCIDR
	for _, v := range vals {
		p, err := netip.ParsePrefix(v.Value)
		if err != nil {
			a, aerr := netip.ParseAddr(v.Value)
			if aerr != nil {
				return errAt(v.Line, v.Column, "modifier cidr: \"%s\" is not an IP prefix", v.Value)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		it.nets = append(it.nets, p.Masked())
	}
	return nil
}

func fillNum(it *item, ms modSet, vals []*yaml.Node) error {
	mod := ms.cmp
	if mod == "" {
		mod = ms.timePart
	}
	if err := noNull(vals, mod); err != nil {
		return err
	}
	it.kind, it.cmp, it.timePart = iNum, ms.cmp, ms.timePart
	if ms.cmp == "" {
		it.kind = iTime
	}
	for _, v := range vals {
		f, ok := parseNumber(v.Value)
		if !ok {
			return errAt(v.Line, v.Column, "modifier %s needs a number, got \"%s\"", mod, v.Value)
		}
		it.nums = append(it.nums, newRuleNumber(f, v.Value))
	}
	return nil
}

func (c *compiler) fillRef(it *item, ms modSet, vals []*yaml.Node) error {
	if err := noNull(vals, "fieldref"); err != nil {
		return err
	}
	it.kind = iRef
	it.refMode = pExact
	switch ms.wrap {
	case "contains":
		it.refMode = pContains
	case "startswith":
		it.refMode = pPrefix
	case "endswith":
		it.refMode = pSuffix
	}
	for _, v := range vals {
		if v.Value == "" {
			return errAt(v.Line, v.Column, "modifier fieldref needs a field name")
		}
		it.refs = append(it.refs, c.fieldID(v.Value))
		it.refPaths = append(it.refPaths, v.Value)
	}
	return nil
}

// fillStr compiles plain values: wildcards, transformations, null.
func (c *compiler) fillStr(it *item, ms modSet, vals []*yaml.Node) error {
	if ms.neq {
		if err := noNull(vals, "neq"); err != nil {
			return err
		}
	}
	for _, v := range vals {
		if isNull(v) {
			if ms.all && len(vals) > 1 || len(ms.transforms) > 0 || ms.expand {
				return errAt(v.Line, v.Column, "null cannot be combined with modifiers or other values under all")
			}
			it.null = true
			continue
		}
		raws := []string{v.Value}
		if ms.expand {
			var err error
			if raws, err = expandPlaceholders(v.Value, c.opts.Placeholders); err != nil {
				return &posError{line: v.Line, col: v.Column, err: err}
			}
		}
		for _, raw := range raws {
			strs, err := transform(parseValue(v, raw), ms, it.kind == iKeyword)
			if err != nil {
				return errAt(v.Line, v.Column, "value \"%s\": %v", v.Value, err)
			}
			for _, s := range strs {
				p := compilePattern(s, ms.cased, v.Value)
				if f, ok := numericValue(v, ms); ok {
					p.num, p.isNum = newRuleNumber(f, v.Value), true
				}
				it.pats = append(it.pats, p)
			}
		}
	}
	if it.kind == iStr && !ms.all {
		it.exact, it.exactNum = literalTable(it.pats)
	}
	return nil
}

// exactSetMin is the fewest listed values worth a lookup table: below it,
// comparing each is as fast.
const exactSetMin = 8

// literalTable maps each of pats' literals to the index of the first pattern
// that has it, when every pattern is a plain literal (no wildcard) and
// there are at least exactSetMin of them; else it returns nil. A field's
// value then costs one lookup, not one comparison per listed value: a rule
// may list thousands of addresses, names or account IDs. nums maps the
// float64 values of the patterns that are YAML numbers, which also match
// a JSON number of exactly that value (5 matches 5.0), to those patterns
// in order: numbers that round to one float64 share an entry.
func literalTable(pats []*pattern) (text map[string]int32, nums map[float64][]int32) {
	if len(pats) < exactSetMin {
		return nil, nil
	}
	text = make(map[string]int32, len(pats))
	for i, p := range pats {
		if p.kind != pExact || p.cased != pats[0].cased {
			return nil, nil
		}
		if _, ok := text[string(p.lit)]; !ok {
			text[string(p.lit)] = int32(i)
		}
		if p.isNum {
			if nums == nil {
				nums = map[float64][]int32{}
			}
			nums[p.num.f] = append(nums[p.num.f], int32(i))
		}
	}
	return text, nums
}

// numericValue returns the number a plain YAML number value stands for, so
// that 5 also matches a JSON 5.0. The YAML library tags a number past
// float64's range (1e400) as a string; written unquoted in decimal, it is
// the number YAML's grammar makes it.
func numericValue(v *yaml.Node, ms modSet) (float64, bool) {
	if len(ms.transforms) > 0 {
		return 0, false
	}
	switch {
	case v.Tag == "!!int" || v.Tag == "!!float":
	case v.Tag == "!!str" && v.Style == 0:
		if _, ok := parseDecimal(nil, []byte(v.Value)); !ok {
			return 0, false
		}
		if f, ok := parseNumber(v.Value); ok && math.IsInf(f, 0) {
			return f, true
		}
		return 0, false
	default:
		return 0, false
	}
	return parseNumber(v.Value)
}

// parseValue reads a scalar as a Sigma string. Only strings carry
// wildcards; numbers and booleans are their literal text.
func parseValue(v *yaml.Node, raw string) sstr {
	if v.Tag == "!!str" || v.Tag == "" {
		return parseSigmaString(raw)
	}
	return litStr(raw)
}

// transform applies the value transformations in the order written.
// Keywords without a position modifier match anywhere in a value.
func transform(s sstr, ms modSet, keyword bool) ([]sstr, error) {
	strs := []sstr{s}
	for _, t := range ms.transforms {
		var next []sstr
		for _, s := range strs {
			switch t {
			case "contains":
				next = append(next, s.wrap(true, true))
			case "startswith":
				next = append(next, s.wrap(false, true))
			case "endswith":
				next = append(next, s.wrap(true, false))
			case "windash":
				next = append(next, s.windash())
			default:
				enc, err := s.encode(t)
				if err != nil {
					return nil, err
				}
				next = append(next, enc...)
			}
		}
		strs = next
	}
	if keyword && ms.wrap == "" {
		for i, s := range strs {
			strs[i] = s.wrap(true, true)
		}
	}
	return strs, nil
}
