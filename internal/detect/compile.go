package detect

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/clip"
)

// Options tune Compile.
type Options struct {
	// AnyLogsource compiles rules whose logsource is not aws/cloudtrail
	// instead of refusing them with ErrLogsource.
	AnyLogsource bool
	// Placeholders holds the values of %name% placeholders for the expand
	// modifier. A rule using expand with a placeholder missing here is
	// refused with ErrUnsupported.
	Placeholders map[string][]string
	// StrictObjects makes string patterns never match a field whose value
	// is a JSON object. By default such a pattern matches when any scalar
	// inside the object matches, which is what SigmaHQ rules written
	// against flattened requestParameters expect.
	StrictObjects bool
}

// fieldPath is a dotted field name split for lookups.
type fieldPath struct {
	path string
	segs []string
	offs []int // byte offset of each segment in path
	// topIDs[k-1] numbers keyAt(0, k) in the Matcher's topTable.
	topIDs []int32
}

// compiler turns rules into a Matcher; it owns the field registry shared by
// all rules.
type compiler struct {
	opts   Options
	fields []fieldPath
	fidx   map[string]int
	values int // values compiled for the current rule
	bytes  int // and their text
	// setValues and setBytes are those of the rules compiled so far.
	setValues, setBytes int
}

// MaxRuleValues and MaxRuleValueBytes bound the values one rule compiles,
// in number and in text, each alias counted every time it is used: a
// small file whose aliases repeat a long list, or a long string, thousands
// of times took gigabytes to compile.
const (
	MaxRuleValues     = 100_000
	MaxRuleValueBytes = 4 << 20
)

// MaxSetValues and MaxSetValueBytes bound the same for all the rules of a
// Matcher together: each rule within its own bounds, a folder of hundreds
// (or a file of as many documents) could still ask for gigabytes. The
// catalog's and SigmaHQ's rules together hold about 4,000 values and 48 KB of text; a rule past
// these bounds is left out and reported.
const (
	MaxSetValues     = 250_000
	MaxSetValueBytes = 16 << 20
)

// reWeight is what a regular expression counts for in MaxRuleValues: a
// compiled one takes kilobytes.
const reWeight = 10

// spend counts the values vals, found at v, against the current rule's
// budget, each weight times.
func (c *compiler) spend(v *yaml.Node, vals []*yaml.Node, weight int) error {
	c.values += weight * len(vals)
	for _, x := range vals {
		c.bytes += len(x.Value)
	}
	switch {
	case c.values > MaxRuleValues:
		return errAt(v.Line, v.Column, "rule holds more than %d values (an alias counts each time it is used, a regular expression %d times)", MaxRuleValues, reWeight)
	case c.bytes > MaxRuleValueBytes:
		return errAt(v.Line, v.Column, "rule's values hold more than %d bytes of text (an alias counts each time it is used)", MaxRuleValueBytes)
	}
	return nil
}

func (c *compiler) fieldID(p string) int {
	if id, ok := c.fidx[p]; ok {
		return id
	}
	fp := fieldPath{path: p, segs: strings.Split(p, ".")}
	off := 0
	for _, s := range fp.segs {
		fp.offs = append(fp.offs, off)
		off += len(s) + 1
	}
	c.fields = append(c.fields, fp)
	c.fidx[p] = len(c.fields) - 1
	return len(c.fields) - 1
}

// search is a compiled search identifier: an OR of alternatives, each an
// AND of items.
type search struct {
	name string
	alts [][]*item
}

// crule is a compiled rule.
type crule struct {
	rule     *Rule
	searches []*search
	conds    []*cnode // OR-ed
}

// Matcher evaluates many compiled rules against CloudTrail records. It is
// safe for concurrent use.
type Matcher struct {
	opts   Options
	rules  []*crule
	fields []fieldPath
	tops   *topTable
	// indexes find the rules to evaluate for a record from the values of
	// a few fields: eventName first, eventSource second, then fields that
	// rules pinning neither pin (userIdentity.type, say). Each rule sits in
	// one index, or in catchAll when it pins none of its fields to exact
	// values.
	indexes  []*keyIndex
	catchAll []int32
	pool     sync.Pool
}

// keyIndex lists the rules that need one field to hold one of a few exact
// values, by value, lower-cased.
type keyIndex struct {
	fid   int
	rules map[string][]int32
	all   []int32 // every rule of the index: for records whose value it cannot read
}

func (x *keyIndex) add(rule int32, vals keySet) {
	for v := range vals {
		x.rules[v] = append(x.rules[v], rule)
	}
	x.all = append(x.all, rule)
}

// Compile compiles rules into one Matcher. A rule that fails to compile is
// left out and reported; the returned Matcher holds the others and is never
// nil. The error joins one *RuleError per refused rule. Correlation rules,
// which match no record themselves, are left out without a word: their
// caller evaluates them over the matches of the rules they name.
func Compile(rules []*Rule, opts Options) (*Matcher, error) {
	c := &compiler{opts: opts, fidx: map[string]int{}}
	m := &Matcher{opts: opts}
	for _, f := range []string{"eventName", "eventSource"} {
		m.indexes = append(m.indexes, &keyIndex{fid: c.fieldID(f), rules: map[string][]int32{}})
	}
	var errs []error
	for _, r := range rules {
		if r == nil || r.Correlation != nil {
			continue
		}
		if !opts.AnyLogsource {
			if err := r.checkLogsource(); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		cr, err := c.compileRule(r)
		if err == nil && (c.setValues+c.values > MaxSetValues || c.setBytes+c.bytes > MaxSetValueBytes) {
			err = errAt(r.Line, 1, "rule left out: with the rules before it, its values would pass the %d values or %d bytes of text that all rules may hold together (an alias counts each time it is used)",
				MaxSetValues, MaxSetValueBytes)
		}
		if err != nil {
			errs = append(errs, ruleError(r.File, err))
			continue
		}
		c.setValues += c.values
		c.setBytes += c.bytes
		m.add(cr)
	}
	m.fields = c.fields
	m.tops = newTopTable(m.fields)
	m.pool.New = func() any { return newState(m) }
	return m, errors.Join(errs...)
}

// Rules returns the rules the Matcher holds, in the order given to Compile.
func (m *Matcher) Rules() []*Rule {
	out := make([]*Rule, len(m.rules))
	for i, cr := range m.rules {
		out[i] = cr.rule
	}
	return out
}

// add indexes a compiled rule on the values its condition requires of
// eventName, else of eventSource, else of a field an index exists for, else
// of the first of its own fields it pins. A rule that pins none is
// evaluated for every record.
func (m *Matcher) add(cr *crule) {
	idx := int32(len(m.rules))
	m.rules = append(m.rules, cr)
	for _, x := range m.indexes {
		if vals, ok := cr.required(x.fid); ok {
			x.add(idx, vals)
			return
		}
	}
	for _, fid := range cr.fieldIDs() {
		if vals, ok := cr.required(fid); ok {
			x := &keyIndex{fid: fid, rules: map[string][]int32{}}
			m.indexes = append(m.indexes, x)
			x.add(idx, vals)
			return
		}
	}
	m.catchAll = append(m.catchAll, idx)
}

// fieldIDs lists the fields the rule's items read, in the order they are
// written, once each.
func (cr *crule) fieldIDs() []int {
	var ids []int
	for _, s := range cr.searches {
		for _, alt := range s.alts {
			for _, it := range alt {
				if it.field >= 0 && !slices.Contains(ids, it.field) {
					ids = append(ids, it.field)
				}
			}
		}
	}
	return ids
}

func (c *compiler) compileRule(r *Rule) (*crule, error) {
	det := Deref(r.Detection)
	if det == nil || det.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("rule has no detection mapping")
	}
	cr := &crule{rule: r}
	c.values, c.bytes = 0, 0
	index := map[string]int{}
	var names []string
	var condNode *yaml.Node
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i], det.Content[i+1]
		if k.Value == "condition" {
			condNode = Deref(v)
			continue
		}
		if _, dup := index[k.Value]; dup {
			return nil, errAt(k.Line, k.Column, "duplicate search identifier \"%s\"", k.Value)
		}
		s, err := c.compileSearch(k, v)
		if err != nil {
			return nil, err
		}
		index[k.Value] = len(cr.searches)
		names = append(names, k.Value)
		cr.searches = append(cr.searches, s)
	}
	if condNode == nil {
		return nil, errAt(det.Line, det.Column, "detection has no condition")
	}
	if err := checkConditionNode(condNode); err != nil {
		return nil, err
	}
	conds := []*yaml.Node{condNode}
	if condNode.Kind == yaml.SequenceNode {
		conds = condNode.Content
	}
	var spent condBudget
	for _, cn := range conds {
		n, err := parseCondition(cn.Value, names, index, &spent)
		if err != nil {
			return nil, condPosError(cn, err)
		}
		cr.conds = append(cr.conds, n)
	}
	return cr, nil
}

// condPosError places a condition error at its column when the condition is
// written on one line.
func condPosError(n *yaml.Node, err error) error {
	var ce *condError
	if !errors.As(err, &ce) {
		return err
	}
	col := n.Column
	if !strings.Contains(n.Value, "\n") && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		col += ce.off
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			col++
		}
	}
	return errAt(n.Line, col, "condition \"%s\": %s", clip.String(n.Value, 100), ce.msg)
}

func (c *compiler) compileSearch(k, v *yaml.Node) (*search, error) {
	if k.Value == "" {
		return nil, errAt(k.Line, k.Column, "empty search identifier name")
	}
	v = Deref(v)
	s := &search{name: k.Value}
	switch v.Kind {
	case yaml.MappingNode:
		items, err := c.compileMap(v)
		if err != nil {
			return nil, err
		}
		s.alts = [][]*item{items}
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, errAt(v.Line, v.Column, "search identifier \"%s\" is an empty list", k.Value)
		}
		if Deref(v.Content[0]).Kind == yaml.MappingNode {
			for _, e := range v.Content {
				e = Deref(e)
				if e.Kind != yaml.MappingNode {
					return nil, errAt(e.Line, e.Column, "a list of maps cannot also hold %s", kindName(e))
				}
				items, err := c.compileMap(e)
				if err != nil {
					return nil, err
				}
				s.alts = append(s.alts, items)
			}
			break
		}
		it, err := c.compileKeywords(k, v)
		if err != nil {
			return nil, err
		}
		s.alts = [][]*item{{it}}
	case yaml.ScalarNode:
		// A lone string is a one-keyword list.
		it, err := c.compileKeywords(k, v)
		if err != nil {
			return nil, err
		}
		s.alts = [][]*item{{it}}
	default:
		return nil, errAt(v.Line, v.Column, "search identifier \"%s\" must be a map or a list", k.Value)
	}
	return s, nil
}

func (c *compiler) compileMap(v *yaml.Node) ([]*item, error) {
	if len(v.Content) == 0 {
		return nil, errAt(v.Line, v.Column, "empty map in search identifier")
	}
	var items []*item
	for i := 0; i+1 < len(v.Content); i += 2 {
		it, err := c.compileItem(v.Content[i], v.Content[i+1])
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

func (c *compiler) compileKeywords(k, v *yaml.Node) (*item, error) {
	vals, err := scalarValues(v)
	if err != nil {
		return nil, err
	}
	if err := c.spend(v, vals, 1); err != nil {
		return nil, err
	}
	for _, s := range vals {
		if isNull(s) {
			return nil, errAt(s.Line, s.Column, "keyword list \"%s\" cannot hold null", k.Value)
		}
	}
	it := &item{kind: iKeyword, field: -1, line: k.Line, col: k.Column}
	if err := c.fillItem(it, modSet{}, vals); err != nil {
		return nil, err
	}
	return it, nil
}
