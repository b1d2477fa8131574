package navigator

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/ttcproject/ttc/internal/attack"
)

// Colours of the layers ttc builds.
const (
	colorCatalogLow  = "#dbeeff"
	colorCatalogHigh = "#2f7fd1"
	colorScanLow     = "#ffe766"
	colorScanHigh    = "#e03c31"
)

func (b *builder) layer(scan bool) *Layer {
	l := &Layer{
		Name:        cmp.Or(b.opts.Name, "ttc catalog"),
		Versions:    &Versions{Attack: attack.Major(b.opts.AttackVersion), Navigator: NavigatorVersion, Layer: LayerFormat},
		Domain:      attack.DomainEnterprise,
		Description: b.opts.Description,
		Filters:     b.filters(),
		Layout: &Layout{Layout: "side", ShowID: ptr(true), ShowName: ptr(true),
			ExpandedSubtechniques: "annotated"},
		Sorting:                       ptr(0),
		HideDisabled:                  ptr(false),
		SelectTechniquesAcrossTactics: ptr(true),
		Metadata:                      []Metadata{{Name: "generator", Value: "ttc"}},
	}
	if b.opts.AttackVersion != "" {
		l.Metadata = append(l.Metadata, Metadata{Name: "attack_version", Value: b.opts.AttackVersion})
	}
	maxScore := 0.0
	keys := slices.SortedFunc(maps.Keys(b.cells), byCell)
	for _, k := range keys {
		e := b.entry(k, b.cells[k], scan)
		maxScore = max(maxScore, *e.Score)
		l.Techniques = append(l.Techniques, e)
	}
	markParents(l.Techniques)
	b.addNative(l, scan)

	low, high, what := colorCatalogLow, colorCatalogHigh, "catalog entries"
	if scan {
		low, high, what = colorScanLow, colorScanHigh, "observations"
		l.Sorting = ptr(3)
	}
	l.Gradient = &Gradient{Colors: []string{low, high}, MinValue: 0, MaxValue: max(maxScore, 1)}
	l.LegendItems = []LegendItem{{Label: "few " + what, Color: low}, {Label: "most " + what, Color: high}}
	return l
}

// filters returns a platform filter that shows every entry of the layer
// and little else: the platform of the most entries not shown yet, again
// and again (of several, the first in platformOrder, IaaS first), until
// every entry is. That is a small set, if not always the smallest. ATT&CK
// gives many techniques of the catalog endpoint platforms too (T1485 is
// also Windows), so a filter of every entry's platforms would filter
// nothing. Nil, and no filter, when the data gives an entry no platform
// (blank names and names holding control or format characters left out),
// since Navigator hides an entry none of whose platforms the filter names.
func (b *builder) filters() *Filters {
	if b.opts.PlatformsOf == nil || len(b.cells) == 0 {
		return nil
	}
	var left [][]string
	for _, k := range slices.SortedFunc(maps.Keys(b.cells), byCell) {
		ps := cleanPlatforms(b.opts.PlatformsOf(k.techniqueID))
		if len(ps) == 0 {
			return nil
		}
		left = append(left, ps)
	}
	var out []string
	for len(left) > 0 {
		count := map[string]int{}
		for _, ps := range left {
			for _, p := range ps {
				count[p]++
			}
		}
		best := ""
		for _, p := range slices.SortedFunc(maps.Keys(count), byPlatform) {
			if best == "" || count[p] > count[best] {
				best = p
			}
		}
		out = append(out, best)
		left = slices.DeleteFunc(left, func(ps []string) bool { return slices.Contains(ps, best) })
	}
	slices.SortFunc(out, byPlatform)
	return &Filters{Platforms: out}
}

// cleanPlatforms returns the platform names of ps that a filter can hold:
// trimmed, not blank, without control or format characters, each once.
func cleanPlatforms(ps []string) []string {
	var out []string
	for _, p := range ps {
		p = strings.TrimSpace(p)
		odd := strings.ContainsFunc(p, func(r rune) bool {
			return !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r)
		})
		if p != "" && !odd && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// platformOrder is the order filters prefers ATT&CK platforms in, those of
// cloud accounts first; others follow by name.
var platformOrder = []string{
	"IaaS", "Identity Provider", "SaaS", "Office Suite", "Containers", "PRE",
}

func byPlatform(x, y string) int {
	i, j := slices.Index(platformOrder, x), slices.Index(platformOrder, y)
	switch {
	case i >= 0 && j >= 0:
		return cmp.Compare(i, j)
	case i >= 0:
		return -1
	case j >= 0:
		return 1
	}
	return cmp.Compare(x, y)
}

// entry makes one technique entry from the catalog techniques in a cell.
func (b *builder) entry(k cellKey, cs []contribution, scan bool) Technique {
	slices.SortFunc(cs, func(x, y contribution) int { return cmp.Compare(x.id, y.id) })
	score := float64(len(cs))
	if scan {
		score = 0
		for _, c := range cs {
			score += float64(c.obs.Count)
		}
	}
	var lines []string
	var md []Metadata
	for _, c := range cs {
		line := c.label()
		if n := c.note(); n != "" {
			line += " — " + n
		}
		lines = append(lines, line)
		md = append(md, Metadata{Name: c.id, Value: cmp.Or(strings.TrimSpace(c.name+" "+bracket(c.note())), c.id)})
	}
	return Technique{
		TechniqueID: k.techniqueID, Tactic: k.tactic, Score: &score,
		Comment: "ttc: " + strings.Join(lines, "; "), Enabled: ptr(true), Metadata: md,
		ShowSubtechniques: ptr(false),
	}
}

func bracket(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

// markParents shows sub-techniques of parents that have annotated ones.
func markParents(ts []Technique) {
	withSubs := make(map[string]bool)
	for _, t := range ts {
		if p, _, ok := strings.Cut(t.TechniqueID, "."); ok {
			withSubs[p] = true
		}
	}
	for i := range ts {
		if withSubs[ts[i].TechniqueID] {
			ts[i].ShowSubtechniques = ptr(true)
		}
	}
}

// addNative lists AWS-defined techniques, which have no ATT&CK ID, in the
// layer's metadata and description.
func (b *builder) addNative(l *Layer, scan bool) {
	if len(b.native) == 0 {
		return
	}
	slices.SortFunc(b.native, func(x, y contribution) int { return cmp.Compare(x.id, y.id) })
	var ids []string
	l.Metadata = append(l.Metadata, Metadata{Divider: true})
	for _, c := range b.native {
		ids = append(ids, c.id)
		value := cmp.Or(strings.TrimSpace(c.name+" "+bracket(c.note())), c.id)
		l.Metadata = append(l.Metadata, Metadata{Name: c.id, Value: value})
	}
	what := "in the layer's scope"
	if scan {
		what = "observed"
	}
	note := "AWS-defined techniques without an ATT&CK ID (" + what + ", listed in metadata): " +
		strings.Join(ids, ", ") + "."
	l.Description = strings.TrimSpace(l.Description + "\n\n" + note)
}

func ptr[T any](v T) *T { return &v }
