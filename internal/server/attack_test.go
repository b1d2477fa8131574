package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestAttackParent shows imported ATT&CK data on technique pages and in the
// API, escaped like every other text.
func TestAttackParent(t *testing.T) {
	c := fixture(t)
	names := func(ids []string) map[string]string {
		m := map[string]string{}
		for _, id := range ids {
			m[id] = map[string]string{"M1053": "Data Backup", "M1018": "User <b>Account</b> Management"}[id]
		}
		return m
	}
	s, err := New(Config{Catalog: c, Log: discard(), AttackMitigationNames: names, AttackParent: func(id string) *catalog.AttackData {
		if catalog.AttackID(id) != "T1485" {
			return nil
		}
		return &catalog.AttackData{ID: "T1485", Name: "Data Destruction", AttackVersion: "18.1",
			Description: "Adversaries may destroy data <script>alert(1)</script>.\x1b]0;owned\x07 \u202eslow",
			URL:         "https://attack.mitre.org/techniques/T1485",
			Attribution: "Technique data from MITRE ATT&CK v18.1."}
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, s.Handler(), http.MethodGet, "/techniques/T1485.A001", nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "T1485 Data Destruction in ATT&amp;CK v18.1") ||
		!strings.Contains(body, "Technique data from MITRE ATT&amp;CK v18.1.") {
		t.Fatalf("page lacks ATT&CK's entry (status %d)", rec.Code)
	}
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("ATT&CK text rendered as markup")
	}
	// Imported text is escaped as the command line shows it: an import
	// from anywhere but MITRE may carry controls and bidi overrides.
	if strings.ContainsAny(body, "\x1b\x07\u202e") || !strings.Contains(body, `\x1b]0;owned\x07 \u202eslow`) {
		t.Error("ATT&CK text carries control or invisible characters raw")
	}
	rec = do(t, s.Handler(), http.MethodGet, "/api/v1/techniques/T1485.A001", nil)
	if !strings.Contains(rec.Body.String(), `"attack_data"`) {
		t.Error("API lacks attack_data")
	}
	// ATT&CK's mitigations are named as the data names them, escaped.
	rec = do(t, s.Handler(), http.MethodGet, "/techniques/T1485.A001", nil)
	if body := rec.Body.String(); !strings.Contains(body, ">M1053 Data Backup</a>") || !strings.Contains(body, ">M1018 User &lt;b&gt;Account&lt;/b&gt; Management</a>") {
		t.Errorf("page does not name ATT&CK's mitigations (status %d)", rec.Code)
	}
	rec = do(t, s.Handler(), http.MethodGet, "/techniques/T1078.A001", nil)
	if strings.Contains(rec.Body.String(), "in ATT&amp;CK v18.1</h3>") {
		t.Error("ATT&CK section shown for a technique without data")
	}
}
