package stix

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
)

// exporter collects the objects of one export.
type exporter struct {
	in       Input
	opts     ExportOptions
	now      string // timestamp of collection, identity, marking, matrix
	identity string
	marking  string

	shortNames map[string]string // tactic ID or shortname → shortname
	tactics    []Object
	patterns   []Object
	patternOf  map[string]string // catalog technique ID → its attack-pattern id
	parents    []*catalog.Technique
	coas       []Object
	coaOf      map[string]string // mitigation ID → STIX id
	rels       []Object
}

func newExporter(in Input, opts ExportOptions) *exporter {
	opts.Name = cmp.Or(opts.Name, DefaultName)
	opts.Description = cmp.Or(opts.Description, DefaultDescription)
	opts.Version = cmp.Or(opts.Version, "1.0")
	if opts.Modified.IsZero() {
		opts.Modified = newestUpdate(in.Techniques)
	}
	return &exporter{
		in: in, opts: opts, now: opts.Modified.UTC().Format(stixTime),
		identity:   NewID("identity", "ttc"),
		marking:    NewID("marking-definition", "ttc"),
		shortNames: make(map[string]string),
		patternOf:  make(map[string]string),
		coaOf:      make(map[string]string),
	}
}

// epoch is the created time of the objects that carry no date of their
// own (identity, marking, matrix, collection, tactics, mitigations): the
// public catalog's first release. STIX keeps created fixed across an
// object's versions (and a marking-definition is never versioned), so it
// must not follow the newest technique's update, as modified does.
const epoch = "2025-06-01T00:00:00.000Z"

// base returns an object with the properties every exported SDO shares.
// An object without dates of its own is created at epoch and modified at
// the export's newest update.
func (e *exporter) base(typ, key, name, created, modified string) Object {
	if created == "" {
		created, modified = epoch, cmp.Or(modified, e.now)
	}
	modified = max(cmp.Or(modified, created), created)
	return Object{
		Type: typ, SpecVersion: "2.1", ID: NewID(typ, key), Created: created, Modified: modified,
		CreatedByRef: e.identity, ObjectMarkingRefs: []string{e.marking}, Name: name,
		Deprecated: boolp(false), Version: "1.0", AttackSpecVersion: attackSpecVersion,
		Domains: []string{"enterprise-attack"}, ModifiedByRef: e.identity,
	}
}

// refs returns the references that carry id: for an ATT&CK-native ID,
// ATT&CK's first, as ATT&CK's own objects have it (tools read the first
// reference for the ID and the page), then the ttc one; for an AWS-defined
// ID, the ttc one alone.
func refs(id string, native bool) []ExternalReference {
	own := ExternalReference{SourceName: SourceTTC, ExternalID: id}
	if native {
		return []ExternalReference{{SourceName: SourceATTACK, ExternalID: id, URL: attackURL(id)}, own}
	}
	return []ExternalReference{own}
}

func citations(rs []catalog.Reference) []ExternalReference {
	var out []ExternalReference
	for _, r := range rs {
		out = append(out, ExternalReference{SourceName: r.Title, URL: r.URL})
	}
	return out
}

func (e *exporter) addTactics() error {
	tactics := slices.Clone(e.in.Tactics)
	slices.SortStableFunc(tactics, func(a, b catalog.Tactic) int { return cmp.Compare(a.Order, b.Order) })
	for _, t := range tactics {
		if t.ShortName == "" {
			return fmt.Errorf("export stix: tactic %s has no short name", t.ID)
		}
		e.shortNames[t.ID], e.shortNames[t.ShortName] = t.ShortName, t.ShortName
		o := e.base("x-mitre-tactic", t.ID, t.Name, "", "")
		o.Description = t.Description
		o.ExternalReferences = refs(t.ID, strings.HasPrefix(t.ID, "TA"))
		o.Shortname = t.ShortName
		e.tactics = append(e.tactics, o)
	}
	return nil
}

func (e *exporter) addTechniques() error {
	techs := slices.Clone(e.in.Techniques)
	slices.SortFunc(techs, byCatalogID)
	for _, t := range techs {
		if err := e.technique(t, false); err != nil {
			return err
		}
	}
	// Parents the input lacks are exported as plain entries named after the
	// "Parent: " part of their first child, so subtechnique-of always resolves.
	for _, p := range e.missingParents(techs) {
		if err := e.technique(p, true); err != nil {
			return err
		}
	}
	slices.SortFunc(e.patterns, func(a, b Object) int {
		return cmp.Compare(a.ExternalReferences[0].ExternalID, b.ExternalReferences[0].ExternalID)
	})
	return nil
}

func (e *exporter) missingParents(techs []*catalog.Technique) []*catalog.Technique {
	made := make(map[string]*catalog.Technique)
	var out []*catalog.Technique
	for _, t := range techs {
		if t.Parent == "" || e.patternOf[t.Parent] != "" {
			continue
		}
		p := made[t.Parent]
		if p == nil {
			name, _, _ := strings.Cut(t.Name, ": ")
			p = &catalog.Technique{ID: t.Parent, Name: name, FirstSeen: t.FirstSeen, Updated: t.Updated}
			made[t.Parent] = p
			out = append(out, p)
		}
		for _, tac := range t.Tactics {
			if !slices.Contains(p.Tactics, tac) {
				p.Tactics = append(p.Tactics, tac)
			}
		}
	}
	return out
}

func (e *exporter) technique(t *catalog.Technique, placeholder bool) error {
	kind, err := catalog.ParseID(t.ID)
	if err != nil {
		return fmt.Errorf("export stix: %w", err)
	}
	name := t.Name
	if _, sub, ok := strings.Cut(t.Name, ": "); ok && kind.IsSub() {
		name = sub // ATT&CK names a sub-technique without its parent's name
	}
	o := e.base("attack-pattern", t.ID, name, stamp(t.FirstSeen), stamp(t.Updated))
	o.Description = cmp.Or(t.Description, t.Summary)
	if placeholder {
		o.Description = "Parent of the catalog's " + t.ID + ".* entries; the catalog has no entry of its own for it."
	}
	native := kind == catalog.KindTechnique || kind == catalog.KindSubTechnique
	o.ExternalReferences = append(refs(t.ID, native), citations(t.References)...)
	o.Revoked = boolp(false)
	o.Platforms = []string{platformIaaS}
	o.IsSubtechnique = boolp(kind.IsSub())
	o.Detection = t.Detection.Guidance
	for _, tac := range t.Tactics {
		short := e.shortNames[tac]
		if short == "" {
			return fmt.Errorf("export stix: technique %s names tactic %s, which is not in the export", t.ID, tac)
		}
		o.KillChainPhases = append(o.KillChainPhases, KillChainPhase{KillChainName: KillChainEnterprise, PhaseName: short})
	}
	e.patterns = append(e.patterns, o)
	e.patternOf[t.ID] = o.ID
	if placeholder {
		e.parents = append(e.parents, t)
	}
	return nil
}
