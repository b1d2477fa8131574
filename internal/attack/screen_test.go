package attack

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/attack/stix"
)

// TestImportScreensObjects checks what an import leaves out of a bundle,
// and says so: the older version of an object given twice, the older of
// two techniques claiming one ATT&CK ID, objects that are not STIX, and
// objects of an unknown spec_version; and that ttc's own export is not
// taken for ATT&CK data.
func TestImportScreensObjects(t *testing.T) {
	ref := func(id string) []stix.ExternalReference {
		return []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: id}}
	}
	base := miniDomain() // T1530 as attack-pattern--a
	newer := base[2]
	newer.Name, newer.Modified = "Data from Cloud Storage (newer)", "2026-01-01T00:00:00.000Z"
	base[2].Modified = "2025-01-01T00:00:00.000Z"
	rival := stix.Object{Type: "attack-pattern", ID: "attack-pattern--b", Name: "Another T1530",
		Modified: "2024-01-01T00:00:00.000Z", ExternalReferences: ref("T1530")}
	objs := append(base, collection("18.1"), newer, rival,
		stix.Object{Type: "attack-pattern", Name: "No id", ExternalReferences: ref("T1537")},
		stix.Object{Type: "attack-patern", ID: "attack-patern--c", Name: "Misspelt type", ExternalReferences: ref("T1538")},
		stix.Object{Type: "attack-pattern", ID: "attack-pattern--d", SpecVersion: "9.9", Name: "Future", ExternalReferences: ref("T1539")})
	var logs bytes.Buffer
	ds, err := Import(strings.NewReader(bundleOf(t, objs...)), ImportOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ds.objects.Techniques); n != 1 {
		t.Errorf("%d techniques imported, want 1", n)
	}
	if tech := ds.Technique("T1530"); tech == nil || tech.Name != newer.Name {
		t.Errorf("T1530 is %+v, want the version modified last", tech)
	}
	for _, want := range []string{"older versions of an object", "two objects claim one ATT&CK ID", "not STIX objects",
		"a spec_version other than 2.0 and 2.1"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no warning says %q:\n%s", want, logs.String())
		}
	}
	// ttc's own export is refused as ATT&CK data.
	own := append(miniDomain(), collection("1.0"), stix.Object{Type: "identity", ID: stix.NewID("identity", "ttc"), Name: "ttc"})
	if _, err := Import(strings.NewReader(bundleOf(t, own...)), ImportOptions{}); err == nil || !strings.Contains(err.Error(), "ttc's own STIX export") {
		t.Errorf("import of ttc's export: %v, want it refused", err)
	}
}

// TestImportCopiesByTime checks that of two copies of an object the later
// modified time wins as a time, not as text, that a time that does not
// parse loses and is warned about, and that copies of one time with
// different content are named as a conflict.
func TestImportCopiesByTime(t *testing.T) {
	cases := []struct {
		name          string
		first, second string // modified times of the two copies
		want          string // the name of the copy kept
		warn          string
	}{
		{"fraction is later", "2026-01-01T00:00:00.500Z", "2026-01-01T00:00:00Z", "first", "older versions"},
		{"later second copy", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "second", "older versions"},
		{"garbage loses", "zzzz", "2026-01-01T00:00:00Z", "second", "not an RFC 3339 time"},
		{"future is warned about", "2999-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "first", "in the future"},
		{"same time, other content", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "first", "same modified time but different content"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := miniDomain() // T1530 as attack-pattern--a
			a, b := base[2], base[2]
			a.Name, a.Modified = "first", tc.first
			b.Name, b.Modified = "second", tc.second
			objs := append(base[:2:2], collection("18.1"), a, b)
			var logs bytes.Buffer
			ds, err := Import(strings.NewReader(bundleOf(t, objs...)), ImportOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			if tech := ds.Technique("T1530"); tech == nil || tech.Name != tc.want {
				t.Errorf("T1530 is %+v, want the copy named %q", tech, tc.want)
			}
			if !strings.Contains(logs.String(), tc.warn) {
				t.Errorf("no warning says %q:\n%s", tc.warn, logs.String())
			}
		})
	}
}

func TestBadStamps(t *testing.T) {
	for _, tc := range []struct {
		created, modified string
		want              string // in the reason; "" for none
	}{
		{"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", ""},
		{"", "", ""},
		{"2026-01-01T00:00:00Z", "", ""},
		{"2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z", "before created"},
		{"2026-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "modified \"2999-01-01T00:00:00Z\" in the future"},
		{"2999-01-01T00:00:00Z", "", "created \"2999-01-01T00:00:00Z\" in the future"},
		{"01/02/2026", "", "created \"01/02/2026\""},
	} {
		got := badStamps(&stix.Object{Created: tc.created, Modified: tc.modified})
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("badStamps(created %q, modified %q) = %q, want %q", tc.created, tc.modified, got, tc.want)
		}
	}
}

func TestNewer(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"2026-01-01T00:00:00.500Z", "2026-01-01T00:00:00Z", true},
		{"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.500Z", false},
		{"2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00Z", false}, // the same instant
		{"2026-01-01T00:00:00Z", "yesterday", true},
		{"yesterday", "2026-01-01T00:00:00Z", false},
		{"b", "a", true},
	} {
		if got := newer(tc.a, tc.b); got != tc.want {
			t.Errorf("newer(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestDanglingRelationshipsWarned checks that a relationship the Dataset
// would keep, but whose end the data does not hold, is left out with a
// warning rather than without a word.
func TestDanglingRelationshipsWarned(t *testing.T) {
	objs := append(miniDomain(), collection("18.1"),
		stix.Object{Type: "relationship", ID: "relationship--1", RelationshipType: "mitigates",
			SourceRef: "course-of-action--gone", TargetRef: "attack-pattern--a"})
	var logs bytes.Buffer
	if _, err := Import(strings.NewReader(bundleOf(t, objs...)), ImportOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "relationships whose source or target the data does not hold") ||
		!strings.Contains(logs.String(), "course-of-action--gone") {
		t.Errorf("no warning names the dangling relationship:\n%s", logs.String())
	}
}
