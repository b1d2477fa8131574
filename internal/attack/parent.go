package attack

import (
	"fmt"
	"regexp"

	"github.com/ttcproject/ttc/internal/catalog"
)

// ParentInfo is ATT&CK's own data for the technique a catalog entry stands for
// or hangs under, ready for display beside the catalog's text.
type ParentInfo struct {
	CatalogID   string   `json:"catalog_id"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	URL         string   `json:"url"`
	Tactics     []string `json:"tactics"`
	Platforms   []string `json:"platforms"`
	// Version is the technique object's own revision (x_mitre_version).
	Version  string `json:"version"`
	Modified string `json:"modified"`
	// AttackVersion is the ATT&CK release the data comes from.
	AttackVersion string `json:"attack_version"`
	Revoked       bool   `json:"revoked,omitempty"`
	ReplacedBy    string `json:"replaced_by,omitempty"`
	Deprecated    bool   `json:"deprecated,omitempty"`
	Attribution   string `json:"attribution"`
}

// Parent returns ATT&CK's data for catalogID: the technique itself for
// T####/T####.###, its parent for T####.A###. A revoked or deprecated
// technique is returned flagged. AT#### IDs and IDs the data lacks give an
// error wrapping ErrNoAttackID.
func (ds *Dataset) Parent(catalogID string) (*ParentInfo, error) {
	id := catalog.AttackID(catalogID)
	if id == "" {
		return nil, fmt.Errorf("look up %s in ATT&CK: %w", catalogID, ErrNoAttackID)
	}
	t := ds.AnyTechnique(id)
	if t == nil {
		return nil, fmt.Errorf("look up %s in ATT&CK v%s: %w", id, ds.Version, ErrNoAttackID)
	}
	p := &ParentInfo{
		CatalogID: catalogID, ID: t.ID, Name: t.Name, Description: t.Description, URL: t.URL,
		Tactics: t.Tactics, Platforms: t.Platforms, Version: t.Version, Modified: t.Modified,
		AttackVersion: ds.Version, Revoked: t.Revoked, Deprecated: t.Deprecated,
		Attribution: Attribution(ds.Version),
	}
	if r := ds.Replacement(id); r != nil {
		p.ReplacedBy = r.ID
	}
	return p, nil
}

// Attribution returns the line to show wherever ATT&CK text is displayed.
func Attribution(version string) string {
	v := ""
	if version != "" {
		v = " v" + version
	}
	return "Technique data from MITRE ATT&CK®" + v + ", © The MITRE Corporation, " +
		"used under the ATT&CK Terms of Use. ATT&CK® is a registered trademark of The MITRE Corporation."
}

var (
	citationRE = regexp.MustCompile(`\s*\(Citation: [^)]*\)`)
	codeTagRE  = regexp.MustCompile(`<code>([^<]*)</code>`)
)

// Readable turns ATT&CK's description text into plain Markdown for display:
// the (Citation: …) markers, which point at references ttc does not show,
// are dropped, and <code> tags become Markdown code spans.
func Readable(desc string) string {
	s := citationRE.ReplaceAllString(desc, "")
	return codeTagRE.ReplaceAllString(s, "`$1`")
}
