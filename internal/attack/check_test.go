package attack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/attack/stix"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
)

func tech(id, name string, tactics ...string) *catalog.Technique {
	return &catalog.Technique{ID: id, Name: name, Parent: catalog.ParentID(id), Tactics: tactics}
}

func TestCheck(t *testing.T) {
	ds := importShared(t, "enterprise-attack-cloud-stix21.json")
	v19 := tech("T1685.002", "Impair Defenses: Disable or Modify Cloud Logs", "TA0112")
	v19.Attack = &catalog.AttackInfo{Version: "19.1", Aliases: []catalog.Alias{{ID: "T1562.008", Version: "18.1"}}}

	cases := []struct {
		tech  *catalog.Technique
		kinds []Kind
		repl  string
	}{
		{tech("T1562.007", "Impair Defenses: Disable or Modify Cloud Firewall", "TA0005"), nil, ""},
		{tech("T1562.008", "Impair Defenses: Disable Cloud Logs", "TA0005"), []Kind{KindRenamed}, ""},
		{tech("T1087.004", "Cloud Account Discovery", "TA0007"), []Kind{KindRenamed}, ""},
		{tech("T1078.004", "Valid Accounts: Cloud Accounts", "TA0001"), []Kind{KindMoved}, ""},
		{tech("T1578.001", "Modify Cloud Compute Infrastructure: Create Snapshot", "TA0040"), []Kind{KindMoved}, ""},
		{tech("T1522", "Cloud Instance Metadata API", "TA0006"), []Kind{KindRevoked}, "T1552.005"},
		{tech("T1536", "Revert Cloud Instance", "TA0005"), []Kind{KindRevoked}, "T1578.004"},
		{tech("T1108", "Redundant Access", "TA0003"), []Kind{KindDeprecated}, ""},
		{tech("T1484.002", "Trust Modification", "TA0003"), []Kind{KindUnknown}, ""},
		{tech("T1486.A001", "Data Encrypted for Impact: S3 SSE-C Encryption", "TA0040"), nil, ""},
		{tech("T1486.A002", "Data Encrypted for Impact: KMS key", "TA0040", "TA0005"), []Kind{KindMoved}, ""},
		{tech("T1486.A003", "Data Encryption: KMS imported key material", "impact"), []Kind{KindRenamed}, ""},
		{tech("AT1667.001", "Anything at all", "TA0040"), nil, ""},
		{v19, []Kind{KindRenumbered, KindMoved}, "T1562.008"},
	}
	for _, tc := range cases {
		t.Run(tc.tech.ID, func(t *testing.T) {
			got := Check(ds, []*catalog.Technique{tc.tech})
			var kinds []Kind
			repl := ""
			for _, f := range got {
				kinds = append(kinds, f.Kind)
				repl += f.Replacement
				if f.CatalogID != tc.tech.ID || f.Detail == "" {
					t.Errorf("finding %+v", f)
				}
			}
			if !slices.Equal(kinds, tc.kinds) || repl != tc.repl {
				t.Errorf("kinds %v replacement %q, want %v %q; findings %+v", kinds, repl, tc.kinds, tc.repl, got)
			}
		})
	}
}

// TestCheckAWSCatalogIndex runs the check over the entries of the public AWS
// catalog index, under the names and tactics that index gives them.
func TestCheckAWSCatalogIndex(t *testing.T) {
	ds := importShared(t, "enterprise-attack-cloud-stix21.json")
	data, err := os.ReadFile(filepath.Join(sharedAttack(t), "..", "..", "reference", "aws-catalog-index.json"))
	if err != nil {
		t.Skipf("AWS catalog index not found: %v", err)
	}
	var index []struct {
		ID      string   `json:"id"`
		Name    string   `json:"name"`
		Tactics []string `json:"tactics"`
	}
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]*catalog.Technique)
	for _, e := range index {
		byID[e.ID] = tech(e.ID, e.Name, e.Tactics...)
	}
	// IDs the brief asks about that the index lacks, under ATT&CK's names.
	extra := []*catalog.Technique{
		tech("T1078.004", "Valid Accounts: Cloud Accounts", "TA0005", "TA0003", "TA0004", "TA0001"),
		tech("T1578.004", "Modify Cloud Compute Infrastructure: Revert Cloud Instance", "TA0005"),
		tech("T1666", "Modify Cloud Resource Hierarchy", "TA0005"),
		tech("T1530", "Data from Cloud Storage", "TA0009"),
		tech("T1619", "Cloud Storage Object Discovery", "TA0007"),
		tech("T1213", "Data from Information Repositories", "TA0009"),
	}
	asked := []string{"T1562.007", "T1562.008", "T1098.001", "T1098.003", "T1484.002", "T1552.005",
		"T1578.001", "T1578.002", "T1578.003", "T1578.005", "T1496.001", "T1496.003", "T1496.004",
		"T1485.001", "T1538", "T1087.004", "T1059.009", "T1583.001"}
	techs := extra
	for _, id := range asked {
		if byID[id] == nil {
			t.Fatalf("%s missing from the index", id)
		}
		techs = append(techs, byID[id])
	}
	golden.Check(t, "check_aws_index.golden.json", mustJSON(t, Check(ds, techs)))
}

func TestReadable(t *testing.T) {
	in := "A test sentence.(Citation: Vendor 2024)(Citation: Other) It names <code>tool-a</code> and <code>tool-b</code> inline."
	want := "A test sentence. It names `tool-a` and `tool-b` inline."
	if got := Readable(in); got != want {
		t.Errorf("Readable:\n got %q\nwant %q", got, want)
	}
}

// TestNoReplacement checks what attack check says of a revoked technique
// whose revoked-by chain leads to no current technique.
func TestNoReplacement(t *testing.T) {
	ref := func(id string) []stix.ExternalReference {
		return []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: id}}
	}
	pattern := func(letter, id string, revoked bool) stix.Object {
		return stix.Object{Type: "attack-pattern", ID: "attack-pattern--" + letter, Name: id, Revoked: &revoked,
			ExternalReferences: ref(id), KillChainPhases: []stix.KillChainPhase{{KillChainName: "mitre-attack", PhaseName: "collection"}}}
	}
	revokedBy := func(n, from, to string) stix.Object {
		return stix.Object{Type: "relationship", ID: "relationship--" + n, RelationshipType: "revoked-by",
			SourceRef: "attack-pattern--" + from, TargetRef: "attack-pattern--" + to}
	}
	base := miniDomain()[:2] // the matrix and its tactic
	cases := []struct {
		name string
		objs []stix.Object
		want string
	}{
		{"none named", []stix.Object{pattern("a", "T1530", true)}, "the data names no replacement"},
		// A relationship to an object the data lacks is left out at import
		// (with a warning), so no replacement is named.
		{"missing", []stix.Object{pattern("a", "T1530", true), revokedBy("1", "a", "z")}, "the data names no replacement"},
		{"loop", []stix.Object{pattern("a", "T1530", true), pattern("b", "T1619", true), revokedBy("1", "a", "b"), revokedBy("2", "b", "a")},
			"loop (T1530 → T1619 → T1530)"},
		{"dead end", []stix.Object{pattern("a", "T1530", true), pattern("b", "T1619", true), revokedBy("1", "a", "b")},
			"its replacement T1619 is revoked too"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs := append(append(slices.Clone(base), collection("18.1")), tc.objs...)
			ds, err := Import(strings.NewReader(bundleOf(t, objs...)), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := ds.noReplacement("T1530"); !strings.Contains(got, tc.want) {
				t.Errorf("noReplacement = %q, want it to say %q", got, tc.want)
			}
		})
	}
}

// TestCheckNamelessData checks that data giving a technique no name or no
// tactic (import warns of it) reports no rename to "" and no move to
// nothing: the data says nothing of either.
func TestCheckNamelessData(t *testing.T) {
	ds := importShared(t, "enterprise-attack-cloud-stix21.json")
	at := ds.Technique("T1535")
	if at == nil {
		t.Fatal("T1535 not in the shared data")
	}
	at.Name, at.Tactics = "", nil
	if got := Check(ds, []*catalog.Technique{tech("T1535", "Unused/Unsupported Cloud Regions", "TA0005")}); len(got) != 0 {
		t.Errorf("findings %+v, want none", got)
	}
}
