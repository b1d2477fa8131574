package ruleset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/textpos"
)

// MinSamples is how many match samples each rule must flag.
const MinSamples = 2

// CheckSamples compiles every technique's rules and runs them on its
// samples: each rule must compile, flag at least MinSamples of the match
// samples, every match sample must be flagged by some rule of the technique,
// and no nomatch sample by any. It returns one problem per failure.
func CheckSamples(c *catalog.Catalog) []catalog.Problem {
	var out []catalog.Problem
	seen := map[string]string{} // rule ID to the file that has it
	for _, t := range c.Techniques() {
		out = append(out, checkTechnique(c, t, seen)...)
	}
	return out
}

// CheckOverlaySamples is CheckSamples for the techniques an overlay
// defined: the check a command that loads overlays can afford on every run.
func CheckOverlaySamples(c *catalog.Catalog) []catalog.Problem {
	var out []catalog.Problem
	// The embedded techniques' rule IDs come first, so that an overlay rule
	// reusing one is named, as catalog validate names it.
	seen := map[string]string{}
	for _, t := range c.Techniques() {
		if c.FromOverlay(t.ID) {
			continue
		}
		for _, f := range t.Rules {
			var head struct {
				ID string `yaml:"id"`
			}
			if yaml.Unmarshal(f.Data, &head) == nil && head.ID != "" {
				seen[head.ID] = f.Path
			}
		}
	}
	for _, t := range c.Techniques() {
		if c.FromOverlay(t.ID) {
			out = append(out, checkTechnique(c, t, seen)...)
		}
	}
	return out
}

// checkTechnique checks one technique's rules and samples; seen collects rule
// IDs across techniques, which must be unique. A sample holding one record
// is run through the detection rules; one holding several (a burst, in an
// array or under Records) through the correlation rules.
func checkTechnique(c *catalog.Catalog, t *catalog.Technique, seen map[string]string) []catalog.Problem {
	var out []catalog.Problem
	var rules []*detect.Rule
	broken := 0 // rules that do not compile, which a sample's problem names as a likely cause
	for _, f := range t.Rules {
		r, err := detect.ParseRule(f.Path, f.Data)
		if err != nil {
			out = append(out, ruleProblem(f.Path, err))
			out = append(out, checkRuleText(f)...) // its own problems, not follow-ons
			broken++
			continue
		}
		if prev, dup := seen[r.ID]; dup && r.ID != "" {
			out = append(out, catalog.Problem{File: f.Path, Line: r.Line, Message: fmt.Sprintf("rule id %s is also the id of %s", r.ID, prev)})
		}
		seen[r.ID] = f.Path
		out = append(out, checkRuleEvents(c, t, r)...)
		out = append(out, checkAlsoReports(c, t, r, f.Data)...)
		out = append(out, checkRuleText(f)...)
		out = append(out, SigmaProblems(c, r)...)
		rules = append(rules, r)
	}
	m, err := detect.Compile(rules, detect.Options{})
	if err != nil {
		for _, e := range unjoin(err) {
			out = append(out, ruleProblem(t.Source, e))
			broken++
		}
	}
	if len(rules) == 0 {
		return out
	}
	corrs, silent, errs := techniqueCorrelations(m, rules)
	for _, e := range errs {
		out = append(out, ruleProblem(t.Source, e))
		broken++
	}
	flagged := map[*detect.Rule]int{}
	for _, s := range t.Samples {
		if p, bad := sampleText(s); bad {
			out = append(out, p)
			continue
		}
		records, p, bad := readSample(s)
		if bad {
			out = append(out, p)
			continue
		}
		var flags []*detect.Rule
		fed := false // matched by a rule that only feeds correlations
		if len(records) > 1 {
			for _, r := range Correlate(m, corrs, records) {
				flags = append(flags, r.Rule)
			}
		} else {
			ms, err := m.Match(s.Data)
			if err != nil {
				out = append(out, catalog.Problem{File: s.Path, Message: fmt.Sprintf("sample is not one CloudTrail record: %v", err)})
				continue
			}
			for _, mm := range ms {
				if s.Match {
					flagged[mm.Rule]++ // a rule that only feeds correlations must still match its samples
				}
				if !silent[mm.Rule] {
					flags = append(flags, mm.Rule)
				} else {
					fed = true
				}
			}
		}
		kind := "rule"
		if len(records) > 1 {
			kind = "correlation rule"
		}
		switch {
		case s.Match && len(flags) == 0 && !fed:
			// A record that only a correlation's rule matches is that
			// rule's sample: it reports nothing of its own.
			msg := fmt.Sprintf("match sample is not flagged by any %s of %s", kind, t.ID)
			if broken > 0 {
				msg += fmt.Sprintf(" (%d of its rules could not be used: see above)", broken)
			}
			out = append(out, catalog.Problem{File: s.Path, Message: msg})
		case !s.Match && len(flags) > 0:
			out = append(out, catalog.Problem{File: s.Path, Message: fmt.Sprintf("nomatch sample is flagged by %s %s", kind, path.Base(flags[0].File))})
		}
		if s.Match && len(records) > 1 {
			for _, r := range flags {
				flagged[r]++
			}
		}
	}
	checked := m.Rules()
	for _, r := range corrs {
		checked = append(checked, r.Rule)
	}
	for _, r := range checked {
		if n := flagged[r]; n < MinSamples {
			what := "match samples"
			if r.Correlation != nil {
				what = "match samples of several records"
			}
			out = append(out, catalog.Problem{File: r.File, Line: r.Line, Message: fmt.Sprintf("rule flags %d of the %s, want at least %d", n, what, MinSamples)})
		}
	}
	return out
}

// techniqueCorrelations resolves the correlation rules among rules, which
// must name rules of the same technique that compiled in m, and returns
// them with the rules that only feed them (which no sample sees flagged).
func techniqueCorrelations(m *detect.Matcher, rules []*detect.Rule) ([]*Rule, map[*detect.Rule]bool, []error) {
	var set []*Rule
	for _, r := range m.Rules() {
		set = append(set, &Rule{Rule: r})
	}
	for _, r := range rules {
		if r.Correlation != nil {
			set = append(set, &Rule{Rule: r})
		}
	}
	set, err := resolve(set)
	var errs []error
	if err != nil {
		errs = unjoin(err)
	}
	var corrs []*Rule
	silent := map[*detect.Rule]bool{}
	for _, r := range set {
		if r.Correlation != nil {
			corrs = append(corrs, r)
		}
		if len(r.Feeds) > 0 {
			silent[r.Rule] = true
			for _, c := range r.Feeds {
				silent[r.Rule] = silent[r.Rule] && !c.Correlation.Generate
			}
		}
	}
	return corrs, silent, errs
}

// maxSession is the longest an AWS session lasts: GetSessionToken's 36
// hours (role sessions and console sign-ins last 12 at most).
const maxSession = 36 * time.Hour

// readSample reads a sample as ttc scan reads a log, and returns its
// records: a sample the scan would reject (a repeated key; for a match
// sample, an eventTime that is no timestamp) proves nothing about what
// the rules flag in real logs.
func readSample(s catalog.Sample) ([][]byte, catalog.Problem, bool) {
	r := cloudtrail.NewReader(cloudtrail.Options{})
	r.Reset(bytes.NewReader(s.Data), s.Path)
	var records [][]byte
	for {
		rec, err := r.Next()
		if err == io.EOF && len(records) > 0 {
			return records, catalog.Problem{}, false
		}
		if re := (*cloudtrail.RecordError)(nil); errors.As(err, &re) {
			return nil, catalog.Problem{File: s.Path, Message: "ttc scan would reject the sample: " + re.Reason}, true
		}
		if err != nil {
			return nil, catalog.Problem{File: s.Path, Message: fmt.Sprintf("ttc scan would reject the sample: %v", err)}, true
		}
		if p, bad := checkSampleRecord(s, rec.Raw); bad {
			if len(records) > 0 || rec.Pos.Ordinal > 1 {
				p.Message += fmt.Sprintf(" (record %d)", rec.Pos.Ordinal)
			}
			return nil, p, true
		}
		records = append(records, slices.Clone(rec.Raw))
	}
}

// checkSampleRecord checks one record of a sample.
func checkSampleRecord(s catalog.Sample, raw []byte) (catalog.Problem, bool) {
	var head struct {
		EventTime    *string `json:"eventTime"`
		UserIdentity struct {
			SessionContext struct {
				Attributes struct {
					CreationDate string `json:"creationDate"`
				} `json:"attributes"`
			} `json:"sessionContext"`
		} `json:"userIdentity"`
	}
	// The scan rejects a record that matched rules without a time to
	// report; one that matches nothing it counts as unmatched.
	if err := json.Unmarshal(raw, &head); s.Match && (err != nil || head.EventTime == nil || cloudtrail.ParseTime(*head.EventTime).IsZero()) {
		return catalog.Problem{File: s.Path, Message: "ttc scan would reject the sample: its eventTime is missing or no timestamp"}, true
	}
	// A session is created before its calls: a sample that says otherwise
	// is no record CloudTrail writes.
	if created := cloudtrail.ParseTime(head.UserIdentity.SessionContext.Attributes.CreationDate); head.EventTime != nil && !created.IsZero() {
		at := cloudtrail.ParseTime(*head.EventTime)
		switch {
		case at.IsZero():
		case created.After(at):
			return catalog.Problem{File: s.Path, Message: "the sample's session is created after its event (sessionContext.attributes.creationDate)"}, true
		case at.Sub(created) > maxSession:
			return catalog.Problem{File: s.Path, Message: fmt.Sprintf("the sample's session is %s old at its event, and AWS sessions last at most %s (sessionContext.attributes.creationDate)",
				at.Sub(created).Round(time.Hour), maxSession)}, true
		}
	}
	return catalog.Problem{}, false
}

// checkRuleEvents checks the event names and sources a rule matches
// exactly: a name must be one the technique lists or an event of its
// services, a source that of a service of the catalog. A misspelt one
// would never match a real record, and samples written to agree with the
// rule would not show it.
func checkRuleEvents(c *catalog.Catalog, t *catalog.Technique, r *detect.Rule) []catalog.Problem {
	out, unknown := checkEventNames(c, t, r)
	at := func(n *yaml.Node, format string, args ...any) {
		out = append(out, catalog.Problem{File: r.File, Line: n.Line, Column: n.Column,
			Message: fmt.Sprintf(format, args...)})
	}
	for _, n := range valuesOf(r.Detection, "eventSource") {
		if !c.IsEventSource(n.Value) && !strings.ContainsAny(n.Value, "*?") {
			at(n, "eventSource \"%s\" is the event source of no service of the catalog (they read like s3.amazonaws.com)", n.Value)
		}
	}
	out = append(out, miscasedFields(r)...)
	pairs := unpaired(c, r.Detection)
	for _, p := range append(pairs, unpairedAcross(c, r, pairs)...) {
		if unknown[p.name] {
			continue // said above
		}
		sources := "the event source"
		if len(p.sources) > 1 {
			sources = "the event sources"
		}
		if p.with == "" {
			at(p.name, "eventName \"%s\" is no event of %s, %s beside it", p.name.Value, strings.Join(p.sources, " or "), sources)
			continue
		}
		at(p.name, "eventName \"%s\" is no event of %s, %s of selection %s, which the condition requires with it",
			p.name.Value, strings.Join(p.sources, " or "), sources, p.with)
	}
	return out
}

// checkEventNames checks the event names a rule matches against technique
// t: the part of checkRuleEvents that depends on the technique, which
// checkAlsoReports repeats for each entry a ttc.<ID> tag names. unknown
// holds the names it reports.
func checkEventNames(c *catalog.Catalog, t *catalog.Technique, r *detect.Rule) (
	out []catalog.Problem, unknown map[*yaml.Node]bool,
) {
	listed := map[string]bool{}
	for _, e := range t.Detection.CloudTrailEvents {
		_, name, _ := strings.Cut(e, ":")
		listed[name] = true
	}
	at := func(n *yaml.Node, format string, args ...any) {
		out = append(out, catalog.Problem{File: r.File, Line: n.Line, Column: n.Column,
			Message: fmt.Sprintf(format, args...)})
		unknown[n] = true
	}
	unknown = map[*yaml.Node]bool{}
	for _, n := range valuesOf(r.Detection, "eventName") {
		if strings.ContainsAny(n.Value, "*?") {
			continue
		}
		if !listed[n.Value] && !c.IsEventOf(t.Services, n.Value) {
			at(n, "eventName \"%s\" is not listed by %s and is no event of its services (%s)",
				n.Value, t.ID, strings.Join(t.Services, ", "))
			continue
		}
		// An API name that CloudTrail writes otherwise (S3's
		// PutBucketLifecycleConfiguration is logged as PutBucketLifecycle)
		// matches no record.
		if as := loggedAs(c, t.Services, n.Value); as != nil {
			at(n, "eventName \"%s\": CloudTrail logs it as %s; match that name",
				n.Value, strings.Join(as, " or "))
		}
	}
	return out, unknown
}

// miscasedFields reports the field names of rule r that CloudTrail spells
// in other letter case (EventName, userIdentity.Arn): fields are compared
// as written, so they find nothing. They are the detection's keys, the
// values a fieldref names, and a correlation's group-by and counted
// fields.
func miscasedFields(r *detect.Rule) []catalog.Problem {
	var out []catalog.Problem
	check := func(field string, line, column int, what string) {
		if to := cloudtrail.MiscasedField(field); to != "" {
			out = append(out, catalog.Problem{File: r.File, Line: line, Column: column,
				Message: fmt.Sprintf("%s \"%s\": CloudTrail writes %s (field names are compared in their case)", what, field, to)})
		}
	}
	for _, k := range fieldKeys(r.Detection) {
		field, _, _ := strings.Cut(k.Value, "|")
		check(field, k.Line, k.Column, "field")
	}
	eachMap(r.Detection, func(m *yaml.Node) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if _, mods, _ := strings.Cut(detect.Deref(m.Content[i]).Value, "|"); slices.Contains(strings.Split(mods, "|"), "fieldref") {
				for _, v := range scalars(m.Content[i+1]) {
					check(v.Value, v.Line, v.Column, "field")
				}
			}
		}
	})
	if corr := r.Correlation; corr != nil {
		for i, field := range corr.GroupBy {
			check(field, corr.GroupByAt[i].Line, corr.GroupByAt[i].Column, "group-by field")
		}
		check(corr.Field, corr.FieldAt.Line, corr.FieldAt.Column, "counted field")
	}
	return out
}

// loggedAs returns the names CloudTrail logs name under when every service
// of services whose operation it is logs it under other names; nil when
// one of them logs it as written.
func loggedAs(c *catalog.Catalog, services []string, name string) []string {
	var as []string
	for _, svc := range services {
		if !c.IsEventOf([]string{svc}, name) {
			continue
		}
		names := catalog.LoggedAs(svc, name)
		if names == nil {
			return nil
		}
		as = names
	}
	return as
}

// fieldKeys returns the field names of a detection, with their
// modifiers: the keys of the maps its selections hold (not the
// selections' own names, nor condition), through YAML aliases.
func fieldKeys(detection *yaml.Node) []*yaml.Node {
	if detection == nil {
		return nil
	}
	if detection = detect.Deref(detection); detection.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	// One walk for all the searches: several that alias one mapping read
	// it once.
	walked, listed := map[*yaml.Node]bool{}, map[*yaml.Node]bool{}
	for i := 0; i+1 < len(detection.Content); i += 2 {
		if detection.Content[i].Value == "condition" {
			continue
		}
		eachMapIn(walked, detection.Content[i+1], func(m *yaml.Node) {
			for k := 0; k+1 < len(m.Content); k += 2 {
				if key := detect.Deref(m.Content[k]); !listed[key] {
					listed[key] = true
					out = append(out, key)
				}
			}
		})
	}
	return out
}

// unpairedName is an event name that no event source of its selection
// has, or none of those another selection the condition requires with it
// (named by with) pins.
type unpairedName struct {
	name    *yaml.Node
	sources []string
	with    string
}

// unpaired returns the event names, under n, that a selection pairs with
// event sources none of which has them: each name must be an event of a
// service of one of the sources written beside it (in one map), or the
// selection can never match. A list of several sources and names is read
// as the selection reads it, any source with any name, so each name needs
// one of the sources, not all. Names and sources with wildcards, and
// sources of no service (refused on their own), are left to the other
// checks.
func unpaired(c *catalog.Catalog, n *yaml.Node) []unpairedName {
	var out []unpairedName
	p := newPairer(c)
	eachMap(n, func(m *yaml.Node) {
		var sources, names []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			switch detect.Deref(m.Content[i]).Value {
			case "eventSource":
				sources = append(sources, scalars(m.Content[i+1])...)
			case "eventName":
				names = append(names, scalars(m.Content[i+1])...)
			}
		}
		keys, shown := pinned(c, sources)
		out = p.appendUnpaired(out, names, keys, unpairedName{sources: shown})
	})
	return out
}

// unpairedAcross returns the event names of rule r that one selection
// writes and another pins the event source of, when a condition requires
// both (detect.RequiredSearches: joined by and at its top): as in one
// map, the name must be an event of one of those sources. Names reported
// in want of their own selection's sources (in seen) are left out.
func unpairedAcross(c *catalog.Catalog, r *detect.Rule, seen []unpairedName) []unpairedName {
	required, err := detect.RequiredSearches(r)
	if err != nil || len(required) == 0 {
		return nil // a correlation rule; or one whose error is reported elsewhere
	}
	det := detect.Deref(r.Detection)
	searches := map[string]*yaml.Node{}
	for i := 0; i+1 < len(det.Content); i += 2 {
		searches[det.Content[i].Value] = det.Content[i+1]
	}
	p := newPairer(c)
	for _, u := range seen {
		p.reported[u.name] = true
	}
	// Each search's names and sources, read once however many pairs it
	// is in.
	names := map[string][]*yaml.Node{}
	type pin struct{ keys, shown []string }
	pins := map[string]pin{}
	var out []unpairedName
	for _, group := range required {
		for _, with := range group {
			pn, ok := pins[with]
			if !ok {
				pn.keys, pn.shown = requiredSources(c, searches[with])
				pins[with] = pn
			}
			if pn.keys == nil {
				continue
			}
			for _, other := range group {
				if other == with || detect.Deref(searches[other]) == detect.Deref(searches[with]) {
					continue
				}
				ns, ok := names[other]
				if !ok {
					ns = valuesOf(searches[other], "eventName")
					names[other] = ns
				}
				out = p.appendUnpaired(out, ns, pn.keys, unpairedName{sources: pn.shown, with: with})
			}
		}
	}
	return out
}

// pairer answers, for a rule, whether names are events of services, each
// question once, and notes the names reported: a rule of many searches
// and names asks the same ones for every pair of searches.
type pairer struct {
	c        *catalog.Catalog
	reported map[*yaml.Node]bool
	isEvent  map[string]bool
}

func newPairer(c *catalog.Catalog) *pairer {
	return &pairer{c: c, reported: map[*yaml.Node]bool{}, isEvent: map[string]bool{}}
}

// appendUnpaired appends to out, as like, each of names that is no event
// of the services keys and was not reported yet; none when keys is empty.
func (p *pairer) appendUnpaired(out []unpairedName, names []*yaml.Node, keys []string,
	like unpairedName) []unpairedName {
	if len(keys) == 0 {
		return out
	}
	set := strings.Join(keys, ",") + "\x00"
	for _, name := range names {
		if p.reported[name] || strings.ContainsAny(name.Value, "*?") {
			continue
		}
		is, ok := p.isEvent[set+name.Value]
		if !ok {
			is = p.c.IsEventOf(keys, name.Value)
			p.isEvent[set+name.Value] = is
		}
		if !is {
			p.reported[name] = true
			like.name = name
			out = append(out, like)
		}
	}
	return out
}

// pinned returns the keys of the services of event sources, and the
// sources, as written; none when one of them holds a wildcard or is the
// source of no service.
func pinned(c *catalog.Catalog, sources []*yaml.Node) (keys, shown []string) {
	for _, s := range sources {
		ss := c.ServicesFor(s.Value)
		if strings.ContainsAny(s.Value, "*?") || !c.IsEventSource(s.Value) || len(ss) == 0 {
			return nil, nil
		}
		for _, svc := range ss {
			keys = append(keys, svc.Key)
		}
		shown = append(shown, s.Value)
	}
	return keys, shown
}

// requiredSources returns what pinned does for the event sources a
// selection requires of every record it matches: each of its maps (a
// list of maps matches by any) must write eventSource, without modifiers
// or null, as one known source or a list of them. None otherwise.
func requiredSources(c *catalog.Catalog, sel *yaml.Node) (keys, shown []string) {
	if sel == nil {
		return nil, nil
	}
	maps := []*yaml.Node{detect.Deref(sel)}
	if maps[0].Kind == yaml.SequenceNode {
		maps = maps[0].Content
	}
	for _, m := range maps {
		if m = detect.Deref(m); m.Kind != yaml.MappingNode {
			return nil, nil
		}
		var sources []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if detect.Deref(m.Content[i]).Value != "eventSource" {
				continue
			}
			v := detect.Deref(m.Content[i+1])
			if v.Kind == yaml.SequenceNode && len(scalars(v)) != len(v.Content) || v.Kind != yaml.SequenceNode && len(scalars(v)) == 0 {
				return nil, nil // a null or other value lets a record through
			}
			sources = append(sources, scalars(v)...)
		}
		k, s := pinned(c, sources)
		if k == nil {
			return nil, nil
		}
		keys = append(keys, k...)
		for _, src := range s {
			if !slices.Contains(shown, src) {
				shown = append(shown, src)
			}
		}
	}
	return keys, shown
}

// checkAlsoReports checks the ttc.<ID> tags by which a catalog rule reports
// techniques beside its folder's (catalog.RuleReports): each must name an
// entry of the catalog that lists CloudTrail events, and that entry must
// list the events the rule matches as its own or have them among its
// services' events, so that its page and event index agree with what the
// scan reports. data is the rule file's text, to place each problem at its tag.
func checkAlsoReports(c *catalog.Catalog, t *catalog.Technique, r *detect.Rule, data []byte) []catalog.Problem {
	nodes := tagNodes(data)
	at := func(tag, format string, args ...any) catalog.Problem {
		p := catalog.Problem{File: r.File, Line: r.Line, Message: fmt.Sprintf(format, args...)}
		if n := nodes[strings.ToLower(strings.TrimSpace(tag))]; n != nil {
			p.Line, p.Column = n.Line, n.Column
		}
		return p
	}
	ids, unknown := c.TaggedEntries(r.Tags)
	var out []catalog.Problem
	for _, tag := range unknown {
		out = append(out, at(tag, "tag \"%s\" names no technique of the catalog", tag))
	}
	for _, id := range ids {
		other, _ := c.Technique(id)
		if id == t.ID || other == nil {
			continue
		}
		tag := catalog.TagPrefix + strings.ToLower(id)
		if len(other.Detection.CloudTrailEvents) == 0 {
			out = append(out, at(tag, "tag \"%s\" names %s, which lists no CloudTrail events: the tag adds nothing", tag, id))
			continue
		}
		// The rule's own problems (sources, pairs, field case) were
		// reported with its folder's technique; only the names depend on
		// the entry.
		problems, _ := checkEventNames(c, other, r)
		for _, p := range problems {
			p.Message += fmt.Sprintf(" (the rule reports %s by its tag %s)", id, tag)
			out = append(out, p)
		}
	}
	return out
}

// tagNodes returns the YAML nodes of a rule file's tags, by their text in
// lower case without surrounding space.
func tagNodes(data []byte) map[string]*yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := doc.Content[0]
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "tags" {
			continue
		}
		for _, n := range scalars(m.Content[i+1]) {
			if k := strings.ToLower(strings.TrimSpace(n.Value)); out[k] == nil {
				out[k] = n
			}
		}
	}
	return out
}

// ruleTextKeys are the keys of a rule whose text ttc shows (titles in
// tables and pages, descriptions and false positives in ttc show): the
// catalog's own text rules apply to them. Detection values may hold any
// character, since a rule may look for one.
var ruleTextKeys = []string{"title", "description", "falsepositives", "author"}

// checkRuleText reports a hidden character (catalog.HiddenRune) in the text a
// catalog rule shows, and a level Sigma does not define, at their place in
// the file.
func checkRuleText(f catalog.File) []catalog.Problem {
	var doc yaml.Node
	if yaml.Unmarshal(f.Data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil // ParseRule has said why
	}
	var out []catalog.Problem
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		// A level Sigma does not define would be kept by every --min-level
		// and shown as written: in the catalog that is an error, where a
		// --rules file only gets a warning (Lint).
		if k, v := top.Content[i], top.Content[i+1]; k.Value == "level" && v.Kind == yaml.ScalarNode {
			if p := LevelProblem(v.Value); p != "" {
				out = append(out, catalog.Problem{File: f.Path, Line: v.Line, Column: v.Column, Message: p})
			}
		}
		if k := top.Content[i]; slices.Contains(ruleTextKeys, k.Value) {
			for _, n := range scalars(top.Content[i+1]) {
				if r, what := catalog.HiddenRune(n.Value); what != "" {
					line, col := catalog.RunePos(f.Data, n.Line, n.Column, r)
					out = append(out, catalog.Problem{File: f.Path, Line: line, Column: col, Message: fmt.Sprintf("%s holds %s", k.Value, what)})
				}
			}
		}
	}
	return out
}

// scalars returns n if it is a scalar, or the scalar items of a list n,
// through YAML aliases, as the rule's compiler reads them; null, which
// Sigma reads as "the field is missing", is no value.
func scalars(n *yaml.Node) []*yaml.Node {
	switch n = detect.Deref(n); {
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		return []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		var out []*yaml.Node
		for _, item := range n.Content {
			if item = detect.Deref(item); item.Kind == yaml.ScalarNode && item.Tag != "!!null" {
				out = append(out, item)
			}
		}
		return out
	}
	return nil
}

// valuesOf returns the scalar values given to key, without modifiers,
// anywhere under n: alone or as a list, through YAML aliases, each node
// once however many aliases name it.
func valuesOf(n *yaml.Node, key string) []*yaml.Node {
	var out []*yaml.Node
	seen := map[*yaml.Node]bool{}
	eachMap(n, func(m *yaml.Node) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if detect.Deref(m.Content[i]).Value != key {
				continue
			}
			for _, v := range scalars(m.Content[i+1]) {
				if !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	})
	return out
}

// eachMap calls f with each mapping node under n, n included, once,
// following YAML aliases as the rule's compiler does.
func eachMap(n *yaml.Node, f func(*yaml.Node)) {
	eachMapIn(map[*yaml.Node]bool{}, n, f)
}

// eachMapIn is eachMap passing over the nodes in seen, and noting those it
// walks there.
func eachMapIn(seen map[*yaml.Node]bool, n *yaml.Node, f func(*yaml.Node)) {
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n = detect.Deref(n); seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == yaml.MappingNode {
			f(n)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
}

func ruleProblem(file string, err error) catalog.Problem {
	var re *detect.RuleError
	if errors.As(err, &re) {
		return catalog.Problem{File: re.File, Line: re.Line, Column: re.Column, Message: re.Err.Error()}
	}
	return catalog.Problem{File: file, Message: err.Error()}
}

// sampleText reports a sample that is not UTF-8 or not JSON, at the place
// it goes wrong and with the reason.
func sampleText(s catalog.Sample) (catalog.Problem, bool) {
	at := func(off int, format string, args ...any) (catalog.Problem, bool) {
		line, col := textpos.Place(s.Data, off)
		return catalog.Problem{File: s.Path, Line: line, Column: col, Message: fmt.Sprintf(format, args...)}, true
	}
	if !utf8.Valid(s.Data) {
		return at(textpos.InvalidUTF8(s.Data), "sample is not UTF-8 text")
	}
	var v any
	err := json.Unmarshal(s.Data, &v)
	var se *json.SyntaxError
	switch {
	case err == nil:
		return catalog.Problem{}, false
	case errors.As(err, &se):
		return at(max(int(se.Offset)-1, 0), "sample is not valid JSON: %v", se)
	}
	return at(0, "sample is not valid JSON: %v", err)
}

// unjoin splits an errors.Join result into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
