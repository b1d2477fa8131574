package attack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/attack/stix"
)

// splitBundle writes each object of the bundle file as its own single-object
// bundle in the mitre/cti layout (<type>/<id>.json) under a temp folder.
func splitBundle(t *testing.T, src string) string {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b struct {
		SpecVersion string            `json:"spec_version"`
		Objects     []json.RawMessage `json:"objects"`
	}
	if err := json.NewDecoder(f).Decode(&b); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, raw := range b.Objects {
		var head struct{ Type, ID string }
		if err := json.Unmarshal(raw, &head); err != nil {
			t.Fatal(err)
		}
		one, _ := json.Marshal(map[string]any{
			"type": "bundle", "id": "bundle--" + strings.SplitN(head.ID, "--", 2)[1],
			"spec_version": b.SpecVersion, "objects": []json.RawMessage{raw},
		})
		path := filepath.Join(dir, head.Type, head.ID+".json")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, one, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Files that are not STIX sit in real checkouts too (index.json, README).
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(`{"collections":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestImportSharedData(t *testing.T) {
	shared := sharedAttack(t)
	cases := []struct {
		name, stixVersion string
		load              func(t *testing.T) (*Dataset, error)
	}{
		{"stix21 bundle", "2.1", func(t *testing.T) (*Dataset, error) {
			return ImportFile(filepath.Join(shared, "enterprise-attack-cloud-stix21.json"), ImportOptions{Version: "18.1"})
		}},
		{"stix20 bundle", "2.0", func(t *testing.T) (*Dataset, error) {
			return ImportFile(filepath.Join(shared, "enterprise-attack-cloud-stix20.json"), ImportOptions{Version: "18.1"})
		}},
		{"stix20 per-object folder", "2.0", func(t *testing.T) (*Dataset, error) {
			dir := splitBundle(t, filepath.Join(shared, "enterprise-attack-cloud-stix20.json"))
			return ImportPath(dir, ImportOptions{Version: "18.1"})
		}},
		{"stix21 per-object folder", "2.1", func(t *testing.T) (*Dataset, error) {
			dir := splitBundle(t, filepath.Join(shared, "enterprise-attack-cloud-stix21.json"))
			return ImportDir(dir, ImportOptions{Version: "18.1"})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := tc.load(t)
			if err != nil {
				t.Fatal(err)
			}
			checkSharedDataset(t, ds, tc.stixVersion)
		})
	}
}

// checkSharedDataset asserts what the shared v18.1 cloud subset must yield.
func checkSharedDataset(t *testing.T, ds *Dataset, stixVersion string) {
	t.Helper()
	if ds.STIXVersion != stixVersion || ds.Version != "18.1" || ds.Domain != DomainEnterprise {
		t.Errorf("stix %q version %q domain %q", ds.STIXVersion, ds.Version, ds.Domain)
	}
	if got := []int{len(ds.Tactics()), len(ds.AllTechniques()), len(ds.Techniques()),
		len(ds.Mitigations()), len(ds.Relationships())}; !slices.Equal(got, []int{14, 110, 106, 36, 352}) {
		t.Errorf("tactics, all techniques, active, mitigations, relationships = %v", got)
	}
	var order []string
	for _, tac := range ds.Tactics() {
		order = append(order, tac.ShortName)
	}
	if order[0] != "reconnaissance" || order[6] != "defense-evasion" || order[13] != "impact" {
		t.Errorf("tactic order = %v", order)
	}
	if tac := ds.Tactic("TA0005"); tac == nil || tac.ShortName != "defense-evasion" {
		t.Errorf("Tactic(TA0005) = %+v", tac)
	}

	sub := ds.Technique("T1078.004")
	if sub == nil || sub.Name != "Cloud Accounts" || !sub.IsSubtechnique || sub.Parent != "T1078" ||
		!slices.Contains(sub.Tactics, "initial-access") || !slices.Contains(sub.Platforms, "IaaS") ||
		!slices.Contains(sub.Mitigations, "M1032") || sub.URL != "https://attack.mitre.org/techniques/T1078/004" {
		t.Errorf("T1078.004 = %+v", sub)
	}
	if p := ds.Technique("T1578"); p == nil || !slices.Contains(p.SubTechniques, "T1578.005") {
		t.Errorf("T1578 sub-techniques = %+v", p)
	}
	if m := ds.Mitigation("M1018"); m == nil || m.Name != "User Account Management" ||
		!slices.Contains(m.Techniques, "T1078.004") {
		t.Errorf("M1018 = %+v", m)
	}
	for old, repl := range map[string]string{"T1522": "T1552.005", "T1536": "T1578.004", "T1081": "T1552.001"} {
		if ds.Technique(old) != nil {
			t.Errorf("revoked %s in normal lookup", old)
		}
		if r := ds.Replacement(old); r == nil || r.ID != repl {
			t.Errorf("Replacement(%s) = %v, want %s", old, r, repl)
		}
	}
	if ds.Technique("T1108") != nil || ds.AnyTechnique("T1108") == nil || !ds.AnyTechnique("T1108").Deprecated {
		t.Error("deprecated T1108 not kept apart")
	}
	if !strings.Contains(ds.Copyright, "MITRE") || ds.SpecVersion != "3.3.0" {
		t.Errorf("copyright %q spec %q", ds.Copyright, ds.SpecVersion)
	}
}

func TestImportVersion(t *testing.T) {
	shared := sharedAttack(t)
	data, err := os.ReadFile(filepath.Join(shared, "enterprise-attack-cloud-stix21.json"))
	if err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(t.TempDir(), "enterprise-attack-17.1.json")
	if err := os.WriteFile(named, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, override, want string
	}{
		{"no collection, no override", filepath.Join(shared, "enterprise-attack-cloud-stix21.json"), "", ""},
		{"override wins", named, "18.1", "18.1"},
		{"release in file name", named, "", "17.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := ImportFile(tc.path, ImportOptions{Version: tc.override})
			if err != nil {
				t.Fatal(err)
			}
			if ds.Version != tc.want {
				t.Errorf("version = %q, want %q", ds.Version, tc.want)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	cases := []struct {
		name, input string
		want        error
	}{
		{"not json", "{", nil},
		{"no matrix", `{"type":"bundle","id":"bundle--1","objects":[]}`, ErrNoATTACK},
		{"neither bundle nor object", `{"collections":[]}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import(strings.NewReader(tc.input), ImportOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}

	two := bundleOf(t, collection("17.0"), collection("18.0"))
	if _, err := Import(strings.NewReader(two), ImportOptions{}); err == nil ||
		!strings.Contains(err.Error(), "several ATT&CK releases") {
		t.Errorf("two collections: %v", err)
	}
}

func collection(version string) stix.Object {
	return stix.Object{Type: "x-mitre-collection", ID: "x-mitre-collection--" + version, Version: version}
}

func bundleOf(t *testing.T, objs ...stix.Object) string {
	t.Helper()
	var sb strings.Builder
	if err := (&stix.Bundle{Type: "bundle", ID: "bundle--test", Objects: objs}).Encode(&sb); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// TestImportDirBrokenFile checks that a folder import fails on a file it
// cannot decode, naming it, rather than importing the rest without its
// objects; JSON that is not STIX is still passed over.
func TestImportDirBrokenFile(t *testing.T) {
	shared := sharedAttack(t)
	dir := splitBundle(t, filepath.Join(shared, "enterprise-attack-cloud-stix21.json"))
	files, err := filepath.Glob(filepath.Join(dir, "attack-pattern", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no attack-pattern files in %s (%v)", dir, err)
	}
	broken := files[len(files)/2]
	data, err := os.ReadFile(broken)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ImportDir(dir, ImportOptions{Version: "18.1"})
	if err == nil || !strings.Contains(err.Error(), broken) || !strings.Contains(err.Error(), "1 file(s) could not be read") {
		t.Fatalf("import of a folder with a cut file: error %v, want one naming %s", err, broken)
	}
}

// TestImportDirFIFO checks that a named pipe among a folder's files fails
// the import, named, rather than hold it until someone writes to the pipe.
func TestImportDirFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "attack-pattern", "pipe.json")
	if err := os.MkdirAll(filepath.Dir(fifo), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ImportDir(dir, ImportOptions{Version: "18.1"})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), fifo+": not a regular file") {
			t.Errorf("import of a folder holding a named pipe: error %v, want one naming %s", err, fifo)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the import waits on the named pipe")
	}
}

// TestImportDirCopies checks that copies of an object in several files of
// a folder are screened as in one bundle: the newest is kept, and odd
// times are warned about, as they were not when the folder walk kept the
// newest copy itself.
func TestImportDirCopies(t *testing.T) {
	dir := t.TempDir()
	base := miniDomain() // T1530 as attack-pattern--a
	a, b := base[2], base[2]
	a.Name, a.Modified = "second", "2026-01-01T00:00:00.500Z"
	b.Name, b.Modified = "first", "2026-01-01T00:00:00Z"
	bad := base[2]
	bad.Name, bad.Modified = "garbage", "yesterday"
	for i, objs := range [][]stix.Object{append(base[:2:2], collection("18.1")), {b}, {a}, {bad}} {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.json", i)), []byte(bundleOf(t, objs...)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	ds, err := ImportDir(dir, ImportOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if tech := ds.Technique("T1530"); tech == nil || tech.Name != "second" {
		t.Errorf("T1530 is %+v, want the copy modified last", tech)
	}
	for _, want := range []string{"older versions", "not an RFC 3339 time"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no warning says %q:\n%s", want, logs.String())
		}
	}
}

// TestImportWarnsOfIncompleteObjects checks that a technique or mitigation
// naming no ATT&CK ID, passed over, and a technique with no name or no
// tactic are warned about, and that a tactic without the short name
// techniques name it by, or without an ATT&CK ID, fails the import: each
// was taken without a word, and ttc attack check then reported nonsense.
func TestImportWarnsOfIncompleteObjects(t *testing.T) {
	base := func() []stix.Object { return append(miniDomain(), collection("18.1")) }
	noID := base()
	noID = append(noID, stix.Object{Type: "attack-pattern", ID: "attack-pattern--x", Name: "No ID",
		KillChainPhases: []stix.KillChainPhase{{KillChainName: "mitre-attack", PhaseName: "collection"}}})
	noName := base()
	noName[2].Name = ""
	noTactic := base()
	noTactic[2].KillChainPhases = nil
	noShort := base()
	noShort[1].Shortname = ""
	otherTactic := base()
	otherTactic[2].KillChainPhases = []stix.KillChainPhase{{KillChainName: "mitre-attack", PhaseName: "no-such-tactic"}}
	unnamedMitigation := append(base(), stix.Object{Type: "course-of-action", ID: "course-of-action--m",
		ExternalReferences: []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: "M1013"}}})
	tests := []struct {
		name string
		objs []stix.Object
		warn string // in the log, or in the error when fails
		fail bool
	}{
		{"clean", base(), "", false},
		{"technique with no ATT&CK ID", noID, "name no ATT&CK ID", false},
		{"technique with no name", noName, "have no name", false},
		{"technique with no tactic", noTactic, "no tactic", false},
		{"tactic with no short name", noShort, "no x_mitre_shortname", true},
		{"technique under a tactic the matrix lacks", otherTactic, "tactic the matrix does not list", false},
		{"mitigation with no name", unnamedMitigation, "have no name", false},
	}
	for _, tt := range tests {
		var logs bytes.Buffer
		_, err := Import(strings.NewReader(bundleOf(t, tt.objs...)), ImportOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		switch {
		case tt.fail && (err == nil || !strings.Contains(err.Error(), tt.warn)):
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.warn)
		case !tt.fail && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.fail && tt.warn == "" && (strings.Contains(logs.String(), "no ATT&CK ID") || strings.Contains(logs.String(), "no name")):
			t.Errorf("%s: warned:\n%s", tt.name, logs.String())
		case !tt.fail && tt.warn != "" && !strings.Contains(logs.String(), tt.warn):
			t.Errorf("%s: no warning says %q:\n%s", tt.name, tt.warn, logs.String())
		}
	}
}
