package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/attack/navigator"
	"github.com/ttcproject/ttc/internal/detect"
)

const sharedATTACK = "../../../shared/testdata/attack/enterprise-attack-cloud-stix21.json"

// TestAttackWorkflow imports ATT&CK, checks the catalog against it, shows a
// technique with ATT&CK's data and exports a layer that names the version.
func TestAttackWorkflow(t *testing.T) {
	if _, err := os.Stat(sharedATTACK); err != nil {
		t.Skipf("shared ATT&CK data not available: %v", err)
	}
	dir := t.TempDir()
	_, errOut, code := ttc(t, "--data-dir", dir, "attack", "import", sharedATTACK)
	if code != exitUsage || !strings.Contains(errOut, "--version") {
		t.Errorf("import without a version: exit %d, %q; want a usage error naming --version", code, errOut)
	}
	for _, v := range []string{"hello world", "18.1 beta", "1.2.3.4", "../18"} {
		_, errOut, code = ttc(t, "--data-dir", dir, "attack", "import", "--version", v, sharedATTACK)
		if code != exitUsage || !strings.Contains(errOut, "is not an ATT&CK release") {
			t.Errorf("import --version %q: exit %d, %q; want a usage error", v, code, errOut)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("refused imports left %d files in the data folder", len(ents))
	}
	out, errOut, code := ttc(t, "--data-dir", dir, "attack", "import", "--version", "18.1", sharedATTACK)
	if code != 0 || !strings.Contains(out, "imported ATT&CK 18.1") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = ttc(t, "--data-dir", dir, "attack", "check", "-o", "json")
	if code != 0 {
		t.Fatalf("check: exit %d", code)
	}
	var doc struct {
		Items []attack.Finding `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range doc.Items {
		kinds[f.CatalogID] = string(f.Kind)
	}
	// Facts of ATT&CK v18.1: the catalog keeps the public catalog's shorter
	// name for T1562.008 and files T1578.* under Impact.
	for id, kind := range map[string]string{"T1562.008": "renamed", "T1578.002": "moved"} {
		if kinds[id] != kind {
			t.Errorf("check: %s is %q, want %q", id, kinds[id], kind)
		}
	}
	if _, ok := kinds["T1485"]; ok {
		t.Errorf("check reports T1485, which ATT&CK v18.1 has as the catalog does")
	}
	// An AWS-specific name without the "Parent: " part says nothing of the parent's name.
	if k, ok := kinds["T1486.A002"]; ok {
		t.Errorf("check reports T1486.A002 (EC2/EBS Data Encryption) as %s", k)
	}

	// ATT&CK's mitigations are named as the imported data names them.
	out, _, _ = ttc(t, "--data-dir", dir, "show", "T1486.A001")
	if !strings.Contains(out, "  - M1053 Data Backup\n") {
		t.Errorf("show T1486.A001 does not name ATT&CK's M1053:\n%s", out)
	}
	out, _, _ = ttc(t, "--data-dir", dir, "show", "T1485.A003")
	if !strings.Contains(out, "ATT&CK T1485: Data Destruction (ATT&CK v18.1)") || !strings.Contains(out, "The MITRE Corporation") {
		t.Errorf("show does not include ATT&CK's parent with attribution")
	}

	out, _, code = ttc(t, "--data-dir", dir, "export", "navigator", "--service", "s3")
	if code != 0 {
		t.Fatalf("export navigator: exit %d", code)
	}
	layers, err := navigator.Decode(strings.NewReader(out))
	if err != nil || len(layers) != 1 {
		t.Fatalf("decode layer: %v", err)
	}
	l := layers[0]
	if err := l.Validate(); err != nil {
		t.Errorf("layer invalid: %v", err)
	}
	if !strings.Contains(l.Description, "filtered: --service s3") {
		t.Errorf("layer description %q does not say how it was filtered", l.Description)
	}
	if l.Versions == nil || l.Versions.Attack != "18" || l.Domain != "enterprise-attack" {
		t.Errorf("layer versions %+v domain %q", l.Versions, l.Domain)
	}
	for _, te := range l.Techniques {
		if strings.Contains(te.TechniqueID, ".A") || strings.HasPrefix(te.TechniqueID, "AT") {
			t.Errorf("layer carries an ID Navigator does not know: %s", te.TechniqueID)
		}
		if te.Tactic != "" {
			t.Errorf("%s is pinned to tactic %s; entries leave the tactic to ATT&CK", te.TechniqueID, te.Tactic)
		}
	}

	// Navigator hides an entry none of whose platforms the layer's filter
	// names. The shared bundle holds ATT&CK's IaaS techniques alone: the S3
	// layer's entries are all known to it, and filtered on IaaS; the whole
	// catalog's holds T1583 (PRE), which it lacks, so it has no filter.
	platforms := attackPlatforms(t, sharedATTACK)
	if l.Filters == nil || !slices.Equal(l.Filters.Platforms, []string{"IaaS"}) {
		t.Errorf("S3 layer filters = %+v, want IaaS", l.Filters)
	}
	for _, te := range l.Techniques {
		if !slices.Contains(platforms[te.TechniqueID], "IaaS") {
			t.Errorf("S3 layer entry %s (platforms %v) is hidden by its filter", te.TechniqueID, platforms[te.TechniqueID])
		}
	}
	out, _, code = ttc(t, "--data-dir", dir, "export", "navigator")
	if code != 0 {
		t.Fatalf("export navigator: exit %d", code)
	}
	if layers, err = navigator.Decode(strings.NewReader(out)); err != nil || len(layers) != 1 {
		t.Fatalf("decode layer: %v", err)
	}
	if _, ok := platforms["T1583"]; ok || layers[0].Filters != nil {
		t.Errorf("catalog layer filters = %+v; want none, as the data lacks T1583's platforms", layers[0].Filters)
	}
}

// attackPlatforms reads an ATT&CK STIX bundle's techniques' platforms, by ID.
func attackPlatforms(t *testing.T, bundle string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Objects []struct {
			Type      string   `json:"type"`
			Platforms []string `json:"x_mitre_platforms"`
			Refs      []struct {
				Source string `json:"source_name"`
				ID     string `json:"external_id"`
			} `json:"external_references"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, o := range doc.Objects {
		for _, r := range o.Refs {
			if o.Type == "attack-pattern" && r.Source == "mitre-attack" {
				out[r.ID] = o.Platforms
			}
		}
	}
	return out
}

func TestExportSTIXRoundTrip(t *testing.T) {
	out, errOut, code := ttc(t, "export", "stix")
	if code != 0 {
		t.Fatalf("export stix: exit %d: %s", code, errOut)
	}
	path := filepath.Join(t.TempDir(), "ttc.json")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := attack.ImportFile(path, attack.ImportOptions{IDSource: "ttc", Version: "1.0"})
	if err != nil {
		t.Fatalf("import the export: %v", err)
	}
	c := loadCatalog(t)
	for _, tech := range c.Techniques() {
		got := ds.Technique(tech.ID)
		if got == nil {
			t.Errorf("%s lost in the round trip", tech.ID)
			continue
		}
		if got.Parent != tech.Parent {
			t.Errorf("%s: parent %q after the round trip, want %q", tech.ID, got.Parent, tech.Parent)
		}
	}
	if n, want := len(ds.Tactics()), len(c.Tactics()); n != want {
		t.Errorf("%d tactics after the round trip, want %d", n, want)
	}
}

func TestExportSigma(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := ttc(t, "export", "sigma", dir)
	if code != 0 {
		t.Fatalf("export sigma: exit %d: %s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.yml"))
	if len(files) == 0 || !strings.Contains(out, "wrote ") {
		t.Fatalf("no rules written: %s", out)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		r, err := detect.ParseRule(f, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		id := strings.ToLower(filepath.Base(filepath.Dir(f)))
		hasCatalog, hasAttack := false, false
		for _, tag := range r.Tags {
			hasCatalog = hasCatalog || tag == "ttc."+id
			hasAttack = hasAttack || strings.HasPrefix(tag, "attack.t")
		}
		if !hasCatalog || (!strings.HasPrefix(id, "at") && !hasAttack) {
			t.Errorf("%s: tags %v lack the catalog ID or the ATT&CK technique", f, r.Tags)
		}
	}
}

// TestExportSigmaFolder checks what export sigma does with a folder that
// exists: an earlier export is replaced, a rule left in it removed; a
// folder that holds anything else, or a link planted in an export, is
// refused and nothing is written through the link. Exported rules given
// back to --rules find their own catalog techniques.
func TestExportSigmaFolder(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		if _, errOut, code := ttc(t, "export", "sigma", dir); code != 0 {
			t.Fatalf("export sigma: exit %d: %s", code, errOut)
		}
	}
	// A rule an older export wrote (its mark lists it) goes; a rule of the
	// user's own, put among them, stops the export and stays.
	stale := filepath.Join(dir, "T1486.A001", "old_rule.yml")
	if err := os.WriteFile(stale, []byte("title: old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(dir, ".ttc-export-sigma")
	f, err := os.OpenFile(mark, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Written unquoted, as the first exports wrote their marks.
	if _, err := f.WriteString(filepath.Join("T1486.A001", "old_rule.yml") + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, errOut, code := ttc(t, "export", "sigma", dir); code != 0 {
		t.Fatalf("export sigma over an export: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a rule an older export left is still there (%v)", err)
	}
	// An export cut short (the disk filled) has its mark and some of the
	// rules it lists; the next export replaces it.
	if err := os.RemoveAll(filepath.Join(dir, "T1530.A001")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "T1486.A001", "s3_copy_with_customer_key.yml")); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := ttc(t, "export", "sigma", dir); code != 0 {
		t.Fatalf("export sigma over a cut-short export: exit %d: %s", code, errOut)
	}
	// A rule that cannot be exported stops the export before the folder
	// is touched: the earlier export stays whole, its mark included.
	before := folderFiles(t, dir)
	overlay := t.TempDir()
	broken := filepath.Join(overlay, "techniques", "T1486.A001")
	if err := os.CopyFS(broken, os.DirFS("../../catalog/techniques/T1486.A001")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "rules", "s3_copy_with_customer_key.yml"), []byte("title: [cut\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := ttc(t, "--catalog", overlay, "export", "sigma", dir); code != exitError || !strings.Contains(errOut, "s3_copy_with_customer_key.yml") {
		t.Errorf("export of a rule that does not parse: exit %d, %q; want 1 naming it", code, errOut)
	}
	if after := folderFiles(t, dir); !slices.Equal(before, after) {
		t.Errorf("a failed export changed the folder: %d files before, %d after", len(before), len(after))
	}
	// So does a rule that compiles but is not valid Sigma.
	rule, err := os.ReadFile("../../catalog/techniques/T1486.A001/rules/s3_copy_with_customer_key.yml")
	if err != nil {
		t.Fatal(err)
	}
	rule = regexp.MustCompile(`(?m)^status: .*$`).ReplaceAll(rule, []byte("status: bogus"))
	if err := os.WriteFile(filepath.Join(broken, "rules", "s3_copy_with_customer_key.yml"), rule, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := ttc(t, "--catalog", overlay, "export", "sigma", dir); code != exitError || !strings.Contains(errOut, `status "bogus" is no Sigma status`) {
		t.Errorf("export of a rule of no Sigma status: exit %d, %q; want 1 naming it", code, errOut)
	}
	if after := folderFiles(t, dir); !slices.Equal(before, after) {
		t.Errorf("a failed export changed the folder: %d files before, %d after", len(before), len(after))
	}
	mine := filepath.Join(dir, "T1486.A001", "mine.yml")
	if err := os.WriteFile(mine, []byte("title: mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := ttc(t, "export", "sigma", dir); code != exitError || !strings.Contains(errOut, "mine.yml") {
		t.Errorf("export over a rule of the user's: exit %d, %q; want 1 naming it", code, errOut)
	}
	// No folder named, a link to nothing, standard output or a file is refused before anything is made.
	dangling := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(filepath.Join(t.TempDir(), "gone"), dangling); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ dir, says string }{{"", "DIR is empty"}, {" ", "DIR is empty"}, {dangling, "the link leads to no file or folder"},
		{"-", "not one stream"}, {"../../README.md", "is a file, not a folder"}} {
		if _, errOut, code := ttc(t, "export", "sigma", bad.dir); code != exitUsage || !strings.Contains(errOut, bad.says) {
			t.Errorf("export sigma %q: exit %d, %q; want %d saying %q", bad.dir, code, errOut, exitUsage, bad.says)
		}
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("the user's rule is gone: %v", err)
	}
	os.Remove(mine)
	// So does a folder of the user's, empty as it may be.
	own := filepath.Join(dir, "MyRules")
	if err := os.Mkdir(own, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := ttc(t, "export", "sigma", dir); code != exitError || !strings.Contains(errOut, "MyRules") {
		t.Errorf("export over a folder of the user's: exit %d, %q; want 1 naming it", code, errOut)
	}
	if err := os.Remove(own); err != nil {
		t.Errorf("the user's folder is gone: %v", err)
	}

	victim := filepath.Join(t.TempDir(), "victim.txt")
	link := filepath.Join(dir, "T1530.A001", "planted.yml")
	if err := os.Symlink(victim, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, errOut, code := ttc(t, "export", "sigma", dir); code != exitError || !strings.Contains(errOut, "planted.yml") {
		t.Errorf("export over a planted link: exit %d, %q; want 1 naming the link", code, errOut)
	}
	if _, err := os.Lstat(victim); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the export wrote through the link (%v)", err)
	}

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := ttc(t, "export", "sigma", other); code != exitError || !strings.Contains(errOut, "new or empty folder") {
		t.Errorf("export into a folder of other files: exit %d, %q; want it refused", code, errOut)
	}

	// Read back as they are, the exported rules are the catalog's own: they
	// are not run a second time.
	os.Remove(link)
	plain, _, _ := ttc(t, "scan", "-o", "jsonl", "../../examples/incident")
	again, errOut, code := ttc(t, "scan", "--rules", dir, "-o", "jsonl", "../../examples/incident")
	findings := func(jsonl string) (fs []string) { // in any order: workers stream them as they come
		for _, l := range strings.Split(jsonl, "\n") {
			if strings.HasPrefix(l, `{"type":"finding"`) {
				fs = append(fs, l)
			}
		}
		slices.Sort(fs)
		return fs
	}
	if code != 0 || !slices.Equal(findings(again), findings(plain)) || len(findings(plain)) == 0 || !strings.Contains(errOut, "not run a second time") {
		t.Errorf("scan with the exported rules as written: exit %d, %d bytes of findings against %d without them; stderr %q",
			code, len(again), len(plain), errOut)
	}
	// Edited (their titles), each exported rule runs, and finds the
	// technique it came from.
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(path, []byte(strings.Replace(string(data), "title: ", "title: Edited ", 1)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := ttc(t, "scan", "--rules", dir, "-o", "jsonl", "../../examples/incident")
	if code != 0 {
		t.Fatalf("scan with the exported rules: exit %d: %s", code, errOut)
	}
	byRule := map[string]map[string]bool{} // rule ID: techniques, by origin
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f struct {
			TechniqueID string `json:"technique_id"`
			Rule        struct{ ID, Origin string }
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		if f.Rule.ID != "" {
			if byRule[f.Rule.ID] == nil {
				byRule[f.Rule.ID] = map[string]bool{}
			}
			byRule[f.Rule.ID][f.Rule.Origin+" "+f.TechniqueID] = true
		}
	}
	if len(byRule) == 0 {
		t.Fatal("no findings from the example incident")
	}
	for id, got := range byRule {
		for k := range got {
			origin, tech, _ := strings.Cut(k, " ")
			other := "external"
			if origin == "external" {
				other = "catalog"
			}
			if !got[other+" "+tech] {
				t.Errorf("rule %s: %s finding for %q has no %s twin: %v", id, origin, tech, other, got)
			}
		}
	}
}

// sigmaAndLogs returns SigmaHQ's CloudTrail rules and the AWS guide's
// sample logs from the shared test data, skipping the test without them.
func sigmaAndLogs(t *testing.T) (sigma, logs string) {
	t.Helper()
	sigma = "../../../shared/testdata/sigma/rules/cloud/aws/cloudtrail"
	logs = "../../../shared/testdata/cloudtrail/awsdocs-cloudtrail-user-guide"
	for _, p := range []string{sigma, logs} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("shared data not available: %v", err)
		}
	}
	return sigma, logs
}

// TestScanLayerKeepsUnmappedTechniques checks that a scan's Navigator layer
// shows the ATT&CK techniques of rules the catalog has no technique for
// (here SigmaHQ's failed console sign-in rule, tagged T1110), beside the
// catalog's.
func TestScanLayerKeepsUnmappedTechniques(t *testing.T) {
	sigma, logs := sigmaAndLogs(t)
	out, errOut, code := ttc(t, "scan", "-o", "navigator", "--rules", sigma, logs)
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	layers, err := navigator.Decode(strings.NewReader(out))
	if err != nil || len(layers) != 1 {
		t.Fatalf("decode layer: %v (%d layers)", err, len(layers))
	}
	ids := map[string]bool{}
	for _, tech := range layers[0].Techniques {
		ids[tech.TechniqueID] = true
	}
	for _, want := range []string{"T1110", "T1078", "T1562.008"} {
		if !ids[want] {
			t.Errorf("layer lacks %s; it has %v", want, ids)
		}
	}
}

// TestScanLayerSaysWhatItLeavesOut checks that the findings of a rule
// tagged with no technique, which have no cell in a layer, are counted in
// its description and a warning rather than dropped in silence.
func TestScanLayerSaysWhatItLeavesOut(t *testing.T) {
	dir := t.TempDir()
	rule := "title: Any S3 bucket listing\nid: 5d0a4c1e-3b2f-4e8d-9c7a-1b2c3d4e5f60\nlogsource:\n  product: aws\n  service: cloudtrail\n" +
		"detection:\n  sel:\n    eventName: ListBuckets\n  condition: sel\nlevel: low\n"
	record := `{"eventVersion":"1.08","eventID":"e1","eventTime":"2026-03-14T02:00:05Z","eventSource":"s3.amazonaws.com",` +
		`"eventName":"ListBuckets","awsRegion":"us-east-1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/r/s"}}`
	if err := os.WriteFile(filepath.Join(dir, "untagged.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(dir, "logs.jsonl")
	if err := os.WriteFile(logs, []byte(record+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := ttc(t, "scan", "-o", "navigator", "--rules", filepath.Join(dir, "untagged.yml"), logs)
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	layers, err := navigator.Decode(strings.NewReader(out))
	if err != nil || len(layers) != 1 {
		t.Fatalf("decode layer: %v (%d layers)", err, len(layers))
	}
	if !strings.Contains(layers[0].Description, "1 finding of rules tagged with no technique not shown") {
		t.Errorf("layer description %q does not count the finding left out", layers[0].Description)
	}
	if !strings.Contains(errOut, "no place in a Navigator layer") {
		t.Errorf("no warning on stderr: %q", errOut)
	}
}

// TestScanTechniqueFilterUnmapped checks that --technique takes an ATT&CK
// technique the catalog lacks and keeps the findings of rules tagged with
// it, and refuses what is no technique ID at all.
func TestScanTechniqueFilterUnmapped(t *testing.T) {
	sigma, logs := sigmaAndLogs(t)
	out, errOut, code := ttc(t, "scan", "-o", "jsonl", "--technique", "t1110", "--rules", sigma, logs)
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	type finding struct {
		TechniqueID string `json:"technique_id"`
		Rule        struct {
			ATTACK []string `json:"attack"`
		} `json:"rule"`
	}
	n := 0
	for _, f := range findingLines[finding](t, out) {
		n++
		if !slices.Contains(f.Rule.ATTACK, "T1110") && !strings.HasPrefix(f.TechniqueID, "T1110") {
			t.Errorf("finding of %q, ATT&CK %v kept by --technique T1110", f.TechniqueID, f.Rule.ATTACK)
		}
	}
	if n == 0 {
		t.Error("--technique T1110 kept no finding; SigmaHQ's failed console sign-in rule is tagged with it")
	}
	// A sub-technique the catalog folds into its parent is reported as
	// the parent, and the finding keeps the rule's tag: the filter finds
	// it by that (SigmaHQ's root credential rule is tagged T1078.004).
	out, errOut, code = ttc(t, "scan", "-o", "jsonl", "--technique", "T1078.004", "--rules", sigma, logs)
	if code != 0 {
		t.Fatalf("scan --technique T1078.004: exit %d\n%s", code, errOut)
	}
	n = 0
	for _, f := range findingLines[finding](t, out) {
		n++
		if f.TechniqueID != "T1078" || !slices.Contains(f.Rule.ATTACK, "T1078.004") {
			t.Errorf("finding of %q, ATT&CK %v kept by --technique T1078.004", f.TechniqueID, f.Rule.ATTACK)
		}
	}
	if n == 0 {
		t.Error("--technique T1078.004 kept no finding; SigmaHQ's root credential rule is tagged with it")
	}
	// No technique ID, or a well-formed one no rule is tagged with: each
	// could only give an empty result, and is refused.
	for _, id := range []string{"X1110", "", "T9999", "T1078.007"} {
		if _, _, code := ttc(t, "scan", "--technique", id, "--rules", sigma, logs); code != exitUsage {
			t.Errorf("--technique %q: exit %d, want %d", id, code, exitUsage)
		}
	}
}

// folderFiles lists the files below dir with their sizes.
func folderFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d", p, fi.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestScanLayerTimesInOneForm checks that a layer's comment gives the
// first and last finding of a technique in RFC 3339, whatever form of
// eventTime the records hold (some exports write "2024-11-25 22:00:58").
func TestScanLayerTimesInOneForm(t *testing.T) {
	dir := t.TempDir()
	rule := "title: Any S3 bucket listing\nid: 5d0a4c1e-3b2f-4e8d-9c7a-1b2c3d4e5f61\nlogsource:\n  product: aws\n  service: cloudtrail\n" +
		"detection:\n  sel:\n    eventName: ListBuckets\n  condition: sel\ntags:\n  - attack.t1619\nlevel: low\n"
	rec := func(id, at string) string {
		return `{"eventVersion":"1.08","eventID":"` + id + `","eventTime":"` + at + `","eventSource":"s3.amazonaws.com",` +
			`"eventName":"ListBuckets","awsRegion":"us-east-1","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/r/s"}}`
	}
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(dir, "logs.jsonl")
	if err := os.WriteFile(logs, []byte(rec("e1", "2024-11-25 22:00:58.000000000")+"\n"+rec("e2", "2026-03-14T02:00:05+02:00")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := ttc(t, "scan", "-o", "navigator", "--rules", filepath.Join(dir, "r.yml"), logs)
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "2024-11-25T22:00:58Z … 2026-03-14T00:00:05Z") {
		t.Errorf("the layer does not give the findings' times in RFC 3339, in UTC:\n%s", out)
	}
}
