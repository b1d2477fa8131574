package navigator

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
)

var tactics = []catalog.Tactic{
	{ID: "TA0001", ShortName: "initial-access", Name: "Initial Access", Order: 1},
	{ID: "TA0003", ShortName: "persistence", Name: "Persistence", Order: 2},
	{ID: "TA0005", ShortName: "defense-evasion", Name: "Defense Evasion", Order: 3},
	{ID: "TA0040", ShortName: "impact", Name: "Impact", Order: 4},
}

func techs() []*catalog.Technique {
	t := func(id, name string, tactics ...string) *catalog.Technique {
		return &catalog.Technique{ID: id, Name: name, Parent: catalog.ParentID(id), Tactics: tactics}
	}
	logs := t("T1562.008", "Impair Defenses: Disable or Modify Cloud Logs", "TA0005")
	logs.Attack = &catalog.AttackInfo{Version: "18.1",
		Aliases: []catalog.Alias{{ID: "T1685.002", Version: "19.1"}}}
	return []*catalog.Technique{
		t("T1486.A001", "Data Encrypted for Impact: S3 SSE-C Encryption", "TA0040"),
		t("T1486.A002", "Data Encrypted for Impact: KMS External Key Material", "TA0040"),
		t("T1485.001", "Data Destruction: Lifecycle-Triggered Deletion", "TA0040"),
		t("T1078.004", "Valid Accounts: Cloud Accounts", "TA0001", "TA0003"),
		t("AT1667.001", "Leave Organization: LeaveOrganization", "TA0005"),
		logs,
	}
}

func encode(t *testing.T, l *Layer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, l); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBuildLayers(t *testing.T) {
	opts := Options{Name: "ttc", Description: "Catalog coverage.", AttackVersion: "18.1", ShortNames: ShortNames(tactics),
		PlatformsOf: platformsOf(map[string][]string{
			"T1486": {"Windows", "IaaS", "Linux"}, "T1485.001": {"IaaS", "Windows"}, "T1078.004": {"IaaS", "Identity Provider", "SaaS"},
			"T1562.008": {"IaaS", "SaaS"}, "T1685.002": {"IaaS", "SaaS"}, "T1530": {"IaaS", "SaaS"},
		})}
	obs := map[string]Observation{
		"T1486.A001": {Count: 12, Evidence: "CopyObject with SSE-C by arn:aws:iam::111122223333:user/x"},
		"T1486.A002": {Count: 1, Evidence: "ImportKeyMaterial"},
		"T1078.004":  {Count: 3},
		"AT1667.001": {Count: 1, Evidence: "LeaveOrganization"},
		"T1530":      {Count: 2, Evidence: "not in techs"},
	}
	v19 := opts
	v19.AttackVersion = "19.1"
	cases := []struct {
		name  string
		layer *Layer
	}{
		{"catalog", CatalogLayer(techs(), opts)},
		{"scan", ScanLayer(techs(), obs, opts)},
		{"catalog_v19", CatalogLayer(techs(), v19)},
		{"no_attack_version", CatalogLayer(techs()[:1], Options{ShortNames: ShortNames(tactics)})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.layer
			if err := l.Validate(); err != nil {
				t.Fatalf("built layer is not valid 4.5: %v", err)
			}
			for _, e := range l.Techniques {
				if strings.Contains(e.TechniqueID, ".A") || strings.HasPrefix(e.TechniqueID, "AT") {
					t.Errorf("entry %s is not an ATT&CK ID", e.TechniqueID)
				}
			}
			golden.Check(t, "layer_"+tc.name+".golden.json", encode(t, l))
		})
	}

	scan := cases[1].layer
	var impact *Technique
	for i, e := range scan.Techniques {
		if e.TechniqueID == "T1486" && e.Tactic == "impact" {
			impact = &scan.Techniques[i]
		}
	}
	if impact == nil || *impact.Score != 13 || !strings.Contains(impact.Comment, "T1486.A001") ||
		!strings.Contains(impact.Comment, "T1486.A002") || len(impact.Metadata) != 2 {
		t.Errorf("rolled-up T1486 entry = %+v", impact)
	}
	if !strings.Contains(scan.Description, "AT1667.001") || scan.Metadata[len(scan.Metadata)-1].Name != "AT1667.001" {
		t.Errorf("AWS-defined technique missing from layer metadata/description: %q %+v", scan.Description, scan.Metadata)
	}
	if scan.Versions.Attack != "18" || scan.Gradient.MaxValue != 13 {
		t.Errorf("versions %+v gradient %+v", scan.Versions, scan.Gradient)
	}
	if v := cases[3].layer.Versions.Attack; v != "" {
		t.Errorf("attack version %q, want it omitted", v)
	}
	found := false
	for _, e := range cases[2].layer.Techniques {
		found = found || e.TechniqueID == "T1685.002"
	}
	if !found {
		t.Error("v19 layer does not use the catalog's v19 alias T1685.002")
	}
}

func platformsOf(m map[string][]string) func(string) []string {
	return func(id string) []string { return m[id] }
}

// TestLayerFilters checks that the platform filter shows every entry
// (Navigator hides one none of whose platforms it names) and adds to IaaS
// only what entries without it need.
func TestLayerFilters(t *testing.T) {
	tech := func(id string) *catalog.Technique {
		return &catalog.Technique{ID: id, Name: id, Parent: catalog.ParentID(id), Tactics: []string{"TA0040"}}
	}
	known := map[string][]string{
		"T1485":     {"Windows", "IaaS", "Linux"},
		"T1530":     {"IaaS", "SaaS", "Office Suite"},
		"T1583.001": {"PRE"},
		"T1098.005": {"Windows", "SaaS", "Identity Provider"},
		"T1496.003": {"SaaS"},
		"T1070":     {"Windows", "Linux", "macOS"},
	}
	cases := []struct {
		name string
		ids  []string
		of   func(string) []string
		want []string // nil: no filter
	}{
		{"IaaS alone", []string{"T1485", "T1485.A003", "T1530"}, platformsOf(known), []string{"IaaS"}},
		{"beyond IaaS", []string{"T1583.001", "T1485", "T1098.005", "T1496.003"}, platformsOf(known), []string{"IaaS", "SaaS", "PRE"}},
		{"one platform for all", []string{"T1583", "T1583.001", "T1584"}, platformsOf(map[string][]string{
			"T1583": {"SaaS", "PRE"}, "T1583.001": {"Containers", "PRE"}, "T1584": {"PRE"}}), []string{"PRE"}},
		{"SaaS covers both", []string{"T1496.003", "T1530"}, platformsOf(known), []string{"SaaS"}},
		{"no cloud platform", []string{"T1070"}, platformsOf(known), []string{"Linux"}},
		{"an entry the data lacks", []string{"T1485", "T1584.001"}, platformsOf(known), nil},
		{"no data", []string{"T1485"}, nil, nil},
		{"AWS-defined only", []string{"AT1667.001"}, platformsOf(known), nil},
		{"odd names left out", []string{"T1485", "T1583"}, platformsOf(map[string][]string{
			"T1485": {" IaaS ", "", "Windows"}, "T1583": {"PRE\u202e", "\x1b[31m"}}), nil},
		{"odd names beside good ones", []string{"T1485", "T1583"}, platformsOf(map[string][]string{
			"T1485": {" IaaS ", ""}, "T1583": {"PRE\u202e", "PRE"}}), []string{"IaaS", "PRE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ts []*catalog.Technique
			for _, id := range tc.ids {
				ts = append(ts, tech(id))
			}
			l := CatalogLayer(ts, Options{ShortNames: ShortNames(tactics), PlatformsOf: tc.of})
			var got []string
			if l.Filters != nil {
				got = l.Filters.Platforms
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("filter = %q, want %q", got, tc.want)
			}
			if l.Filters == nil {
				return
			}
			for _, e := range l.Techniques {
				ps := tc.of(e.TechniqueID)
				if !slices.ContainsFunc(ps, func(p string) bool { return slices.Contains(got, strings.TrimSpace(p)) }) {
					t.Errorf("entry %s (%q) is hidden by the filter %q", e.TechniqueID, ps, got)
				}
			}
		})
	}
}
