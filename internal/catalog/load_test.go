package catalog_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/awsapi"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
	"github.com/ttcproject/ttc/internal/server"
	"github.com/ttcproject/ttc/internal/view"
)

func TestMain(m *testing.M) {
	catalog.SetEventChecker(awsapi.CheckEvent)
	catalog.SetBareEventChecker(awsapi.CheckBareEvent)
	catalog.SetEventNamer(awsapi.CloudTrailNames)
	os.Exit(m.Run())
}

// TestOverlayProblems loads broken overlays on top of the embedded catalog and
// checks that every problem is found, reported against the right file and line.
func TestOverlayProblems(t *testing.T) {
	cases := []struct {
		dir      string
		contains []string // messages that must be among the problems
	}{
		{"malformed-ids", []string{`malformed technique ID "T14850"`, `malformed technique ID "T1485.A03"`, `malformed technique ID "AT167.001"`, `malformed technique ID "T1485.01"`}},
		{"duplicates", []string{"duplicate technique ID T9001", `does not match its folder name "T9001-copy"`, `service "s3" is listed twice`}},
		{"parents", []string{"missing parent technique T9002", "missing parent technique AT9003", "is not a sub-technique but names parent", `parent is "T9099", want "T9005"`, "aws_specific is true, but the ID form of T9005.001 says false",
			// A parent is filed under every tactic of its sub-techniques.
			"T9006/technique.yaml:4:10: tactics leave out those of the sub-technique T9006.001: TA0009 Collection, TA0010 Exfiltration",
			"T1485.A901/technique.yaml:5:10: the parent T1485 is not filed under TA0009 Collection (it lists TA0040)",
			// Each says how to fix it.
			"copy T1485 into the overlay with TA0009 added, or drop TA0009 from T1485.A901",
			"add TA0009, TA0010 here, or drop TA0009, TA0010 from T9006.001"}},
		{"unknown-refs", []string{`unknown tactic "TA9999"`, `unknown tactic "exfiltration"`, `unknown service "nosuchservice"`, `unknown mitigation "no-such-mitigation"`, `unknown related technique "T9999"`, "lists itself as related"}},
		{"events", []string{`malformed event name "s3-CopyObject"`, `unknown service "nosuch"`, "ModifySecurityGroupIngress", `malformed event name "s3:copyObject"`, `duplicate event name "s3:CopyObject"`, "data events required, but none of the events listed is a data event",
			"CreateUser is an event of iam, identitystore, identitystore-scim, sso-directory, not of sso", "(files name a service by its key: rds-data)",
			"CloudTrail logs PutBucketLifecycleConfiguration as PutBucketLifecycle; list that name"}},
		// tactics.yaml and services.yaml are held sorted, not in file order:
		// problems still point at their own entry, and their text is checked
		// for hidden characters as technique files are.
		{"list-files", []string{"services.yaml:4:11: services.0.name holds the control character U+001B",
			`services.yaml:9:21: malformed event source "bad-source"`, "services.yaml:11:20: services.1.aliases.1 holds the invisible character U+200B",
			"tactics.yaml:4:11: tactics.0.name holds the invisible character U+202E"}},
		{"empty-sections", []string{"empty required section summary", "empty required section description", "empty required section references", "needs attack.version", "detection.no_cloudtrail",
			// A section left out, or misspelt, is missing, not empty.
			"T9031/technique.yaml:1:1: missing required section summary", `T9031/technique.yaml:6:9: unknown field "sumary"`, "missing required section detection.guidance"}},
		{"syntax", []string{"invalid YAML", `unknown field "colour"`, "first_seen must be a date", `aws_specific must be true or false, got "no"`, "description holds the control character U+001B", "detection.blind_spots holds an image (![pixel])",
			"T9043/technique.yaml:4:10: want a list, got the text \"TA0007\"", "T9044/technique.yaml:6:27: invalid YAML: invalid trailing UTF-8 octet", "prerequisites holds the invisible character U+202E", `mapping key "name" already defined`,
			"T9045/technique.yaml:5:11: want a list, got a mapping", `T9046/technique.yaml:3:15: aws_specific must be true or false, got "yes"`,
			// The value in error is the inner one, so the others beside it are still checked.
			`T9047/technique.yaml:4:11: unknown tactic "TA9999"`, "T9047/technique.yaml:4:19: want a text, got a list",
			`T9047/technique.yaml:21:10: reference URL "not a url"`}},
		// summary writes its U+202E as an escape, and is placed at its
		// value, not at the raw U+202E of a later field.
		{"hidden-text", []string{"name holds the invisible character U+3164", "technique.yaml:6:10: summary holds the invisible character U+202E", "mitigations.0.effect holds the invisible character U+202E",
			"references.0.title holds the invisible character U+200B", "detection.other_signals.0 holds the invisible character U+00A0",
			"controls.0.title holds the invisible character U+E000", "attack.aliases.0.note holds the invisible character U+2066"}},
		{"mitigations", []string{`malformed mitigation ID "Bad_ID"`, "empty required section name", `unknown service "nosuch"`, `unknown control kind "wishful-thinking"`, "control needs title, detail and stops", `reference URL "not-a-url"`}},
	}
	// Messages that must not be among the problems. A value of the wrong
	// type is reported once: the checks that read it, decoded as empty or
	// as the library took it, say nothing.
	absent := map[string][]string{
		"syntax": {"T9043 has no tactic", "which the technique's services do not list", "the ID form of T9046", "T9046/technique.yaml:10:3: no CloudTrail events",
			"T9047 needs attack.version", "reference needs a title", "say what it stops"},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			label := "overlay/" + tc.dir
			src := catalog.Overlay(filepath.Join("testdata", "overlays", tc.dir))
			src.Label = label
			_, err := catalog.Load(catalog.Embedded(), src)
			le, ok := err.(*catalog.LoadError)
			if !ok {
				t.Fatalf("Load = %v, want a *LoadError", err)
			}
			var lines []string
			for _, p := range le.Problems {
				if !strings.HasPrefix(p.File, label) {
					t.Errorf("problem outside the overlay (the embedded catalog must be clean): %s", p)
					continue
				}
				if p.Line == 0 && !strings.Contains(p.Message, "cannot read") {
					t.Errorf("problem without a line: %s", p)
				}
				lines = append(lines, p.String())
			}
			got := strings.Join(lines, "\n") + "\n"
			for _, want := range tc.contains {
				if !strings.Contains(got, want) {
					t.Errorf("problems do not mention %q", want)
				}
			}
			for _, not := range absent[tc.dir] {
				if strings.Contains(got, not) {
					t.Errorf("problems mention %q, which follows from another problem", not)
				}
			}
			golden.Check(t, "overlays/"+tc.dir+".golden", []byte(got))
		})
	}
}

// TestOverlayRedefinesService checks that an overlay's services.yaml entry
// that replaces a service without its data events, which makes embedded
// techniques fail, is named in their problems: the embedded files are not
// where the change was made.
func TestOverlayRedefinesService(t *testing.T) {
	dir := t.TempDir()
	yaml := "services:\n  - key: s3\n    name: Amazon S3\n    event_sources: [s3.amazonaws.com]\n    sdk_modules: [s3, s3control]\n"
	if err := os.WriteFile(filepath.Join(dir, "services.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := catalog.Open(dir)
	le, ok := err.(*catalog.LoadError)
	if !ok {
		t.Fatalf("Open = %v, want a *LoadError", err)
	}
	want := "s3 is defined anew in " + filepath.Join(dir, "services.yaml")
	found := false
	for _, p := range le.Problems {
		found = found || strings.Contains(p.Message, want)
	}
	if !found {
		t.Errorf("no problem names the overlay that redefined s3 (%q):\n%v", want, le)
	}
}

// TestHiddenFileNames checks that a sample or rule file whose name holds a
// character catalog text may not (a bidirectional override), or bytes that
// are not UTF-8, is refused by name: pages and listings show the names.
func TestHiddenFileNames(t *testing.T) {
	for _, name := range []string{"sample\u202eNOSJ.json", "sample\xff.json"} {
		dir := t.TempDir()
		tdir := filepath.Join(dir, "techniques", "T9050")
		if err := os.MkdirAll(filepath.Join(tdir, "samples", "match"), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join("testdata", "overlays", "valid", "techniques", "T9050", "technique.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tdir, "technique.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tdir, "samples", "match", name), []byte(`{"eventName":"X"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = catalog.Open(dir)
		if err == nil || !strings.Contains(err.Error(), "the file name holds") {
			t.Errorf("sample named %q: error %v, want one saying the file name holds a character it may not", name, err)
		}
	}
}

func TestValidOverlay(t *testing.T) {
	c, err := catalog.Open(filepath.Join("testdata", "overlays", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Technique("T9050"); !ok {
		t.Error("overlay technique T9050 missing")
	}
	if got := c.Replaced(); len(got) != 1 || got[0] != "T1486.A001" {
		t.Errorf("Replaced = %v, want [T1486.A001]", got)
	}
	tech, _ := c.Technique("T1486.A001")
	if !strings.Contains(tech.Source, "overlays/valid") || len(tech.Rules) != 0 {
		t.Errorf("T1486.A001 comes from %s with %d rules, want the overlay's version without rules", tech.Source, len(tech.Rules))
	}
	if _, ok := c.Mitigation("test-only-control"); !ok {
		t.Error("overlay mitigation missing")
	}
	if _, ok := c.Mitigation("block-sse-c-uploads"); !ok {
		t.Error("embedded mitigation lost under the overlay")
	}
	if got := c.Clashes(); len(got) != 0 {
		t.Errorf("Clashes = %v for one overlay, want none", got)
	}
	if got := c.MitigationsFromOverlays(); !slices.Equal(got, []string{"test-only-control"}) ||
		len(c.ReplacedMitigations()) != 0 {
		t.Errorf("MitigationsFromOverlays = %q, ReplacedMitigations = %q, "+
			"want test-only-control added", got, c.ReplacedMitigations())
	}
	// The same folder twice is read once, and said to be given twice.
	valid := filepath.Join("testdata", "overlays", "valid")
	once, err := catalog.Open(valid, valid+"/.")
	if err != nil {
		t.Fatal(err)
	}
	if len(once.Clashes()) != 0 || len(once.MitigationClashes()) != 0 ||
		!slices.Equal(once.Repeated(), []string{valid}) {
		t.Errorf("one folder twice: Clashes = %q, MitigationClashes = %q, Repeated = %q; "+
			"want none, none, [%s]",
			once.Clashes(), once.MitigationClashes(), once.Repeated(), valid)
	}
	// Two copies of an overlay: each of its techniques and mitigations is
	// defined by two overlays, which is said.
	copied := t.TempDir()
	if err := os.CopyFS(copied, os.DirFS(valid)); err != nil {
		t.Fatal(err)
	}
	twice, err := catalog.Open(valid, copied)
	if err != nil {
		t.Fatal(err)
	}
	if got := twice.Clashes(); len(got) != 2 || !strings.Contains(got[0], "replaces the one of") {
		t.Errorf("Clashes = %q, want T1486.A001 and T9050 named", got)
	}
	got := twice.MitigationClashes()
	if len(got) != 1 || !strings.HasPrefix(got[0], "test-only-control of ") {
		t.Errorf("MitigationClashes = %q, want test-only-control named", got)
	}
	// Of the catalog's own, only T1486.A001 is replaced, once: T9050 is
	// the first overlay's.
	if got := twice.Replaced(); !slices.Equal(got, []string{"T1486.A001"}) {
		t.Errorf("Replaced = %q, want [T1486.A001]", got)
	}
	if len(twice.Repeated()) != 0 {
		t.Errorf("Repeated = %q for two folders, want none", twice.Repeated())
	}
}

// TestAttackTactic checks the names and IDs AttackTactic takes: the
// catalog's tactics, ATT&CK tactics the catalog has no technique for, and
// ATT&CK v19's names for Defense Evasion.
func TestAttackTactic(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"impact": "TA0040", "TA0040": "TA0040", "Defense Evasion": "TA0005", "defense_evasion": "TA0005",
		"exfiltration": "TA0010", "Command and Control": "TA0011",
		"stealth": "TA0005", "Stealth": "TA0005", "defense-impairment": "TA0005", "Defense Impairment": "TA0005", "ta0112": "TA0005",
		"evasion": "", "TA0099": "",
	} {
		if want == "TA0005" { // the catalog's own tactic: Tactic finds it as well
			if ta, ok := c.Tactic(key); !ok || ta.ID != want {
				t.Errorf("Tactic(%q) = %v, %v; want %s", key, ta, ok, want)
			}
		}
		switch ta, ok := c.AttackTactic(key); {
		case ok && ta.ID != want:
			t.Errorf("AttackTactic(%q) = %s, want %q", key, ta.ID, want)
		case !ok && want != "":
			t.Errorf("AttackTactic(%q) found nothing, want %s", key, want)
		}
	}
}

// TestUnreadOverlayEntries puts catalog-like files where the loader does
// not read them (a technique file at the root, a rule beside
// technique.yaml, a rule in a subfolder, a sample in a misspelt folder)
// beside files a folder may keep (README.md, dot-files): the first are
// listed by Unread, the others are not, and none is a problem.
func TestUnreadOverlayEntries(t *testing.T) {
	dir := t.TempDir()
	valid, err := os.ReadFile(filepath.Join("testdata", "overlays", "valid", "techniques", "T9050", "technique.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"techniques/T9050/technique.yaml":         string(valid),
		"techniques/T9050/rule.yml":               "title: x\n",
		"techniques/T9050/rules/nested/rule.yml":  "title: x\n",
		"techniques/T9050/rules/RULE.YML":         "title: x\n",
		"techniques/T9050/rules/notes.md":         "kept\n",
		"techniques/T9050/samples/matches/a.json": "{}\n",
		"techniques/T9050/samples/match/b.jsonl":  "{}\n",
		"techniques/T9050/samples/nomatch/.keep":  "",
		"techniques/T9050/.DS_Store":              "",
		"techniques/T9051.yaml":                   "id: T9051\n",
		"T9052.yaml":                              "id: T9052\n",
		"technique/T9053/technique.yaml":          "id: T9053\n",
		"mitigations/sub/m.yaml":                  "id: m\n",
		"README.md":                               "an overlay\n",
		".git/config":                             "",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := catalog.Overlay(dir)
	src.Label = "ov"
	c, err := catalog.Load(catalog.Embedded(), src)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var got []string
	for _, p := range c.Unread() {
		got = append(got, p.String())
	}
	want := []string{
		"ov/T9052.yaml: file not read: an overlay holds tactics.yaml, services.yaml, mitigations/ and techniques/<ID>/",
		"ov/mitigations/sub: folder not read: a mitigation is a .yaml or .yml file directly in mitigations/",
		"ov/technique: folder not read: an overlay holds tactics.yaml, services.yaml, mitigations/ and techniques/<ID>/",
		"ov/techniques/T9050/rule.yml: file not read: a technique folder holds technique.yaml, rules/*.yml and samples/match|nomatch/*.json",
		"ov/techniques/T9050/rules/RULE.YML: file not read: a rule is a .yml or .yaml file directly in rules/",
		"ov/techniques/T9050/rules/nested: folder not read: a rule is a .yml or .yaml file directly in rules/",
		"ov/techniques/T9050/samples/match/b.jsonl: file not read: a sample is a .json file directly in samples/match/ or samples/nomatch/",
		"ov/techniques/T9050/samples/matches: folder not read: a sample is a .json file directly in samples/match/ or samples/nomatch/",
		"ov/techniques/T9051.yaml: file not read: a technique is a folder techniques/<ID>/ that holds technique.yaml",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Unread =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The embedded catalog's own folder, read as an overlay, holds
	// nothing the loader passes over.
	own := catalog.Overlay(filepath.Join("..", "..", "catalog"))
	c, err = catalog.Load(catalog.Embedded(), own)
	if err != nil {
		t.Fatalf("Load own folder: %v", err)
	}
	if u := c.Unread(); len(u) != 0 {
		t.Errorf("the catalog folder has entries the loader passes over: %v", u)
	}
}

// TestOverlayRawHTML pins what docs/catalog.md says of an overlay's prose:
// raw HTML is text and loads, where an image is refused, and every view
// shows it as written: the terminal as it is, Markdown and the web page
// escaped, so that no viewer runs its script.
func TestOverlayRawHTML(t *testing.T) {
	valid, err := os.ReadFile(filepath.Join("testdata", "overlays", "valid", "techniques", "T9050", "technique.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		description string
		problem     string
	}{
		{`"<b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(2)>"`, ""},
		{`"![pixel](https://example.com/p.png)"`, "description holds an image"},
	} {
		dir := filepath.Join(t.TempDir(), "techniques", "T9050")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		text := regexp.MustCompile(`(?m)^description: .*$`).ReplaceAll(valid, []byte("description: "+tc.description))
		if err := os.WriteFile(filepath.Join(dir, "technique.yaml"), text, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := catalog.Open(filepath.Dir(filepath.Dir(dir)))
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("description %s: %v, want it to load", tc.description, err)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("description %s: %v, want a problem saying %q", tc.description, err, tc.problem)
		case tc.problem == "":
			checkRawHTMLShown(t, c, "T9050")
		}
	}
}

// checkRawHTMLShown checks that the raw HTML of technique id's description
// shows as text in ttc show (as written), ttc show -o markdown and the web
// page (escaped, the raw tags nowhere).
func checkRawHTMLShown(t *testing.T, c *catalog.Catalog, id string) {
	t.Helper()
	tech, _ := c.Technique(id)
	show := func(f view.Format) string {
		var b strings.Builder
		if err := view.WriteTechnique(&b, f, c.Detail(tech), view.Options{}); err != nil {
			t.Fatalf("show -o %s: %v", f, err)
		}
		return b.String()
	}
	// A terminal runs no HTML: the text is shown as written.
	if out := show(view.Table); !strings.Contains(out, "<script>alert(1)</script>") {
		t.Errorf("show does not show the raw HTML as written:\n%s", out)
	}
	s, err := server.New(server.Config{Catalog: c, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/techniques/"+id, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /techniques/%s: status %d", id, rec.Code)
	}
	views := map[string]string{
		"show -o markdown": show(view.Markdown),
		"the web page":     rec.Body.String(),
	}
	for name, out := range views {
		for _, raw := range []string{"<script>alert", "<img src=x", "<b>bold"} {
			if strings.Contains(out, raw) {
				t.Errorf("%s holds the raw %s of the description:\n%s", name, raw, out)
			}
		}
		if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the description's HTML escaped:\n%s", name, out)
		}
	}
}
