package catalog

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// RuleWay is one alternative by which a rule can flag a record, as far as
// the record's eventSource and eventName go: the values (any case) the
// alternative requires of each, nil for a field it leaves free.
type RuleWay struct {
	Sources []string
	Names   []string
}

// RuleWays is what the rule analysis found of one rule file.
type RuleWays struct {
	Ways []RuleWay
	// Err says why the rule could not be read (the rule checks report
	// it); nothing is known then of what it needs.
	Err error
}

// RuleAnalyser returns, for the rule files of one technique folder, the
// ways each can flag a record; a correlation rule's are those of the rules
// it counts. It returns one RuleWays per file, in order.
type RuleAnalyser func(rules []File) []RuleWays

var ruleAnalyser RuleAnalyser

// SetRuleAnalyser installs the analysis by which Load finds the data
// events each rule needs (RuleInfo.DataEvents) and derives or checks each
// technique's detection.data_events_required; nil takes the flag as
// written. It is meant to be called once at start-up, before Load.
func SetRuleAnalyser(f RuleAnalyser) { ruleAnalyser = f }

// analyseRules records the data events each rule needs, when an analyser
// is installed: a way of flagging a record that requires an event name
// which CloudTrail records as a data event of a service whose event
// source the way allows (any service's, when it names no source). A way
// that leaves eventName free, as a rule on errorCode alone does, is
// satisfied by management events too, and needs none.
func (c *Catalog) analyseRules() {
	if ruleAnalyser == nil {
		return
	}
	c.ruleData, c.ruleErr = map[string][]string{}, map[string]error{}
	for _, t := range c.techniques {
		for i, rw := range ruleAnalyser(t.Rules) {
			if i >= len(t.Rules) {
				break
			}
			p := t.Rules[i].Path
			if rw.Err != nil {
				c.ruleErr[p] = rw.Err
				continue
			}
			if ev := c.dataEventsOf(rw.Ways); len(ev) > 0 {
				c.ruleData[p] = ev
			}
		}
	}
}

// dataEventsOf returns the data events (service:EventName, as
// services.yaml spells them) that ways require, sorted.
func (c *Catalog) dataEventsOf(ways []RuleWay) []string {
	var out []string
	for _, w := range ways {
		for i := range c.services {
			s := &c.services[i]
			if w.Sources != nil && !slices.ContainsFunc(s.EventSources, func(src string) bool { return containsFold(w.Sources, src) }) {
				continue
			}
			for _, e := range s.DataEvents {
				if ev := s.Key + ":" + e; containsFold(w.Names, e) && !slices.Contains(out, ev) {
					out = append(out, ev)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// RuleDataEvents returns the data events (service:EventName) rule file f
// needs: the records of them it flags reach it only from a trail whose
// selectors ask for data events. It is nil when the rule needs none, or
// when no rule analysis is installed (SetRuleAnalyser).
func (c *Catalog) RuleDataEvents(f File) []string { return slices.Clone(c.ruleData[f.Path]) }

// dataEventsFlag derives detection.data_events_required from the rules
// that report t, its own and those of other techniques that name it by
// a ttc.<ID> tag: true when one of them needs data events, each of which
// the technique must list. A file that leaves the flag out gets that
// value; one that writes the other is a problem. Without a rule analysis,
// or when a rule could not be read, the flag is taken as written.
func (v *validator) dataEventsFlag(d *doc, t *Technique) {
	det := &t.Detection
	at := []any{"detection", "data_events_required"}
	if v.c.ruleData == nil {
		if det.DataEventsRequired && !slices.ContainsFunc(det.CloudTrailEvents, v.c.IsDataEvent) {
			v.ps.at(d, at, "data events required, but none of the events listed is a data event (services.yaml data_events)%s", v.redefinedServices(det.CloudTrailEvents))
		}
		return
	}
	var need []string // each rule that needs data events, with them
	unread := false
	note := func(f File, name string) {
		unread = unread || v.c.ruleErr[f.Path] != nil
		ev := v.c.ruleData[f.Path]
		if len(ev) > 0 {
			need = append(need, fmt.Sprintf("%s (%s)", name, strings.Join(ev, ", ")))
		}
		// The page marks the data events among those listed: one a
		// rule needs is one a reader must know to ask the trail for.
		for _, e := range ev {
			if !slices.Contains(det.CloudTrailEvents, e) {
				v.ps.at(d, []any{"detection", "cloudtrail_events"}, "rule %s needs the data event %s; list it", name, e)
			}
		}
	}
	for _, f := range t.Rules {
		note(f, path.Base(f.Path))
	}
	for _, r := range v.c.reportedBy[t.ID] {
		note(r.f, r.f.Path+" by its tag "+TagPrefix+strings.ToLower(t.ID))
	}
	derived := len(need) > 0
	switch {
	case d.node(at...) == nil:
		det.DataEventsRequired = derived
	case unread || det.DataEventsRequired == derived:
	case derived:
		v.ps.at(d, at, "data_events_required is false, but rules need data events: %s; say true, or leave the field out", strings.Join(need, "; "))
	default:
		v.ps.at(d, at, "data_events_required is true, but no rule that reports %s needs data events (services.yaml data_events)%s; say false, or leave the field out",
			t.ID, v.redefinedServices(det.CloudTrailEvents))
	}
}
