package navigator

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/catalog"
)

// Observation is what a scan saw for one catalog technique.
type Observation struct {
	Count int
	// Evidence is a short summary shown in the layer (events, principals).
	Evidence string
	// Tactics place an observed ATT&CK technique the catalog lacks (one a
	// rule is tagged with) under its tactics, as ATT&CK tactic IDs; with
	// none it shows under every tactic.
	Tactics []string
}

// Options describe the layer to build.
type Options struct {
	Name        string
	Description string
	// AttackVersion is the imported ATT&CK version the layer targets; its
	// major goes to versions.attack and picks catalog aliases (v19 IDs).
	// Empty leaves versions.attack out, so Navigator uses its current data.
	AttackVersion string
	// ShortNames maps the catalog's tactic IDs to ATT&CK tactic shortnames,
	// see ShortNames. Tactics missing here are left off the entries.
	ShortNames map[string]string
	// PlatformsOf returns ATT&CK's platforms of a technique (nil when the
	// data lacks it), from which the layer's platform filter is made (see
	// builder.filters). Nil: no filter, and Navigator shows every platform.
	PlatformsOf func(attackID string) []string
}

// ShortNames maps each tactic's ID and shortname to its shortname.
func ShortNames(tactics []catalog.Tactic) map[string]string {
	m := make(map[string]string, 2*len(tactics))
	for _, t := range tactics {
		m[t.ID], m[t.ShortName] = t.ShortName, t.ShortName
	}
	return m
}

// contribution is one catalog technique's part in a layer cell.
type contribution struct {
	id, name string
	obs      *Observation
}

// cellKey is one (ATT&CK technique, tactic) entry of a layer.
type cellKey struct{ techniqueID, tactic string }

// builder gathers catalog techniques into layer cells.
type builder struct {
	opts   Options
	cells  map[cellKey][]contribution
	native []contribution // AWS-defined techniques, without an ATT&CK ID
}

// CatalogLayer builds a layer showing where the given catalog techniques sit
// in ATT&CK; a cell's score is the number of catalog entries in it.
func CatalogLayer(techs []*catalog.Technique, opts Options) *Layer {
	b := newBuilder(opts)
	for _, t := range techs {
		b.add(t.ID, t.Name, t.Tactics, attack.IDFor(t, opts.AttackVersion), nil)
	}
	return b.layer(false)
}

// ScanLayer builds a layer from scan observations keyed by catalog technique
// ID; techs supplies names and tactics. A cell's score is the number of
// observations in it. Observed IDs missing from techs appear under every
// tactic of their ATT&CK technique.
func ScanLayer(techs []*catalog.Technique, obs map[string]Observation, opts Options) *Layer {
	b := newBuilder(opts)
	byID := make(map[string]*catalog.Technique, len(techs))
	for _, t := range techs {
		byID[t.ID] = t
	}
	for _, id := range slices.Sorted(maps.Keys(obs)) {
		o := obs[id]
		if t := byID[id]; t != nil {
			b.add(id, t.Name, t.Tactics, attack.IDFor(t, opts.AttackVersion), &o)
		} else {
			b.add(id, "", o.Tactics, catalog.AttackID(id), &o)
		}
	}
	return b.layer(true)
}

func newBuilder(opts Options) *builder {
	return &builder{opts: opts, cells: make(map[cellKey][]contribution)}
}

func (b *builder) add(id, name string, tactics []string, attackID string, obs *Observation) {
	c := contribution{id: id, name: name, obs: obs}
	if attackID == "" {
		b.native = append(b.native, c)
		return
	}
	var shorts []string
	for _, tac := range tactics {
		if s := b.opts.ShortNames[tac]; s != "" && !slices.Contains(shorts, s) {
			shorts = append(shorts, s)
		}
	}
	if len(shorts) == 0 {
		shorts = []string{""} // Navigator then applies the entry to every tactic
	}
	for _, s := range shorts {
		k := cellKey{attackID, s}
		b.cells[k] = append(b.cells[k], c)
	}
}

// label is "T1486.A001 S3 SSE-C Encryption" for a contribution.
func (c contribution) label() string {
	return strings.TrimSpace(c.id + " " + c.name)
}

// note describes a contribution's observations, "12 observations: evidence".
func (c contribution) note() string {
	if c.obs == nil {
		return ""
	}
	s := fmt.Sprintf("%d observation%s", c.obs.Count, plural(c.obs.Count))
	if c.obs.Evidence != "" {
		s += ": " + c.obs.Evidence
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func byCell(a, b cellKey) int {
	return cmp.Or(cmp.Compare(a.techniqueID, b.techniqueID), cmp.Compare(a.tactic, b.tactic))
}
