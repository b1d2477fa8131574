package navigator

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The layer format this package writes and validates against.
const (
	LayerFormat      = "4.5"
	NavigatorVersion = "5.1.0"
	// minNavigator is the lowest versions.navigator format 4.5 allows.
	minNavigator = "4.9.0"
)

var (
	domains        = []string{"enterprise-attack", "mobile-attack", "ics-attack"}
	layouts        = []string{"side", "flat", "mini"}
	aggregates     = []string{"average", "min", "max", "sum"}
	expansions     = []string{"none", "all", "annotated"}
	techniqueIDRe  = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	shortNameRe    = regexp.MustCompile(`^[a-z][a-z-]*$`)
	colorRe        = regexp.MustCompile(`^#([0-9a-fA-F]{6}|[0-9a-fA-F]{8}|[0-9a-fA-F]{3})$`)
	errLayerFormat = errors.New("layer does not follow format " + LayerFormat)
)

// Validate checks l against the rules of layer format 4.5 and returns every
// problem found, joined, wrapping errLayerFormat; nil if there are none.
// JSON types are checked by Decode, which rejects a value of the wrong type.
func (l *Layer) Validate() error {
	var v validator
	v.check(l.Name != "", "name is required")
	v.check(slices.Contains(domains, l.Domain), "domain \"%s\" is not one of %s", l.Domain, strings.Join(domains, ", "))
	if l.Versions != nil {
		v.check(l.Versions.Layer == LayerFormat, "versions.layer is \"%s\", must be \"%s\"", l.Versions.Layer, LayerFormat)
		v.check(l.Versions.Navigator != "", "versions.navigator is required")
		v.check(l.Versions.Navigator == "" || compareDotted(l.Versions.Navigator, minNavigator) >= 0,
			"versions.navigator \"%s\" is below %s", l.Versions.Navigator, minNavigator)
	}
	if l.Sorting != nil {
		v.check(*l.Sorting >= 0 && *l.Sorting <= 3, "sorting %d is not 0-3", *l.Sorting)
	}
	if lo := l.Layout; lo != nil {
		v.oneOf("layout.layout", lo.Layout, layouts)
		v.oneOf("layout.aggregateFunction", lo.AggregateFunction, aggregates)
		v.oneOf("layout.expandedSubtechniques", lo.ExpandedSubtechniques, expansions)
	}
	for i, t := range l.Techniques {
		v.technique(fmt.Sprintf("techniques[%d]", i), t)
	}
	if g := l.Gradient; g != nil {
		v.check(len(g.Colors) >= 2, "gradient.colors needs at least 2 colours")
		for _, c := range g.Colors {
			v.check(colorRe.MatchString(c), "gradient colour \"%s\" is not a hex colour", c)
		}
		v.check(g.MaxValue > g.MinValue, "gradient.maxValue %v must exceed minValue %v", g.MaxValue, g.MinValue)
	}
	for i, it := range l.LegendItems {
		v.check(it.Label != "" && it.Color != "", "legendItems[%d] needs label and color", i)
	}
	v.metadata("metadata", l.Metadata)
	v.links("links", l.Links)
	if len(v.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", errLayerFormat, errors.Join(v.errs...))
}

type validator struct{ errs []error }

func (v *validator) check(ok bool, format string, args ...any) {
	if !ok {
		v.errs = append(v.errs, fmt.Errorf(format, args...))
	}
}

func (v *validator) oneOf(field, value string, allowed []string) {
	v.check(value == "" || slices.Contains(allowed, value), "%s \"%s\" is not one of %s",
		field, value, strings.Join(allowed, ", "))
}

func (v *validator) technique(at string, t Technique) {
	v.check(techniqueIDRe.MatchString(t.TechniqueID), "%s: techniqueID \"%s\" is not T#### or T####.###", at, t.TechniqueID)
	v.check(t.Tactic == "" || shortNameRe.MatchString(t.Tactic), "%s: tactic \"%s\" is not a tactic shortname", at, t.Tactic)
	v.check(t.Color == "" || colorRe.MatchString(t.Color), "%s: color \"%s\" is not a hex colour", at, t.Color)
	v.metadata(at+".metadata", t.Metadata)
	v.links(at+".links", t.Links)
}

func (v *validator) metadata(at string, md []Metadata) {
	for i, m := range md {
		v.check(m.Divider || (m.Name != "" && m.Value != ""), "%s[%d] needs name and value", at, i)
	}
}

func (v *validator) links(at string, links []Link) {
	for i, l := range links {
		if l.Divider {
			continue
		}
		u, err := url.Parse(l.URL)
		v.check(l.Label != "", "%s[%d] needs a label", at, i)
		v.check(err == nil && u.Scheme != "", "%s[%d]: url \"%s\" has no scheme", at, i, l.URL)
	}
}

// compareDotted compares numeric dotted versions ("5.1.0" vs "4.9.0").
func compareDotted(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return min(max(x-y, -1), 1)
		}
	}
	return 0
}

// legacyDomains are the pre-4.0 domain names Navigator still accepts.
var legacyDomains = map[string]string{
	"mitre-enterprise": "enterprise-attack",
	"mitre-mobile":     "mobile-attack",
}

// Upgrade rewrites what older layer formats spell differently in the 4.5
// form: legacy domain names, the top-level version, and the versions object.
// ATT&CK version, scores and annotations are left as they are.
func (l *Layer) Upgrade() {
	if d, ok := legacyDomains[l.Domain]; ok {
		l.Domain = d
	}
	l.Version = ""
	if l.Versions == nil {
		l.Versions = &Versions{}
	}
	l.Versions.Layer, l.Versions.Navigator = LayerFormat, NavigatorVersion
	if l.Filters != nil {
		l.Filters.Stages = nil
	}
}
