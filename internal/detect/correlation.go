package detect

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Correlation is the correlation section of a Sigma correlation rule
// (Sigma correlation rules specification, version 2): a condition on how
// many events, or how many distinct values of a field, the rules it names
// matched within a span of time, per group of events that agree on the
// group-by fields.
type Correlation struct {
	Type    string    // CountEvents or CountValues
	Rules   []RuleRef // the rules referred to, by name or id, as written
	GroupBy []string  // field paths; none puts every event in one group
	// GroupByAt and FieldAt are where GroupBy's fields and Field are
	// written, for problems to name them.
	GroupByAt []Pos
	FieldAt   Pos
	Timespan  time.Duration
	Span      string // the timespan as written ("10m")
	// Field is the field whose distinct values a value_count counts.
	Field string
	// Bounds are the condition's comparisons, all of which must hold.
	Bounds []Bound
	// Generate says that the rules referred to report their own matches
	// too; by default they only feed the correlation.
	Generate bool
	Line     int // where the correlation key is written
	Column   int
}

// Pos is a place in a rule file.
type Pos struct{ Line, Column int }

// RuleRef is a rule named by a correlation, by its name or id, with where
// the reference is written.
type RuleRef struct {
	Ref          string
	Line, Column int
}

// Bound is one comparison of a correlation's condition.
type Bound struct {
	Op string // gt or gte: upper bounds are refused (see fillCondition)
	N  int64
}

// The correlation types ttc evaluates.
const (
	CountEvents = "event_count"
	CountValues = "value_count"
)

// Holds reports whether count meets every bound of the condition.
func (c *Correlation) Holds(count int64) bool {
	for _, b := range c.Bounds {
		var ok bool
		switch b.Op {
		case "gt":
			ok = count > b.N
		case "gte":
			ok = count >= b.N
		}
		if !ok {
			return false
		}
	}
	return true
}

// Condition writes the condition as the rule states it: "gte 10".
func (c *Correlation) Condition() string {
	parts := make([]string, len(c.Bounds))
	for i, b := range c.Bounds {
		parts[i] = b.Op + " " + strconv.FormatInt(b.N, 10)
	}
	return strings.Join(parts, " and ")
}

// MaxTimespan bounds a correlation's timespan: a year is longer than any
// log a scan reads at once, and the bound keeps the sum of a time and a
// timespan far from overflowing.
const MaxTimespan = 366 * 24 * time.Hour

var timespanRE = regexp.MustCompile(`^([0-9]{1,9})([smhd])$`)

// parseTimespan reads a timespan as Sigma writes it: a number and one of
// s, m, h, d in lower case.
func parseTimespan(n *yaml.Node) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return 0, errAt(n.Line, n.Column, "timespan must be a number and a unit (s, m, h or d), such as 10m, got %s", kindName(n))
	}
	m := timespanRE.FindStringSubmatch(n.Value)
	if m == nil {
		return 0, errAt(n.Line, n.Column, "timespan \"%s\" is not a number and a unit (s, m, h or d, lower case), such as 10m", n.Value)
	}
	v, _ := strconv.ParseInt(m[1], 10, 64)
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	d := time.Duration(v) * unit
	switch {
	case v == 0:
		return 0, errAt(n.Line, n.Column, "timespan \"%s\" is empty: it must be longer than zero", n.Value)
	case v > int64(MaxTimespan/unit):
		return 0, errAt(n.Line, n.Column, "timespan \"%s\" is longer than the %d days a correlation may span", n.Value, MaxTimespan/(24*time.Hour))
	}
	return d, nil
}

// fillCorrelation reads the correlation section k: v of a rule.
func (r *Rule) fillCorrelation(k, v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return errAt(v.Line, v.Column, "correlation must be a mapping, got %s", kindName(v))
	}
	c := &Correlation{Line: k.Line, Column: k.Column}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		ck, cv := v.Content[i], v.Content[i+1]
		seen[ck.Value] = ck
		var err error
		switch ck.Value {
		case "type":
			err = c.fillType(cv)
		case "rules":
			err = c.fillRules(ck, cv)
		case "group-by":
			err = c.fillGroupBy(cv)
		case "timespan":
			c.Timespan, err = parseTimespan(cv)
			c.Span = cv.Value
		case "condition":
			err = c.fillCondition(cv)
		case "generate":
			c.Generate, err = boolean(cv)
		case "aliases":
			err = unsupportedAt(ck.Line, ck.Column, "correlation aliases (field names per rule) are not supported")
		case "ordered", "gap", "window":
			err = unsupportedAt(ck.Line, ck.Column, "correlation key \"%s\" is not supported", ck.Value)
		default:
			err = errAt(ck.Line, ck.Column, "unknown correlation key \"%s\" (want type, rules, group-by, timespan, condition, generate)", ck.Value)
		}
		if err != nil {
			return err
		}
	}
	for _, req := range []string{"type", "rules", "timespan", "condition"} {
		if seen[req] == nil {
			return errAt(k.Line, k.Column, "correlation has no \"%s\"", req)
		}
	}
	cond := seen["condition"]
	switch {
	case c.Type == CountValues && c.Field == "":
		return errAt(cond.Line, cond.Column, "a value_count condition must name the field whose distinct values it counts (field: F)")
	case c.Type == CountEvents && c.Field != "":
		return errAt(cond.Line, cond.Column, "an event_count condition counts events: it takes no field (value_count counts a field's values)")
	}
	r.Correlation = c
	return nil
}

func (c *Correlation) fillType(n *yaml.Node) error {
	t, err := scalar(n)
	if err != nil {
		return err
	}
	switch t {
	case CountEvents, CountValues:
		c.Type = t
		return nil
	case "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile", "value_median":
		return unsupportedAt(n.Line, n.Column, "correlation type \"%s\" is not supported (event_count and value_count are)", t)
	}
	return errAt(n.Line, n.Column, "unknown correlation type \"%s\" (want event_count or value_count)", t)
}

func (c *Correlation) fillRules(k, n *yaml.Node) error {
	var items []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag != "!!null" {
			items = []*yaml.Node{n}
		}
	case yaml.SequenceNode:
		items = n.Content
	default:
		return errAt(n.Line, n.Column, "correlation rules must be a list of rule names or ids, got %s", kindName(n))
	}
	if len(items) == 0 {
		return errAt(k.Line, k.Column, "correlation rules is empty: name at least one rule, by its name or id")
	}
	for _, it := range items {
		s, err := scalar(it)
		if err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			return errAt(it.Line, it.Column, "a correlation's rule reference is empty")
		}
		c.Rules = append(c.Rules, RuleRef{Ref: s, Line: it.Line, Column: it.Column})
	}
	return nil
}

func (c *Correlation) fillGroupBy(n *yaml.Node) error {
	fields, err := stringList(n)
	if err != nil {
		return err
	}
	for i, f := range fields {
		at := n
		if n.Kind == yaml.SequenceNode {
			at = n.Content[i]
		}
		if err := checkFieldPath(at, f); err != nil {
			return err
		}
		if slices.Contains(fields[:i], f) {
			return errAt(at.Line, at.Column, "group-by field \"%s\" is listed twice", f)
		}
		c.GroupByAt = append(c.GroupByAt, Pos{at.Line, at.Column})
	}
	c.GroupBy = fields
	return nil
}

// checkFieldPath refuses a field name no record can hold: empty, or with
// an empty segment, or with a wildcard, which Sigma does not define for
// field names: a rule meaning any key would match none, silently.
func checkFieldPath(n *yaml.Node, f string) error {
	if f == "" || strings.HasPrefix(f, ".") || strings.HasSuffix(f, ".") || strings.Contains(f, "..") {
		return errAt(n.Line, n.Column, "field name \"%s\" has an empty part", f)
	}
	if strings.ContainsAny(f, "*?") {
		return errAt(n.Line, n.Column, "field name \"%s\" holds a wildcard: Sigma matches field names as written, "+
			"so it would match no record; name the field", f)
	}
	return nil
}

func (c *Correlation) fillCondition(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return errAt(n.Line, n.Column, "correlation condition must be a mapping such as {gte: 10}, got %s", kindName(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "lt", "lte", "eq":
			// A burst is found where a count reaches a threshold, over
			// sliding windows: any group's last event alone is a window of
			// one, so an upper bound would hold at the tail of every group
			// (a run of twenty reads reported as "2 events"). Counting in
			// fixed buckets, as a SIEM does, is another engine.
			return unsupportedAt(k.Line, k.Column, "condition %s is not supported: ttc reports bursts, windows "+
				"whose count reaches gt or gte, and an upper bound would hold in the last few events of every group", k.Value)
		case "gt", "gte":
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				return errAt(v.Line, v.Column, "condition %s must be a whole number, got %s", k.Value, kindName(v))
			}
			num, err := strconv.ParseInt(v.Value, 10, 64)
			if err != nil || num < 0 || num > 1<<40 {
				return errAt(v.Line, v.Column, "condition %s \"%s\" is not a whole number from 0 to %d", k.Value, v.Value, int64(1)<<40)
			}
			c.Bounds = append(c.Bounds, Bound{Op: k.Value, N: num})
		case "field":
			f, err := scalar(v)
			if err != nil {
				return err
			}
			if err := checkFieldPath(v, f); err != nil {
				return err
			}
			c.Field, c.FieldAt = f, Pos{v.Line, v.Column}
		default:
			return errAt(k.Line, k.Column, "unknown condition key \"%s\" (want gt or gte, and field for value_count)", k.Value)
		}
	}
	if len(c.Bounds) == 0 {
		return errAt(n.Line, n.Column, "correlation condition compares nothing: give gt or gte")
	}
	return nil
}

// boolean reads a YAML boolean.
func boolean(n *yaml.Node) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		return strconv.ParseBool(strings.ToLower(n.Value))
	}
	return false, errAt(n.Line, n.Column, "expected true or false, got %s", describeNode(n))
}

// describeNode names a node's kind, and a scalar's text.
func describeNode(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return fmt.Sprintf("\"%s\"", n.Value)
	}
	return kindName(n)
}
