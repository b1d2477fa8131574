package server

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/catalog"
)

// RuleRef names one Sigma rule of a technique.
type RuleRef struct {
	Technique string
	catalog.RuleInfo
	// Source is the rule file's text, shown on the technique page.
	Source string
	// names and sources are the eventName and eventSource values the
	// rule's selections test, with their Sigma modifier.
	names, sources []matchValue
}

type matchValue struct {
	modifier string // "", "startswith", "endswith" or "contains"
	value    string // lower case
}

// ruleIndex lists, per technique, its rules with the events they look at.
type ruleIndex map[string][]RuleRef

// indexRules reads the detection section of every rule. It only needs to know
// which event names a rule tests, so it reads field values rather than
// compiling the rule; a rule that does not parse is listed without events.
// The rules' names and levels come from the techniques' details, which the
// views built once at start.
func indexRules(c *catalog.Catalog, details map[string]catalog.TechniqueDetail) ruleIndex {
	idx := ruleIndex{}
	byFile := map[[2]string]RuleRef{} // technique ID and file name
	for _, t := range c.Techniques() {
		infos := details[t.ID].RuleFiles
		for i, f := range t.Rules {
			ref := RuleRef{Technique: t.ID, RuleInfo: infos[i], Source: string(f.Data)}
			var doc struct {
				Detection map[string]any `yaml:"detection"`
			}
			if yaml.Unmarshal(f.Data, &doc) == nil {
				for k, v := range doc.Detection {
					if k != "condition" {
						ref.collect(v)
					}
				}
			}
			idx[t.ID] = append(idx[t.ID], ref)
			byFile[[2]string{t.ID, ref.File}] = ref
		}
	}
	// A rule that reports another technique by its ttc.<ID> tag is listed
	// on that one's page too, under the technique whose folder holds it.
	for _, t := range c.Techniques() {
		for _, info := range details[t.ID].ReportedBy {
			if ref, ok := byFile[[2]string{info.Technique, info.File}]; ok {
				idx[t.ID] = append(idx[t.ID], ref)
			}
		}
	}
	return idx
}

// collect walks a selection (a map or a list of maps) for eventName and eventSource values.
func (r *RuleRef) collect(v any) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			r.collect(e)
		}
	case map[string]any:
		for k, val := range v {
			field, mod, _ := strings.Cut(k, "|")
			switch field {
			case "eventName":
				r.names = append(r.names, values(mod, val)...)
			case "eventSource":
				r.sources = append(r.sources, values(mod, val)...)
			}
		}
	}
}

func values(mod string, v any) []matchValue {
	switch v := v.(type) {
	case string:
		return []matchValue{{modifier: mod, value: strings.ToLower(v)}}
	case []any:
		var out []matchValue
		for _, e := range v {
			out = append(out, values(mod, e)...)
		}
		return out
	}
	return nil
}

func (m matchValue) match(s string) bool {
	s = strings.ToLower(s)
	switch m.modifier {
	case "":
		return s == m.value
	case "startswith":
		return strings.HasPrefix(s, m.value)
	case "endswith":
		return strings.HasSuffix(s, m.value)
	case "contains":
		return strings.Contains(s, m.value)
	}
	return false
}

func anyMatch(ms []matchValue, s string) bool {
	for _, m := range ms {
		if m.match(s) {
			return true
		}
	}
	return false
}

// Detects reports whether the rule tests for the catalog event
// (service:EventName) whose service writes eventSource.
func (r RuleRef) Detects(event, eventSource string) bool {
	_, name, ok := strings.Cut(event, ":")
	if !ok || !anyMatch(r.names, name) {
		return false
	}
	return len(r.sources) == 0 || anyMatch(r.sources, eventSource)
}

// For returns the rules of technique id that test for event.
func (x ruleIndex) For(c *catalog.Catalog, id, event string) []RuleRef {
	var out []RuleRef
	src := c.EventSource(event)
	for _, r := range x[id] {
		if r.Detects(event, src) {
			out = append(out, r)
		}
	}
	return out
}
