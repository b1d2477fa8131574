package attack

import "github.com/ttcproject/ttc/internal/catalog"

// IDFor returns the ATT&CK ID that stands for catalog technique t in ATT&CK
// version (any form with the same major, "19" or "19.1"): the ID of an alias
// the catalog records for that major if there is one, else catalog.AttackID of
// the technique's own ID. It returns "" for AWS-defined techniques (AT####).
// An empty version means the catalog's own ID.
func IDFor(t *catalog.Technique, version string) string {
	if a := aliasFor(t, version); a != "" {
		return a
	}
	return catalog.AttackID(t.ID)
}

// aliasFor returns the ATT&CK ID of t's alias for the major of version, if
// that differs from the catalog's own ATT&CK ID.
func aliasFor(t *catalog.Technique, version string) string {
	if t.Attack == nil || version == "" {
		return ""
	}
	own := catalog.AttackID(t.ID)
	for _, a := range t.Attack.Aliases {
		if Major(a.Version) != Major(version) {
			continue
		}
		if id := catalog.AttackID(a.ID); id != "" && id != own {
			return id
		}
	}
	return ""
}
