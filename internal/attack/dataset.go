package attack

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// FormatVersion is the version of the stored Dataset JSON layout.
const FormatVersion = 1

// Dataset is one ATT&CK release, normalised. Revoked and deprecated objects are
// kept, flagged, and left out of the normal lookups. It encodes to and decodes
// from JSON as stored by a Store.
type Dataset struct {
	// Format is the layout version of the stored JSON (FormatVersion).
	Format      int    `json:"format"`
	Domain      string `json:"domain"`
	Version     string `json:"version"`
	STIXVersion string `json:"stix_version"`
	// SpecVersion is the highest x_mitre_attack_spec_version seen.
	SpecVersion string `json:"attack_spec_version,omitempty"`
	// Copyright is the statement of MITRE's marking definition, as published.
	Copyright string `json:"copyright,omitempty"`
	Source    string `json:"source,omitempty"`

	objects
	once sync.Once
	idx  *index
}

// objects are the Dataset's contents, reached through its methods.
type objects struct {
	Tactics             []Tactic             `json:"tactics"`
	Techniques          []*Technique         `json:"techniques"`
	Mitigations         []*Mitigation        `json:"mitigations"`
	DataComponents      []*DataComponent     `json:"data_components,omitempty"`
	DetectionStrategies []*DetectionStrategy `json:"detection_strategies,omitempty"`
	Analytics           []*Analytic          `json:"analytics,omitempty"`
	Relationships       []Relationship       `json:"relationships"`
}

// Tactic is an ATT&CK tactic; Dataset.Tactics keeps the matrix column order.
type Tactic struct {
	STIXID      string `json:"stix_id"`
	ID          string `json:"id"`
	ShortName   string `json:"short_name"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
}

// Technique is an ATT&CK technique or sub-technique. The fields after Modified
// are derived from relationships when the Dataset is indexed.
type Technique struct {
	STIXID         string   `json:"stix_id"`
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description,omitempty"`
	URL            string   `json:"url,omitempty"`
	Platforms      []string `json:"platforms,omitempty"`
	Tactics        []string `json:"tactics,omitempty"`
	IsSubtechnique bool     `json:"is_subtechnique,omitempty"`
	Detection      string   `json:"detection,omitempty"`
	Version        string   `json:"version,omitempty"`
	Modified       string   `json:"modified,omitempty"`
	Revoked        bool     `json:"revoked,omitempty"`
	Deprecated     bool     `json:"deprecated,omitempty"`

	Parent              string   `json:"-"`
	SubTechniques       []string `json:"-"`
	RevokedBy           string   `json:"-"`
	Mitigations         []string `json:"-"`
	DataComponents      []string `json:"-"`
	DetectionStrategies []string `json:"-"`
}

// Active reports whether the technique is neither revoked nor deprecated.
func (t *Technique) Active() bool { return !t.Revoked && !t.Deprecated }

// Mitigation is an ATT&CK mitigation (course-of-action).
type Mitigation struct {
	STIXID      string `json:"stix_id"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
	Version     string `json:"version,omitempty"`
	Modified    string `json:"modified,omitempty"`
	Revoked     bool   `json:"revoked,omitempty"`
	Deprecated  bool   `json:"deprecated,omitempty"`

	Techniques []string `json:"-"`
}

// Relationship links two objects by STIX id. Kept types: subtechnique-of,
// mitigates, revoked-by, detects.
type Relationship struct {
	Type        string `json:"type"`
	Source      string `json:"source"`
	Target      string `json:"target"`
	Description string `json:"description,omitempty"`
}

// The relationship types the importer keeps.
const (
	RelSubtechniqueOf = "subtechnique-of"
	RelMitigates      = "mitigates"
	RelRevokedBy      = "revoked-by"
	RelDetects        = "detects"
)

// Technique returns the active technique with the ATT&CK ID id, or nil.
func (ds *Dataset) Technique(id string) *Technique {
	t := ds.index().techByID[id]
	if t == nil || !t.Active() {
		return nil
	}
	return t
}

// AnyTechnique returns the technique with the ATT&CK ID id even when it is
// revoked or deprecated, preferring an active one; nil if there is none.
func (ds *Dataset) AnyTechnique(id string) *Technique {
	return ds.index().techByID[id]
}

// Techniques returns the active techniques and sub-techniques sorted by ID.
func (ds *Dataset) Techniques() []*Technique {
	var out []*Technique
	for _, t := range ds.objects.Techniques {
		if t.Active() {
			out = append(out, t)
		}
	}
	return out
}

// Replacement follows revoked-by from the technique id to the technique that
// finally replaces it; nil if id is not revoked or the chain ends nowhere.
func (ds *Dataset) Replacement(id string) *Technique {
	t, _ := ds.replacement(id)
	return t
}

// noReplacement says why Replacement finds none for the revoked technique
// id: the data names none, names one it does not hold, or names only
// techniques that are revoked in turn (a chain that loops, say).
func (ds *Dataset) noReplacement(id string) string {
	_, why := ds.replacement(id)
	return why
}

// replacement follows revoked-by from the revoked technique id, for at most
// 16 steps, to the first technique that is not revoked; when there is none,
// it says why. Both are zero when id is no revoked technique.
func (ds *Dataset) replacement(id string) (*Technique, string) {
	ix := ds.index()
	t := ix.techByID[id]
	if t == nil || !t.Revoked {
		return nil, ""
	}
	chain := []string{id}
	for len(chain) <= 16 {
		if t.RevokedBy == "" {
			if len(chain) == 1 {
				return nil, "the data names no replacement"
			}
			return nil, fmt.Sprintf("its replacement %s is revoked too, with no replacement of its own", t.ID)
		}
		next := ix.techBySTIX[t.RevokedBy]
		switch {
		case next == nil: // import keeps no relationship to an object it lacks
			return nil, fmt.Sprintf("its replacement %s is not in the data", t.RevokedBy)
		case !next.Revoked:
			return next, ""
		case slices.Contains(chain, next.ID):
			return nil, fmt.Sprintf("its replacements revoke one another in a loop (%s → %s)", strings.Join(chain, " → "), next.ID)
		}
		chain, t = append(chain, next.ID), next
	}
	return nil, fmt.Sprintf("its chain of replacements runs past %d revoked techniques", len(chain))
}

// AllTechniques returns every technique including revoked and deprecated ones,
// sorted by ID.
func (ds *Dataset) AllTechniques() []*Technique { return ds.objects.Techniques }

// Tactics returns the tactics in matrix order.
func (ds *Dataset) Tactics() []Tactic { return ds.objects.Tactics }

// Mitigations returns the active mitigations sorted by ID.
func (ds *Dataset) Mitigations() []*Mitigation {
	var out []*Mitigation
	for _, m := range ds.objects.Mitigations {
		if !m.Revoked && !m.Deprecated {
			out = append(out, m)
		}
	}
	return out
}

// Relationships returns the kept relationships.
func (ds *Dataset) Relationships() []Relationship { return ds.objects.Relationships }

// Tactic returns the tactic with the ATT&CK ID (TA0005) or shortname, or nil.
func (ds *Dataset) Tactic(idOrShortName string) *Tactic {
	for i := range ds.objects.Tactics {
		t := &ds.objects.Tactics[i]
		if t.ID == idOrShortName || t.ShortName == idOrShortName {
			return t
		}
	}
	return nil
}

// Mitigation returns the active mitigation with the ATT&CK ID id, or nil.
func (ds *Dataset) Mitigation(id string) *Mitigation {
	m := ds.index().mitByID[id]
	if m == nil || m.Revoked || m.Deprecated {
		return nil
	}
	return m
}
