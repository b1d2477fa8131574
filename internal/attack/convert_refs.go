package attack

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/ttcproject/ttc/internal/attack/stix"
)

// tactics takes the domain's matrix and lists its tactics in tactic_refs order.
func (c *converter) tactics(objs []stix.Object) error {
	var matrix *stix.Object
	byID := make(map[string]*stix.Object)
	for i := range objs {
		o := &objs[i]
		switch o.Type {
		case "x-mitre-tactic":
			byID[o.ID] = o
		case "x-mitre-matrix":
			if id, _ := o.ExternalID(c.opts.IDSource); matrix == nil || id == c.opts.Domain {
				matrix = o
			}
		}
	}
	if matrix == nil || len(c.ds.objects.Techniques) == 0 {
		return fmt.Errorf("import attack data for %s: %w", c.opts.Domain, ErrNoATTACK)
	}
	for _, ref := range matrix.TacticRefs {
		o := byID[ref]
		if o == nil {
			return fmt.Errorf("import attack data: matrix names tactic %s, which is missing", ref)
		}
		id, url := o.ExternalID(c.opts.IDSource)
		// Techniques name their tactics by the short name, and the catalog
		// its tactics by the ID: a tactic lacking either matches nothing.
		if id == "" || o.Shortname == "" {
			return fmt.Errorf("import attack data: the matrix's tactic %s has no ATT&CK ID or no x_mitre_shortname, by which techniques name it", ref)
		}
		c.ds.objects.Tactics = append(c.ds.objects.Tactics, Tactic{
			STIXID: o.ID, ID: id, ShortName: o.Shortname, Name: o.Name,
			Description: o.Description, URL: url,
		})
	}
	return nil
}

// detectionRefs resolves the STIX ids inside data components, detection
// strategies and analytics to ATT&CK IDs and names.
func (c *converter) detectionRefs(objs []stix.Object) {
	o := &c.ds.objects
	byDC := make(map[string]*DataComponent)
	for _, dc := range o.DataComponents {
		byDC[dc.STIXID] = dc
	}
	byDET := make(map[string]*DetectionStrategy)
	for _, s := range o.DetectionStrategies {
		byDET[s.STIXID] = s
	}
	byAN := make(map[string]*Analytic)
	for _, a := range o.Analytics {
		byAN[a.STIXID] = a
	}

	for i := range objs {
		obj := &objs[i]
		if dc := byDC[obj.ID]; dc != nil {
			dc.DataSource = c.sources[obj.DataSourceRef]
		}
		if s := byDET[obj.ID]; s != nil {
			for _, ref := range obj.AnalyticRefs {
				if id := c.ids[ref]; id != "" {
					s.Analytics = append(s.Analytics, id)
				}
			}
		}
		if a := byAN[obj.ID]; a != nil {
			for _, l := range obj.LogSourceReferences {
				a.LogSources = append(a.LogSources, LogSource{
					DataComponent: c.ids[l.DataComponentRef], Name: l.Name, Channel: l.Channel,
				})
			}
		}
	}
}

// keptRelationships are the relationship types a Dataset holds.
var keptRelationships = []string{RelSubtechniqueOf, RelMitigates, RelRevokedBy, RelDetects}

// relationships keeps the relationships of kept types whose both ends are in
// the Dataset.
func (c *converter) relationships(objs []stix.Object) {
	present := make(map[string]bool, len(objs)) // held, if not kept (another domain's)
	for i := range objs {
		present[objs[i].ID] = true
	}
	dangling, first := 0, ""
	defer func() {
		if dangling > 0 {
			c.opts.Logger.Warn("attack data: relationships whose source or target the data does not hold, left out",
				"count", dangling, "first", first)
		}
	}()
	for i := range objs {
		o := &objs[i]
		if o.Type != "relationship" || !slices.Contains(keptRelationships, o.RelationshipType) {
			continue
		}
		if !c.kept[o.SourceRef] || !c.kept[o.TargetRef] {
			if !present[o.SourceRef] || !present[o.TargetRef] {
				if dangling++; dangling == 1 {
					first = fmt.Sprintf("%s %s %s → %s", o.ID, o.RelationshipType, o.SourceRef, o.TargetRef)
				}
			}
			continue
		}
		c.ds.objects.Relationships = append(c.ds.objects.Relationships, Relationship{
			Type: o.RelationshipType, Source: o.SourceRef, Target: o.TargetRef,
		})
	}
}

// sort orders every list by ATT&CK ID, then STIX id, so stored files are stable.
func (c *converter) sort() {
	o := &c.ds.objects
	slices.SortFunc(o.Techniques, func(a, b *Technique) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.STIXID, b.STIXID))
	})
	slices.SortFunc(o.Mitigations, func(a, b *Mitigation) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.STIXID, b.STIXID))
	})
	slices.SortFunc(o.DataComponents, func(a, b *DataComponent) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(o.DetectionStrategies, func(a, b *DetectionStrategy) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(o.Analytics, func(a, b *Analytic) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(o.Relationships, func(a, b Relationship) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Target, b.Target))
	})
}
