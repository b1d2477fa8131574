package stix

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/ttcproject/ttc/internal/catalog"
)

func (e *exporter) addMitigations() {
	mits := slices.Clone(e.in.Mitigations)
	slices.SortFunc(mits, func(a, b *catalog.Mitigation) int { return cmp.Compare(a.ID, b.ID) })
	for _, m := range mits {
		o := e.base("course-of-action", m.ID, m.Name, "", "")
		o.Description = joinText(m.Summary, m.Description)
		o.ExternalReferences = append(refs(m.ID, false), citations(m.References)...)
		e.coas = append(e.coas, o)
		e.coaOf[m.ID] = o.ID
	}
	for _, id := range slices.Sorted(maps.Keys(e.in.AttackMitigations)) {
		if e.coaOf[id] != "" || !e.referenced(id) {
			continue
		}
		o := e.base("course-of-action", id, e.in.AttackMitigations[id], "", "")
		o.ExternalReferences = refs(id, true)
		e.coas = append(e.coas, o)
		e.coaOf[id] = o.ID
	}
}

// referenced reports whether some technique lists the ATT&CK mitigation id.
func (e *exporter) referenced(id string) bool {
	for _, t := range e.in.Techniques {
		if slices.Contains(t.AttackMitigations, id) {
			return true
		}
	}
	return false
}

func joinText(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += "\n\n"
		}
		out += p
	}
	return out
}

func (e *exporter) addRelationships() error {
	all := slices.Concat(e.in.Techniques, e.parents)
	slices.SortFunc(all, byCatalogID)
	for _, t := range all {
		created, modified := stamp(t.FirstSeen), stamp(t.Updated)
		if t.Parent != "" {
			e.relate("subtechnique-of", e.patternOf[t.ID], e.patternOf[t.Parent], "", created, modified)
		}
		for _, ref := range t.Mitigations {
			coa := e.coaOf[ref.ID]
			if coa == "" {
				return fmt.Errorf("export stix: technique %s names mitigation %s, which is not in the export", t.ID, ref.ID)
			}
			e.relate("mitigates", coa, e.patternOf[t.ID], ref.Effect, created, modified)
		}
		for _, id := range t.AttackMitigations {
			if coa := e.coaOf[id]; coa != "" {
				e.relate("mitigates", coa, e.patternOf[t.ID], "", created, modified)
			}
		}
	}
	return nil
}

func (e *exporter) relate(typ, src, dst, desc, created, modified string) {
	created = cmp.Or(created, e.now)
	o := Object{
		Type: "relationship", SpecVersion: "2.1", ID: NewID("relationship", typ+":"+src+":"+dst),
		Created: created, Modified: max(cmp.Or(modified, created), created),
		CreatedByRef: e.identity, ObjectMarkingRefs: []string{e.marking}, Description: desc,
		RelationshipType: typ, SourceRef: src, TargetRef: dst,
		AttackSpecVersion: attackSpecVersion, ModifiedByRef: e.identity,
	}
	e.rels = append(e.rels, o)
}

// assemble puts the collection first and lists every other object in it.
func (e *exporter) assemble() []Object {
	identity := Object{
		Type: "identity", SpecVersion: "2.1", ID: e.identity, Created: epoch, Modified: max(e.now, epoch),
		ObjectMarkingRefs: []string{e.marking}, Name: "ttc", IdentityClass: "organization",
		AttackSpecVersion: attackSpecVersion,
	}
	marking := Object{
		Type: "marking-definition", SpecVersion: "2.1", ID: e.marking, Created: epoch,
		CreatedByRef: e.identity, DefinitionType: "statement", Definition: &Definition{Statement: Statement},
	}
	matrix := e.base("x-mitre-matrix", "ttc-aws", e.opts.Name, "", "")
	matrix.Description = "The ATT&CK Enterprise tactics the catalog uses, in matrix order."
	matrix.ExternalReferences = refs("ttc-aws", false)
	for _, t := range e.tactics {
		matrix.TacticRefs = append(matrix.TacticRefs, t.ID)
	}

	body := slices.Concat([]Object{identity, marking, matrix}, e.tactics, e.patterns, e.coas, e.rels)
	coll := e.base("x-mitre-collection", e.opts.Name, e.opts.Name, "", "")
	coll.Description = e.opts.Description
	coll.Version = e.opts.Version
	coll.Deprecated, coll.Domains, coll.ModifiedByRef = nil, nil, ""
	for _, o := range body {
		coll.Contents = append(coll.Contents, ContentRef{ObjectRef: o.ID, ObjectModified: cmp.Or(o.Modified, o.Created)})
	}
	return append([]Object{coll}, body...)
}
