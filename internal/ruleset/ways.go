package ruleset

import (
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
)

// AnalyseRules is the catalog's rule analysis (catalog.SetRuleAnalyser):
// for each rule file of one technique folder, the ways it can flag a
// record (detect.Ways). A correlation rule flags what the rules it counts
// flag, so it has their ways: the rules of the same folder it names by
// name or id.
func AnalyseRules(files []catalog.File) []catalog.RuleWays {
	out := make([]catalog.RuleWays, len(files))
	rules := make([]*detect.Rule, len(files))
	for i, f := range files {
		r, err := detect.ParseRule(f.Path, f.Data)
		if err == nil {
			rules[i] = r
			out[i].Ways, err = ruleWays(r)
		}
		out[i].Err = err
	}
	for i, r := range rules {
		if r == nil || r.Correlation == nil {
			continue
		}
		for _, ref := range r.Correlation.Rules {
			for j, base := range rules {
				if base != nil && base.Correlation == nil && (base.Name == ref.Ref || base.ID == ref.Ref) {
					out[i].Ways = append(out[i].Ways, out[j].Ways...)
				}
			}
		}
	}
	return out
}

// ruleWays is detect.Ways in the catalog's terms.
func ruleWays(r *detect.Rule) ([]catalog.RuleWay, error) {
	ws, err := detect.Ways(r)
	out := make([]catalog.RuleWay, len(ws))
	for i, w := range ws {
		out[i] = catalog.RuleWay{Sources: w.Sources, Names: w.Names}
	}
	return out, err
}
