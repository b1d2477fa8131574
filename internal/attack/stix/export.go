package stix

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
)

// SourceTTC is the source_name of the external reference that carries a
// catalog ID in ttc's export; it is always the object's first reference.
const SourceTTC = "ttc"

// Input is the catalog content to export.
type Input struct {
	Techniques  []*catalog.Technique
	Tactics     []catalog.Tactic
	Mitigations []*catalog.Mitigation
	// AttackMitigations names the ATT&CK mitigations techniques list in
	// attack_mitigations (M1018 → "User Account Management"), usually taken
	// from an imported ATT&CK version. IDs without a name here are left out,
	// because a course-of-action needs a name and ttc ships no ATT&CK text.
	AttackMitigations map[string]string
}

// ExportOptions describes the collection the export forms.
type ExportOptions struct {
	// Name and Description of the x-mitre-collection; defaults name ttc's catalog.
	Name        string
	Description string
	// Version is the collection's x_mitre_version (the catalog release); default "1.0".
	Version string
	// Modified stamps the collection, identity and marking; zero means the
	// newest technique "updated" date, so equal input gives equal output.
	Modified time.Time
}

// Defaults for ExportOptions and the fixed texts of the export.
const (
	DefaultName        = "ttc AWS threat technique catalog"
	DefaultDescription = "Techniques that act on AWS accounts, as seen in CloudTrail, with detections and mitigations."
	// attackSpecVersion is the ATT&CK data model version the export follows.
	attackSpecVersion = "3.3.0"
	// Statement is the marking-definition text of the export.
	Statement = "Catalog content by the ttc project. ATT&CK IDs, names and tactics © The MITRE Corporation; " +
		"ATT&CK® is a registered trademark of The MITRE Corporation."
	platformIaaS = "IaaS"
	stixTime     = "2006-01-02T15:04:05.000Z"
)

// Export writes in as one STIX 2.1 bundle.
func Export(w io.Writer, in Input, opts ExportOptions) error {
	b, err := BuildBundle(in, opts)
	if err != nil {
		return err
	}
	return b.Encode(w)
}

// BuildBundle builds the STIX 2.1 bundle for in: the x-mitre-collection first,
// then identity, marking, matrix, tactics, attack-patterns, courses of action
// and relationships, each group sorted, with ids derived from catalog IDs.
func BuildBundle(in Input, opts ExportOptions) (*Bundle, error) {
	e := newExporter(in, opts)
	if err := e.addTactics(); err != nil {
		return nil, err
	}
	if err := e.addTechniques(); err != nil {
		return nil, err
	}
	e.addMitigations()
	if err := e.addRelationships(); err != nil {
		return nil, err
	}
	objs := e.assemble()
	if err := checkRefs(objs); err != nil {
		return nil, err
	}
	return &Bundle{Type: "bundle", ID: NewID("bundle", e.opts.Name+"@"+e.opts.Version), Objects: objs}, nil
}

// stamp formats a catalog date (2025-06-01) as a STIX timestamp; "" if the
// date does not parse.
func stamp(date string) string {
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, date); err == nil {
			return t.UTC().Format(stixTime)
		}
	}
	return ""
}

// newestUpdate returns the latest technique "updated" date, or the Unix epoch.
func newestUpdate(techs []*catalog.Technique) time.Time {
	var newest time.Time
	for _, t := range techs {
		for _, d := range []string{t.Updated, t.FirstSeen} {
			if ts, err := time.Parse(time.DateOnly, d); err == nil && ts.After(newest) {
				newest = ts
			}
		}
	}
	if newest.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return newest
}

// attackURL returns ATT&CK's page for a technique, tactic or mitigation ID.
func attackURL(id string) string {
	switch {
	case strings.HasPrefix(id, "TA"):
		return "https://attack.mitre.org/tactics/" + id
	case strings.HasPrefix(id, "M"):
		return "https://attack.mitre.org/mitigations/" + id
	}
	return "https://attack.mitre.org/techniques/" + strings.Replace(id, ".", "/", 1)
}

// checkRefs verifies that every reference in objs names an object in objs.
func checkRefs(objs []Object) error {
	ids := make(map[string]bool, len(objs))
	for i := range objs {
		ids[objs[i].ID] = true
	}
	for i := range objs {
		o := &objs[i]
		refs := slices.Concat([]string{o.CreatedByRef, o.SourceRef, o.TargetRef}, o.ObjectMarkingRefs, o.TacticRefs)
		for _, c := range o.Contents {
			refs = append(refs, c.ObjectRef)
		}
		for _, r := range refs {
			if r != "" && !ids[r] {
				return fmt.Errorf("export stix: %s refers to %s, which is not in the bundle", o.ID, r)
			}
		}
	}
	return nil
}

func boolp(b bool) *bool { return &b }

func byCatalogID(a, b *catalog.Technique) int { return cmp.Compare(a.ID, b.ID) }
