package attack

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
)

// Kind is what a Finding says about a catalog entry's ATT&CK ID.
type Kind string

// The kinds of Finding, in the order they are reported for one entry.
const (
	// KindRenumbered: the imported version uses another ID (catalog alias).
	KindRenumbered Kind = "renumbered"
	// KindUnknown: the imported version has no technique with the ID.
	KindUnknown Kind = "unknown"
	// KindRevoked: ATT&CK revoked the ID; Replacement names its successor.
	KindRevoked Kind = "revoked"
	// KindDeprecated: ATT&CK deprecated the ID without a successor.
	KindDeprecated Kind = "deprecated"
	// KindRenamed: the catalog's name for the ID differs from ATT&CK's.
	KindRenamed Kind = "renamed"
	// KindMoved: the catalog's tactics differ from ATT&CK's kill chain phases.
	KindMoved Kind = "moved"
)

var kindOrder = []Kind{KindRenumbered, KindUnknown, KindRevoked, KindDeprecated, KindRenamed, KindMoved}

// Finding is one mismatch between a catalog entry and an ATT&CK version.
type Finding struct {
	CatalogID   string `json:"catalog_id"`
	AttackID    string `json:"attack_id"`
	Kind        Kind   `json:"kind"`
	Detail      string `json:"detail"`
	Replacement string `json:"replacement,omitempty"`
}

// Check compares the catalog techniques with ds and returns the findings
// sorted by catalog ID, then kind. The ATT&CK ID checked is the entry's own
// for T####/T####.###, its parent for T####.A###, and none for AT####.
// Catalog tactics may be tactic IDs (TA0005) or shortnames.
func Check(ds *Dataset, techs []*catalog.Technique) []Finding {
	var out []Finding
	for _, t := range techs {
		out = append(out, ds.checkOne(t)...)
	}
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.CatalogID, b.CatalogID),
			cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind)),
			cmp.Compare(a.AttackID, b.AttackID))
	})
	return out
}

func (ds *Dataset) checkOne(t *catalog.Technique) []Finding {
	id := catalog.AttackID(t.ID)
	if id == "" {
		return nil
	}
	var out []Finding
	add := func(kind Kind, attackID, replacement, format string, args ...any) {
		out = append(out, Finding{CatalogID: t.ID, AttackID: attackID, Kind: kind,
			Detail: fmt.Sprintf(format, args...), Replacement: replacement})
	}
	renumbered := false
	if alias := aliasFor(t, ds.Version); alias != "" {
		add(KindRenumbered, id, alias, "ATT&CK v%s uses %s for %s (catalog alias)", ds.Version, alias, id)
		id, renumbered = alias, true
	}

	at := ds.AnyTechnique(id)
	switch {
	case at == nil:
		add(KindUnknown, id, "", "the imported ATT&CK data (v%s, %s) has no technique %s", ds.Version, ds.Domain, id)
		return out
	case at.Revoked:
		r := ds.Replacement(id)
		if r == nil {
			add(KindRevoked, id, "", "revoked in ATT&CK v%s; %s", ds.Version, ds.noReplacement(id))
			return out
		}
		add(KindRevoked, id, r.ID, "revoked in ATT&CK v%s; replaced by %s \"%s\"", ds.Version, r.ID, r.Name)
		return out
	case at.Deprecated:
		add(KindDeprecated, id, "", "deprecated in ATT&CK v%s (\"%s\")", ds.Version, at.Name)
		return out
	}

	// Data that gives the technique no name or no tactic (the import
	// warned of it) says nothing of a rename or a move.
	if !renumbered && at.Name != "" {
		if want, got, ok := ds.nameMismatch(t, at); ok {
			add(KindRenamed, id, "", "catalog says \"%s\", ATT&CK v%s says \"%s\"", got, ds.Version, want)
		}
	}
	if extra, missing := ds.tacticDiff(t, at); len(at.Tactics) > 0 && len(extra)+len(missing) > 0 {
		add(KindMoved, id, "", "catalog tactics %s; ATT&CK v%s has %s",
			strings.Join(ds.shortNames(t.Tactics), ", "), ds.Version, strings.Join(at.Tactics, ", "))
	}
	return out
}

// nameMismatch compares the part of the catalog's "Parent: Sub" name that
// belongs to the ATT&CK ID: the sub part for T####.###, the parent part for
// T####.A###, the whole name for T####. A sub-technique name without the
// "Parent: " prefix is compared as the sub part.
func (ds *Dataset) nameMismatch(t *catalog.Technique, at *Technique) (want, got string, ok bool) {
	parentPart, subPart, hasColon := strings.Cut(t.Name, ": ")
	kind, _ := catalog.ParseID(t.ID)
	switch {
	case kind == catalog.KindAWSSubTechnique && !hasColon:
		// A name without the "Parent: " part says nothing of the parent's name.
		return "", "", false
	case kind == catalog.KindAWSSubTechnique:
		got = parentPart
	case at.IsSubtechnique && hasColon:
		got = subPart
		if p := ds.Technique(at.Parent); p != nil && p.Name != strings.TrimSpace(parentPart) {
			return p.Name + ": " + at.Name, t.Name, true
		}
	default:
		got = t.Name
	}
	got = strings.Join(strings.Fields(got), " ")
	return at.Name, got, got != at.Name
}

// tacticDiff returns the catalog's tactics ATT&CK does not list for at, and
// ATT&CK's tactics the catalog lacks. AWS-specific sub-techniques may use a
// subset of their parent's tactics, so only their extra tactics count.
func (ds *Dataset) tacticDiff(t *catalog.Technique, at *Technique) (extra, missing []string) {
	mine := ds.shortNames(t.Tactics)
	for _, s := range mine {
		if !slices.Contains(at.Tactics, s) {
			extra = append(extra, s)
		}
	}
	if kind, _ := catalog.ParseID(t.ID); kind == catalog.KindAWSSubTechnique {
		return extra, nil
	}
	for _, s := range at.Tactics {
		if !slices.Contains(mine, s) {
			missing = append(missing, s)
		}
	}
	return extra, missing
}

// shortNames maps tactic IDs or shortnames to this version's shortnames;
// tactics the version does not know are kept as given.
func (ds *Dataset) shortNames(tactics []string) []string {
	out := make([]string, 0, len(tactics))
	for _, s := range tactics {
		if tac := ds.Tactic(s); tac != nil {
			s = tac.ShortName
		}
		out = append(out, s)
	}
	return out
}
