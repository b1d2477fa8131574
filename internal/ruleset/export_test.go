package ruleset

import (
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
)

// UnpairedAcross is what catalog validate reports of rule r's event names
// that the event sources another selection requires with them do not
// have, beside those their own selection's sources do not have: the names.
func UnpairedAcross(c *catalog.Catalog, r *detect.Rule) []string {
	var out []string
	for _, p := range unpairedAcross(c, r, unpaired(c, r.Detection)) {
		out = append(out, p.name.Value)
	}
	return out
}
