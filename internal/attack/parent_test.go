package attack

import (
	"errors"
	"strings"
	"testing"
)

func TestParent(t *testing.T) {
	ds := importShared(t, "enterprise-attack-cloud-stix21.json")
	cases := []struct {
		catalogID, wantID, wantName, replacedBy string
		revoked                                 bool
	}{
		{"T1486.A001", "T1486", "Data Encrypted for Impact", "", false},
		{"T1485.001", "T1485.001", "Lifecycle-Triggered Deletion", "", false},
		{"T1538", "T1538", "Cloud Service Dashboard", "", false},
		{"T1522", "T1522", "Cloud Instance Metadata API", "T1552.005", true},
	}
	for _, tc := range cases {
		t.Run(tc.catalogID, func(t *testing.T) {
			p, err := ds.Parent(tc.catalogID)
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != tc.wantID || p.Name != tc.wantName || p.Revoked != tc.revoked || p.ReplacedBy != tc.replacedBy {
				t.Errorf("Parent(%s) = %+v", tc.catalogID, p)
			}
			if p.CatalogID != tc.catalogID || p.AttackVersion != "18.1" || p.Description == "" ||
				!strings.HasPrefix(p.URL, "https://attack.mitre.org/techniques/") {
				t.Errorf("Parent(%s) fields: %+v", tc.catalogID, p)
			}
			if !strings.Contains(p.Attribution, "© The MITRE Corporation") ||
				!strings.Contains(p.Attribution, "v18.1") || !strings.Contains(p.Attribution, "registered trademark") {
				t.Errorf("attribution %q", p.Attribution)
			}
		})
	}
	for _, id := range []string{"AT1667.001", "T1484.002", "bogus"} {
		if _, err := ds.Parent(id); !errors.Is(err, ErrNoAttackID) {
			t.Errorf("Parent(%s) error = %v, want ErrNoAttackID", id, err)
		}
	}
}
