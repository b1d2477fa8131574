package server

import (
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/view"
)

// views holds what every request would otherwise recompute from the catalog,
// which is read-only once loaded: the listings and each technique's detail
// (building a detail parses the technique's rule files).
type views struct {
	tactics     []view.TacticRow
	services    []view.ServiceRow
	mitigations []view.MitigationRow
	details     map[string]catalog.TechniqueDetail
}

func buildViews(c *catalog.Catalog, attackParent func(string) *catalog.AttackData, attackMitigations func([]string) map[string]string) *views {
	v := &views{
		tactics:     view.TacticRows(c),
		services:    view.ServiceRows(c),
		mitigations: view.MitigationRows(c),
		details:     make(map[string]catalog.TechniqueDetail, len(c.Techniques())),
	}
	for _, t := range c.Techniques() {
		d := c.Detail(t)
		if attackParent != nil {
			d.AttackData = attackParent(t.ID)
		}
		if attackMitigations != nil {
			d.AttackMitigationNames = attackMitigations(t.AttackMitigations)
		}
		v.details[t.ID] = d
	}
	return v
}
