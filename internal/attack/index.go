package attack

import (
	"slices"
	"strings"
)

// index holds the Dataset's lookup maps, built once on first use.
type index struct {
	techBySTIX    map[string]*Technique
	techByID      map[string]*Technique
	mitBySTIX     map[string]*Mitigation
	mitByID       map[string]*Mitigation
	componentByID map[string]*DataComponent
	strategyByID  map[string]*DetectionStrategy
	analyticByID  map[string]*Analytic
}

func (ds *Dataset) index() *index {
	ds.once.Do(func() { ds.idx = buildIndex(&ds.objects) })
	return ds.idx
}

func buildIndex(o *objects) *index {
	ix := &index{
		techBySTIX:    make(map[string]*Technique),
		techByID:      make(map[string]*Technique),
		mitBySTIX:     make(map[string]*Mitigation),
		mitByID:       make(map[string]*Mitigation),
		componentByID: make(map[string]*DataComponent),
		strategyByID:  make(map[string]*DetectionStrategy),
		analyticByID:  make(map[string]*Analytic),
	}
	for _, t := range o.Techniques {
		ix.techBySTIX[t.STIXID] = t
		// ATT&CK IDs are not unique across revoked objects: an active one wins.
		if old := ix.techByID[t.ID]; old == nil || (!old.Active() && t.Active()) {
			ix.techByID[t.ID] = t
		}
	}
	for _, m := range o.Mitigations {
		ix.mitBySTIX[m.STIXID] = m
		if old := ix.mitByID[m.ID]; old == nil || old.Revoked || old.Deprecated {
			ix.mitByID[m.ID] = m
		}
	}
	for _, c := range o.DataComponents {
		ix.componentByID[c.ID] = c
	}
	for _, s := range o.DetectionStrategies {
		ix.strategyByID[s.ID] = s
	}
	for _, a := range o.Analytics {
		ix.analyticByID[a.ID] = a
	}
	ix.link(o)
	return ix
}

// link fills the fields derived from relationships.
func (ix *index) link(o *objects) {
	components := make(map[string]*DataComponent)
	for _, c := range o.DataComponents {
		components[c.STIXID] = c
	}
	strategies := make(map[string]*DetectionStrategy)
	for _, s := range o.DetectionStrategies {
		strategies[s.STIXID] = s
	}

	for _, r := range o.Relationships {
		src, dst := ix.techBySTIX[r.Source], ix.techBySTIX[r.Target]
		switch r.Type {
		case RelRevokedBy:
			if src != nil {
				src.RevokedBy = r.Target
			}
		case RelSubtechniqueOf:
			if src != nil && dst != nil {
				src.Parent = dst.ID
				if src.Active() && dst.Active() {
					dst.SubTechniques = append(dst.SubTechniques, src.ID)
				}
			}
		case RelMitigates:
			m := ix.mitBySTIX[r.Source]
			if m != nil && dst != nil && dst.Active() && !m.Revoked && !m.Deprecated {
				dst.Mitigations = append(dst.Mitigations, m.ID)
				m.Techniques = append(m.Techniques, dst.ID)
			}
		case RelDetects:
			ix.linkDetects(r, dst, components, strategies)
		}
	}
	ix.inferParents(o)
	ix.sortDerived(o)
}

func (ix *index) linkDetects(r Relationship, dst *Technique,
	components map[string]*DataComponent, strategies map[string]*DetectionStrategy) {
	if dst == nil || !dst.Active() {
		return
	}
	if c := components[r.Source]; c != nil && !c.Revoked && !c.Deprecated {
		dst.DataComponents = append(dst.DataComponents, c.ID)
	}
	if s := strategies[r.Source]; s != nil && !s.Revoked && !s.Deprecated {
		dst.DetectionStrategies = append(dst.DetectionStrategies, s.ID)
	}
}

// inferParents gives sub-techniques without a subtechnique-of relationship the
// parent their ID names, when the data has it.
func (ix *index) inferParents(o *objects) {
	for _, t := range o.Techniques {
		if !t.IsSubtechnique || t.Parent != "" {
			continue
		}
		id, _, ok := strings.Cut(t.ID, ".")
		if p := ix.techByID[id]; ok && p != nil {
			t.Parent = p.ID
			if t.Active() && p.Active() {
				p.SubTechniques = append(p.SubTechniques, t.ID)
			}
		}
	}
}

func (ix *index) sortDerived(o *objects) {
	for _, t := range o.Techniques {
		t.SubTechniques = sortedUnique(t.SubTechniques)
		t.Mitigations = sortedUnique(t.Mitigations)
		t.DataComponents = sortedUnique(t.DataComponents)
		t.DetectionStrategies = sortedUnique(t.DetectionStrategies)
	}
	for _, m := range o.Mitigations {
		m.Techniques = sortedUnique(m.Techniques)
	}
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
