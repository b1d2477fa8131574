package catalog

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Catalog is a loaded, validated catalog. It is read-only after Load and safe
// for concurrent use.
type Catalog struct {
	tactics     []Tactic
	services    []Service
	mitigations []*Mitigation
	techniques  []*Technique

	tacticByID    map[string]*Tactic
	tacticByShort map[string]*Tactic
	serviceByKey  map[string]*Service
	mitigationBy  map[string]*Mitigation
	techniqueBy   map[string]*Technique
	children      map[string][]*Technique
	byEvent       map[string][]*Technique // "s3:CopyObject" lower-cased
	usedBy        map[string][]*Technique // mitigation ID to techniques
	replaced      []string
	clashes       []string        // overlays that define one technique twice
	unread        []Problem       // overlay files and folders passed over
	fromOverlay   map[string]bool // techniques an overlay defined
	repeated      []string        // overlay folders given more than once (Open)
	// The same of mitigations: the catalog's that overlays replaced, those
	// two overlays define, and those an overlay defined.
	replacedMitigations []string
	mitigationClashes   []string
	mitigationOverlaid  map[string]bool
	// reportedBy lists, per technique, the rules of other techniques
	// whose ttc.<ID> tags name it, and alsoReports, per rule file path,
	// the techniques it reports beside its folder's (see RuleReports).
	reportedBy  map[string][]ruleOf
	alsoReports map[string][]string
	// ruleData lists, per rule file path, the data events the rule needs,
	// and ruleErr says why the analysis could not read a rule; both are
	// nil without a rule analysis (see SetRuleAnalyser).
	ruleData map[string][]string
	ruleErr  map[string]error
}

// ruleOf is one rule file and the technique whose folder holds it.
type ruleOf struct {
	t *Technique
	f File
}

func newCatalog() *Catalog {
	return &Catalog{
		mitigationBy: map[string]*Mitigation{},
		techniqueBy:  map[string]*Technique{},
		fromOverlay:  map[string]bool{},

		mitigationOverlaid: map[string]bool{},
	}
}

// merge adds one source's content; an overlay replaces entries with the same key.
func (c *Catalog) merge(r *raw, src Source, ps *problems) {
	for _, t := range r.tactics {
		c.tactics = replaceOrAppend(c.tactics, t, func(a Tactic) bool { return a.ID == t.ID })
	}
	for _, s := range r.services {
		c.services = replaceOrAppend(c.services, s, func(a Service) bool { return a.Key == s.Key })
	}
	local := map[string]*Technique{}
	for _, t := range r.techniques {
		if prev, ok := local[t.ID]; ok {
			d := r.docs[t]
			ps.at(d, []any{"id"}, "duplicate technique ID %s (also defined in %s)", t.ID, prev.Source)
			continue
		}
		local[t.ID] = t
		if prev, ok := c.techniqueBy[t.ID]; ok && src.Overlay {
			// An overlay's technique that a later overlay defines again
			// is a clash, not a replacement of the catalog's: the
			// catalog may not have it at all.
			if c.fromOverlay[t.ID] {
				c.clashes = append(c.clashes, fmt.Sprintf("%s of %s replaces the one of %s", t.ID, t.Source, prev.Source))
			} else {
				c.replaced = append(c.replaced, t.ID)
			}
		}
		if src.Overlay {
			c.fromOverlay[t.ID] = true
		}
		c.techniqueBy[t.ID] = t
	}
	localM := map[string]bool{}
	for _, m := range r.mitigations {
		if localM[m.ID] {
			ps.at(r.docs[m], []any{"id"}, "duplicate mitigation ID %s", m.ID)
			continue
		}
		localM[m.ID] = true
		if prev, ok := c.mitigationBy[m.ID]; ok && src.Overlay {
			if c.mitigationOverlaid[m.ID] {
				c.mitigationClashes = append(c.mitigationClashes,
					fmt.Sprintf("%s of %s replaces the one of %s", m.ID, m.Source, prev.Source))
			} else {
				c.replacedMitigations = append(c.replacedMitigations, m.ID)
			}
		}
		if src.Overlay {
			c.mitigationOverlaid[m.ID] = true
		}
		c.mitigationBy[m.ID] = m
	}
}

func replaceOrAppend[T any](list []T, v T, same func(T) bool) []T {
	for i := range list {
		if same(list[i]) {
			list[i] = v
			return list
		}
	}
	return append(list, v)
}

// finish sorts everything and builds the indexes.
func (c *Catalog) finish() {
	sort.SliceStable(c.tactics, func(i, j int) bool { return c.tactics[i].Order < c.tactics[j].Order })
	sort.SliceStable(c.services, func(i, j int) bool { return c.services[i].Key < c.services[j].Key })
	c.tacticByID = map[string]*Tactic{}
	c.tacticByShort = map[string]*Tactic{}
	for i := range c.tactics {
		t := &c.tactics[i]
		c.tacticByID[t.ID] = t
		c.tacticByShort[t.ShortName] = t
	}
	c.serviceByKey = map[string]*Service{}
	for i := range c.services {
		c.serviceByKey[c.services[i].Key] = &c.services[i]
	}
	c.mitigations = c.mitigations[:0]
	for _, m := range c.mitigationBy {
		c.mitigations = append(c.mitigations, m)
	}
	sort.Slice(c.mitigations, func(i, j int) bool { return c.mitigations[i].ID < c.mitigations[j].ID })
	c.techniques = c.techniques[:0]
	for _, t := range c.techniqueBy {
		c.techniques = append(c.techniques, t)
	}
	sort.Slice(c.techniques, func(i, j int) bool { return LessID(c.techniques[i].ID, c.techniques[j].ID) })
	c.children = map[string][]*Technique{}
	c.byEvent = map[string][]*Technique{}
	c.usedBy = map[string][]*Technique{}
	for _, t := range c.techniques {
		if t.Parent != "" {
			c.children[t.Parent] = append(c.children[t.Parent], t)
		}
		for _, e := range t.Detection.CloudTrailEvents {
			k := strings.ToLower(e)
			c.byEvent[k] = append(c.byEvent[k], t)
		}
		for _, m := range t.Mitigations {
			c.usedBy[m.ID] = append(c.usedBy[m.ID], t)
		}
	}
	c.reportedBy, c.alsoReports = map[string][]ruleOf{}, map[string][]string{}
	for _, t := range c.techniques {
		for _, f := range t.Rules {
			ids := c.RuleReports(t.ID, ruleTags(f.Data))
			if len(ids) > 0 {
				c.alsoReports[f.Path] = ids
			}
			for _, id := range ids {
				c.reportedBy[id] = append(c.reportedBy[id], ruleOf{t, f})
			}
		}
	}
	c.analyseRules()
}

// TagPrefix starts the Sigma tags that name a catalog entry itself,
// ttc.t1486.a001: ttc export sigma adds them beside the ATT&CK ones, and a
// catalog rule reports the entries they name beside its folder's.
const TagPrefix = "ttc."

// TaggedEntries returns the entries of the catalog that tags of the form
// ttc.<ID> name, each once and sorted, and the ttc. tags that name none.
// Other tags are passed over.
func (c *Catalog) TaggedEntries(tags []string) (ids, unknown []string) {
	for _, tag := range tags {
		name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(tag)), TagPrefix)
		if !ok {
			continue
		}
		if t, ok := c.Technique(strings.ToUpper(name)); ok {
			if !slices.Contains(ids, t.ID) {
				ids = append(ids, t.ID)
			}
		} else {
			unknown = append(unknown, tag)
		}
	}
	sort.Strings(ids)
	return ids, unknown
}

// RuleReports returns the techniques a catalog rule in folder's technique
// reports beside that one: the other entries its ttc.<ID> tags name. One
// act can be two techniques: an EBS snapshot shared with another account
// is the catalog's T1578.001, as AWS files it, and ATT&CK's T1537,
// Transfer Data to Cloud Account. A tag that names no entry, or one that
// lists no CloudTrail events (a parent, or a technique the trail does not
// see), adds nothing; the rule checks report it.
func (c *Catalog) RuleReports(folder string, tags []string) []string {
	ids, _ := c.TaggedEntries(tags)
	return slices.DeleteFunc(ids, func(id string) bool {
		return id == folder || len(c.techniqueBy[id].Detection.CloudTrailEvents) == 0
	})
}

// AlsoReports returns the techniques catalog rule file f reports beside
// the one whose folder holds it (see RuleReports), as the catalog indexed
// them when it loaded: the scan and the pages read the same answer.
func (c *Catalog) AlsoReports(f File) []string { return slices.Clone(c.alsoReports[f.Path]) }

// ruleTags reads a rule file's tags as the scan's Sigma parser does: a
// list, or one string for a list of one. A file that does not parse has
// none here (the rule checks say why it does not parse), and one that
// holds no "ttc." in any case is not parsed: it names no entry.
func ruleTags(data []byte) []string {
	if !bytes.Contains(bytes.ToLower(data), []byte(TagPrefix)) {
		return nil
	}
	var head struct {
		Tags yaml.Node `yaml:"tags"`
	}
	_ = yaml.Unmarshal(data, &head)
	var out []string
	switch n := &head.Tags; n.Kind {
	case yaml.ScalarNode:
		if n.Tag != "!!null" {
			out = append(out, n.Value)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
	}
	return out
}

// LessID orders technique IDs: ATT&CK IDs before AWS-defined ones, then by
// number, and within a parent, ATT&CK sub-techniques before AWS-specific ones.
func LessID(a, b string) bool {
	ka, kb := strings.HasPrefix(a, "AT"), strings.HasPrefix(b, "AT")
	if ka != kb {
		return !ka
	}
	return a < b
}

// Tactics returns the tactics in matrix order.
func (c *Catalog) Tactics() []Tactic { return c.tactics }

// Services returns the services sorted by key.
func (c *Catalog) Services() []Service { return c.services }

// Mitigations returns the mitigations sorted by ID.
func (c *Catalog) Mitigations() []*Mitigation { return c.mitigations }

// Techniques returns every technique in ID order.
func (c *Catalog) Techniques() []*Technique { return c.techniques }

// Replaced lists the IDs of the catalog's own techniques (the embedded
// ones) that an overlay replaced, each once; Clashes says which an overlay
// defined again after another.
func (c *Catalog) Replaced() []string { return c.replaced }

// FromOverlays lists, sorted, the IDs of the techniques that overlays
// supplied: new ones, and those that replace the catalog's (Replaced).
func (c *Catalog) FromOverlays() []string { return slices.Sorted(maps.Keys(c.fromOverlay)) }

// Clashes describes each technique that one overlay defines and a later
// overlay defines again: the later one is used, which is likely not what
// both overlays' authors meant.
func (c *Catalog) Clashes() []string { return c.clashes }

// FromOverlay reports whether an overlay defined the technique id (new,
// or replacing the embedded one).
func (c *Catalog) FromOverlay(id string) bool { return c.fromOverlay[strings.ToUpper(id)] }

// ReplacedMitigations lists the IDs of the catalog's own mitigations that
// an overlay replaced, each once, as Replaced does of techniques.
func (c *Catalog) ReplacedMitigations() []string { return c.replacedMitigations }

// MitigationsFromOverlays lists, sorted, the IDs of the mitigations that
// overlays supplied: new ones, and those that replace the catalog's.
func (c *Catalog) MitigationsFromOverlays() []string {
	return slices.Sorted(maps.Keys(c.mitigationOverlaid))
}

// MitigationClashes describes each mitigation that one overlay defines and
// a later overlay defines again, as Clashes does of techniques.
func (c *Catalog) MitigationClashes() []string { return c.mitigationClashes }

// Repeated lists the overlay folders that Open was given more than once,
// each once: it reads such a folder once, where it was last given, so
// that its entries do not clash with themselves.
func (c *Catalog) Repeated() []string { return c.repeated }

// Unread lists the files and folders of the overlays that look like
// catalog content (YAML or JSON files, folders) but are not where the
// loader reads them, such as a rule beside technique.yaml or a technique
// file at an overlay's root. They are passed over, not problems: the
// list is for warning the user.
func (c *Catalog) Unread() []Problem { return c.unread }

// Technique returns the technique with the given ID (case-insensitive).
func (c *Catalog) Technique(id string) (*Technique, bool) {
	t, ok := c.techniqueBy[strings.ToUpper(strings.TrimSpace(id))]
	return t, ok
}

// Children returns a technique's sub-techniques in ID order.
func (c *Catalog) Children(id string) []*Technique { return c.children[id] }

// Siblings returns the other sub-techniques of a sub-technique's parent.
func (c *Catalog) Siblings(t *Technique) []*Technique {
	if t.Parent == "" {
		return nil
	}
	var out []*Technique
	for _, s := range c.children[t.Parent] {
		if s.ID != t.ID {
			out = append(out, s)
		}
	}
	return out
}

// Tactic finds a tactic by ID (TA0040), short name (impact) or name
// (Impact); ATT&CK v19's names for Defense Evasion find it too.
func (c *Catalog) Tactic(key string) (*Tactic, bool) {
	k := strings.TrimSpace(key)
	if t, ok := c.tacticByID[strings.ToUpper(k)]; ok {
		return t, true
	}
	norm := tacticKey(k)
	if t := c.v19Tactic(k, norm); t != nil {
		return t, true
	}
	t, ok := c.tacticByShort[norm]
	return t, ok
}

// v19Tactic returns the catalog tactic a tactic key (k, and norm as
// tacticKey makes it) names in ATT&CK v19's words (tactics.yaml's
// attack_v19): its new name (Stealth for Defense Evasion) or the tactic
// split off it (TA0112 Defense Impairment); nil for none.
func (c *Catalog) v19Tactic(k, norm string) *Tactic {
	for i := range c.tactics {
		t := &c.tactics[i]
		v := t.AttackV19
		switch {
		case v == nil:
		case norm == tacticKey(v.Name):
			return t
		case v.Split != nil && (strings.EqualFold(k, v.Split.ID) || norm == tacticKey(v.Split.ShortName) || norm == tacticKey(v.Split.Name)):
			return t
		}
	}
	return nil
}

// attackTactics are the tactics of ATT&CK Enterprise (v18). The catalog
// holds the ones it has techniques for; rules from elsewhere, and filters
// on their findings, may name the others.
var attackTactics = []Tactic{
	{ID: "TA0043", ShortName: "reconnaissance", Name: "Reconnaissance"},
	{ID: "TA0042", ShortName: "resource-development", Name: "Resource Development"},
	{ID: "TA0001", ShortName: "initial-access", Name: "Initial Access"},
	{ID: "TA0002", ShortName: "execution", Name: "Execution"},
	{ID: "TA0003", ShortName: "persistence", Name: "Persistence"},
	{ID: "TA0004", ShortName: "privilege-escalation", Name: "Privilege Escalation"},
	{ID: "TA0005", ShortName: "defense-evasion", Name: "Defense Evasion"},
	{ID: "TA0006", ShortName: "credential-access", Name: "Credential Access"},
	{ID: "TA0007", ShortName: "discovery", Name: "Discovery"},
	{ID: "TA0008", ShortName: "lateral-movement", Name: "Lateral Movement"},
	{ID: "TA0009", ShortName: "collection", Name: "Collection"},
	{ID: "TA0011", ShortName: "command-and-control", Name: "Command and Control"},
	{ID: "TA0010", ShortName: "exfiltration", Name: "Exfiltration"},
	{ID: "TA0040", ShortName: "impact", Name: "Impact"},
}

// AttackTactic finds a tactic as Tactic does, and failing that among the
// ATT&CK Enterprise tactics the catalog has no technique for
// (Reconnaissance, Command and Control), which rules from
// elsewhere may be tagged with. Such a tactic has no description and no
// place in the catalog's matrix. ATT&CK v19's names for a catalog tactic
// (tactics.yaml's attack_v19: Stealth, and TA0112 Defense Impairment,
// split off it) find the catalog's tactic, as Tactic does.
func (c *Catalog) AttackTactic(key string) (*Tactic, bool) {
	if t, ok := c.Tactic(key); ok {
		return t, true
	}
	k := strings.TrimSpace(key)
	norm := tacticKey(k)
	for i := range attackTactics {
		if t := &attackTactics[i]; strings.EqualFold(t.ID, k) || t.ShortName == norm {
			cp := *t
			return &cp, true
		}
	}
	return nil, false
}

// Service finds a service by key (s3), event source (s3.amazonaws.com), name or alias.
// An event source shared by several services (ec2.amazonaws.com) returns the first;
// use ServicesFor to get all of them.
func (c *Catalog) Service(key string) (*Service, bool) {
	ss := c.ServicesFor(key)
	if len(ss) == 0 {
		return nil, false
	}
	return ss[0], true
}

// ServicesFor returns every service that key names: by key, event source, name or alias.
func (c *Catalog) ServicesFor(key string) []*Service {
	k := strings.ToLower(strings.TrimSpace(key))
	if s, ok := c.serviceByKey[k]; ok {
		return []*Service{s}
	}
	var out []*Service
	for i := range c.services {
		s := &c.services[i]
		if strings.EqualFold(s.Name, k) || containsFold(s.Aliases, k) || containsFold(s.EventSources, k) {
			out = append(out, s)
		}
	}
	return out
}

// Mitigation returns the mitigation with the given ID.
func (c *Catalog) Mitigation(id string) (*Mitigation, bool) {
	m, ok := c.mitigationBy[strings.ToLower(strings.TrimSpace(id))]
	return m, ok
}

// MitigatedBy returns the techniques that name the mitigation.
func (c *Catalog) MitigatedBy(id string) []*Technique { return c.usedBy[id] }

// ByEvent returns the techniques whose CloudTrail events include event
// (service:EventName, case-insensitive).
func (c *Catalog) ByEvent(event string) []*Technique {
	return c.byEvent[strings.ToLower(strings.TrimSpace(event))]
}

// Events returns every distinct CloudTrail event name in the catalog, sorted.
func (c *Catalog) Events() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range c.techniques {
		for _, e := range t.Detection.CloudTrailEvents {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	sort.Strings(out)
	return out
}

// IsDataEvent reports whether a catalog event (service:EventName) is one
// CloudTrail records as a data event, which a trail writes only when its
// selectors ask for it.
func (c *Catalog) IsDataEvent(event string) bool {
	svc, name, ok := strings.Cut(event, ":")
	if !ok {
		return false
	}
	s, ok := c.serviceByKey[svc]
	return ok && slices.Contains(s.DataEvents, name)
}

// EventSource returns the CloudTrail eventSource of a catalog event's service.
func (c *Catalog) EventSource(event string) string {
	svc, _, ok := strings.Cut(event, ":")
	if !ok {
		return ""
	}
	if s, ok := c.serviceByKey[svc]; ok && len(s.EventSources) > 0 {
		return s.EventSources[0]
	}
	return ""
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// tacticKey is a tactic's name or short name as short names are written:
// lower case, words joined by '-' ("Defense Evasion", "defense_evasion",
// as older Sigma tags write it, are "defense-evasion").
func tacticKey(s string) string { return tacticSeparators.Replace(strings.ToLower(s)) }

var tacticSeparators = strings.NewReplacer(" ", "-", "_", "-")
