package stix_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/attack/stix"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
)

// fixture is a small fixed catalog: ATT&CK-native technique and sub-technique,
// AWS-specific sub-techniques whose parent the catalog lacks, and an
// AWS-defined technique with a sub-technique.
func fixture() stix.Input {
	tactics := []catalog.Tactic{
		{ID: "TA0040", ShortName: "impact", Name: "Impact", Order: 3, Description: "Breaking things."},
		{ID: "TA0001", ShortName: "initial-access", Name: "Initial Access", Order: 1, Description: "Getting in."},
		{ID: "TA0003", ShortName: "persistence", Name: "Persistence", Order: 2, Description: "Staying in."},
	}
	techs := []*catalog.Technique{
		{ID: "T1486.A001", Name: "Data Encrypted for Impact: S3 SSE-C Encryption", Parent: "T1486",
			AWSSpecific: true, Tactics: []string{"TA0040"}, Summary: "Re-encrypt objects with a key only the actor holds.",
			Description:       "Objects are copied onto themselves with SSE-C.",
			Detection:         catalog.Detection{Guidance: "Watch CopyObject with SSE-C headers."},
			Mitigations:       []catalog.MitigationRef{{ID: "block-sse-c-uploads", Effect: "SSE-C writes are refused."}},
			AttackMitigations: []string{"M1053", "M1018"},
			References:        []catalog.Reference{{Title: "SSE-C", URL: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html"}},
			FirstSeen:         "2025-06-01", Updated: "2026-01-15"},
		{ID: "T1485", Name: "Data Destruction", Tactics: []string{"TA0040"}, Description: "Deleting data.",
			FirstSeen: "2025-06-01", Updated: "2025-06-01"},
		{ID: "T1485.001", Name: "Data Destruction: Lifecycle-Triggered Deletion", Parent: "T1485",
			Tactics: []string{"impact"}, Description: "Short expiry rules.",
			Mitigations: []catalog.MitigationRef{{ID: "s3-versioning", Effect: "Versions survive."}},
			FirstSeen:   "2025-06-01", Updated: "2025-09-30"},
		{ID: "T1078.004", Name: "Valid Accounts: Cloud Accounts", Parent: "T1078",
			Tactics: []string{"TA0001", "TA0003"}, Description: "Stolen keys.", FirstSeen: "2025-06-01", Updated: "2025-06-01"},
		{ID: "AT1667", Name: "Leave the Organization", AWSSpecific: true, Tactics: []string{"TA0003"},
			Description: "AWS-defined.", FirstSeen: "2025-06-01", Updated: "2025-06-01"},
		{ID: "AT1667.001", Name: "Leave the Organization: LeaveOrganization call", Parent: "AT1667", AWSSpecific: true,
			Tactics: []string{"TA0003"}, Description: "AWS-defined sub.", FirstSeen: "2025-06-01", Updated: "2025-06-01"},
	}
	mits := []*catalog.Mitigation{
		{ID: "s3-versioning", Name: "Keep S3 versions", Summary: "Turn on versioning."},
		{ID: "block-sse-c-uploads", Name: "Refuse SSE-C writes", Summary: "Deny SSE-C.", Description: "Use an SCP."},
	}
	return stix.Input{Techniques: techs, Tactics: tactics, Mitigations: mits,
		AttackMitigations: map[string]string{"M1053": "Data Backup", "M1999": "Not referenced"}}
}

func export(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := stix.Export(&buf, fixture(), stix.ExportOptions{Version: "0.1"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExportCreatedStable checks that a later update to one technique
// leaves every object's created time as it was: STIX keeps created fixed
// across an object's versions, and never versions a marking-definition.
func TestExportCreatedStable(t *testing.T) {
	created := func(in stix.Input) map[string]string {
		var buf bytes.Buffer
		if err := stix.Export(&buf, in, stix.ExportOptions{Version: "0.1"}); err != nil {
			t.Fatal(err)
		}
		var b struct{ Objects []stix.Object }
		if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, o := range b.Objects {
			out[o.ID] = o.Created
		}
		return out
	}
	before := created(fixture())
	later := fixture()
	later.Techniques[1].Updated = "2027-03-01"
	after := created(later)
	for id, c := range before {
		if after[id] != c {
			t.Errorf("%s: created %s, then %s after a technique's update", id, c, after[id])
		}
	}
}

func TestExportGolden(t *testing.T) {
	got := export(t)
	golden.Check(t, "export.golden.json", got)
	if again := export(t); !bytes.Equal(got, again) {
		t.Error("two exports of the same input differ")
	}
}

// TestExportConventions checks the ATT&CK conventions on the raw JSON.
func TestExportConventions(t *testing.T) {
	var b struct {
		SpecVersion *string          `json:"spec_version"`
		Objects     []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(export(t), &b); err != nil {
		t.Fatal(err)
	}
	if b.SpecVersion != nil {
		t.Error("a STIX 2.1 bundle has no spec_version")
	}
	if b.Objects[0]["type"] != "x-mitre-collection" {
		t.Errorf("first object is %v", b.Objects[0]["type"])
	}
	ids := map[string]bool{}
	for _, o := range b.Objects {
		ids[o["id"].(string)] = true
	}
	contents := b.Objects[0]["x_mitre_contents"].([]any)
	if len(contents) != len(b.Objects)-1 {
		t.Errorf("collection lists %d objects, bundle has %d others", len(contents), len(b.Objects)-1)
	}
	for _, o := range b.Objects {
		if o["spec_version"] != "2.1" {
			t.Errorf("%v: spec_version %v", o["id"], o["spec_version"])
		}
		for _, k := range []string{"created_by_ref", "source_ref", "target_ref"} {
			if r, ok := o[k].(string); ok && !ids[r] {
				t.Errorf("%v: %s %s does not resolve", o["id"], k, r)
			}
		}
		if o["type"] != "attack-pattern" {
			continue
		}
		// An ATT&CK-native ID leads with ATT&CK's reference, as ATT&CK's
		// own objects do; every ID has a ttc reference.
		refs := o["external_references"].([]any)
		first := refs[0].(map[string]any)
		id := first["external_id"].(string)
		native := !strings.HasPrefix(id, "AT") && !strings.Contains(id, ".A")
		want := []string{"ttc"}
		if native {
			want = []string{"mitre-attack", "ttc"}
		}
		var got []string
		for _, r := range refs[:min(len(refs), len(want))] {
			got = append(got, r.(map[string]any)["source_name"].(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: references lead with %v, want %v", id, got, want)
		}
		phase := o["kill_chain_phases"].([]any)[0].(map[string]any)
		if phase["kill_chain_name"] != "mitre-attack" || o["x_mitre_platforms"].([]any)[0] != "IaaS" ||
			o["x_mitre_domains"].([]any)[0] != "enterprise-attack" || o["x_mitre_is_subtechnique"] == nil {
			t.Errorf("%s: conventions broken: %v", id, o)
		}
	}
}

// TestExportRoundTrip reads the export back with the ATT&CK importer.
func TestExportRoundTrip(t *testing.T) {
	ds, err := attack.Import(bytes.NewReader(export(t)), attack.ImportOptions{IDSource: stix.SourceTTC})
	if err != nil {
		t.Fatal(err)
	}
	if ds.STIXVersion != "2.1" {
		t.Errorf("STIX version %q", ds.STIXVersion)
	}
	var order []string
	for _, tac := range ds.Tactics() {
		order = append(order, tac.ID+"/"+tac.ShortName)
	}
	if want := []string{"TA0001/initial-access", "TA0003/persistence", "TA0040/impact"}; !slices.Equal(order, want) {
		t.Errorf("tactics %v, want %v", order, want)
	}

	parents := map[string]string{"T1486.A001": "T1486", "T1485.001": "T1485", "T1078.004": "T1078",
		"AT1667.001": "AT1667", "T1486": "", "T1485": "", "T1078": "", "AT1667": ""}
	for id, parent := range parents {
		got := ds.Technique(id)
		if got == nil {
			t.Errorf("%s missing after round trip", id)
			continue
		}
		if got.Parent != parent || got.IsSubtechnique != (parent != "") {
			t.Errorf("%s: parent %q sub %v, want %q", id, got.Parent, got.IsSubtechnique, parent)
		}
	}
	if n := len(ds.Techniques()); n != len(parents) {
		t.Errorf("%d techniques, want %d", n, len(parents))
	}
	in := ds.Technique("T1486.A001")
	if in.Name != "S3 SSE-C Encryption" || !slices.Equal(in.Tactics, []string{"impact"}) ||
		!slices.Equal(in.Mitigations, []string{"M1053", "block-sse-c-uploads"}) {
		t.Errorf("T1486.A001 = %+v", in)
	}
	if p := ds.Technique("T1078"); !slices.Equal(p.Tactics, []string{"initial-access", "persistence"}) {
		t.Errorf("placeholder parent T1078 tactics %v", p.Tactics)
	}
	for _, id := range []string{"s3-versioning", "block-sse-c-uploads", "M1053"} {
		if ds.Mitigation(id) == nil {
			t.Errorf("mitigation %s missing", id)
		}
	}
	if ds.Mitigation("M1999") != nil || ds.Mitigation("M1018") != nil {
		t.Error("unreferenced or unnamed ATT&CK mitigations exported")
	}
}

func TestExportErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(in *stix.Input)
		want   string
	}{
		{"unknown tactic", func(in *stix.Input) { in.Techniques[0].Tactics = []string{"TA0112"} }, "tactic TA0112"},
		{"unknown mitigation", func(in *stix.Input) { in.Mitigations = in.Mitigations[:1] }, "mitigation block-sse-c-uploads"},
		{"malformed ID", func(in *stix.Input) { in.Techniques[1].ID = "X1" }, "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := fixture()
			tc.change(&in)
			_, err := stix.BuildBundle(in, stix.ExportOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
