package ruleset_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/catalog/catalogtest"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// Two rules and the correlation that counts them, seven, seven and nine
// lines long: in one file, separated by "---" lines, the second starts on
// line 9 and the third on line 17.
const (
	readDoc = "title: secret read\nname: b_read\nid: b-read\n" +
		"logsource: {product: aws, service: cloudtrail}\n" +
		"detection:\n  sel: {eventName: GetSecretValue}\n  condition: sel\n"
	listDoc = "title: keys listed\nname: b_list\nid: b-list\n" +
		"logsource: {product: aws, service: cloudtrail}\n" +
		"detection:\n  sel: {eventName: ListAccessKeys}\n  condition: sel\n"
	burstDoc = "title: secret burst\nid: b-burst\nlevel: high\ncorrelation:\n" +
		"  type: event_count\n  rules: [b_read, b_list]\n  group-by: [userIdentity.arn]\n" +
		"  timespan: 10m\n  condition: {gte: 3}\n"
	bundleFile = readDoc + "---\n" + listDoc + "---\n" + burstDoc
)

// docs joins the documents of a rule file.
func docs(d ...string) string { return strings.Join(d, "---\n") }

// TestLoadBundles checks that each document of a --rules file is a rule
// of its own: loaded, refused, resolved and named on its own.
func TestLoadBundles(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	// A second rule with the first one's id, and rules that do not compile.
	again := strings.NewReplacer("secret read", "again", "b_read", "b_again").Replace(readDoc)
	typo := strings.NewReplacer("keys listed", "typo", "b_list", "b_typo", "b-list", "b-typo",
		"eventName:", "eventName|x:").Replace(listDoc)
	badList := strings.Replace(listDoc, "eventName:", "eventName|x:", 1)
	const all = "secret read, keys listed, secret burst"
	const unknownX = `b.yml:14:9: field "eventName|x": unknown modifier "x"`
	cases := []struct {
		name   string
		files  map[string]string // "b.yml" alone when one body
		titles string            // the external rules loaded, in order
		errs   []string          // the beginning of each error, the folder's path cut
		shared []string
		bases  int // of the correlation, when it loads
	}{
		{"bundle", one(bundleFile), all, nil, nil, 2},
		{"CRLF", one(strings.ReplaceAll(bundleFile, "\n", "\r\n")), all, nil, nil, 2},
		{"broken document", one(docs(readDoc, typo, listDoc, burstDoc)), all, []string{unknownX}, nil, 2},
		{"broken base", one(docs(readDoc, badList, burstDoc)), "secret read", []string{unknownX,
			`b.yml:22:19: correlation names rule "b_list", which no rule loaded has as its name or id`}, nil, 0},
		{"action global", one("action: global\n" + docs(readDoc, listDoc)), "",
			[]string{"b.yml:1:1: unsupported sigma feature: legacy rule collection (action: global)"}, nil, 0},
		{"empty document", one(docs(readDoc, "", listDoc)), "secret read, keys listed",
			[]string{`b.yml:8:1: empty YAML document: each document of a rule file, between "---" lines`}, nil, 0},
		{"bases in another file", map[string]string{"a.yml": readDoc, "b.yml": docs(listDoc, burstDoc)},
			all, nil, nil, 2},
		{"correlation in another file", map[string]string{"a.yml": docs(readDoc, listDoc), "b.yml": burstDoc},
			all, nil, nil, 2},
		{"shared id", one(docs(readDoc, again)), "secret read, again", nil,
			[]string{"rule id b-read of b.yml:9 is also the id of b.yml:1"}, 0},
		{"shared id named", one(docs(readDoc, again, strings.Replace(burstDoc, "b_read,", "b-read,", 1))),
			"secret read, again",
			[]string{`b.yml:22:11: correlation names rule "b-read", which b.yml:1 and b.yml:9 both have`},
			[]string{"rule id b-read of b.yml:9 is also the id of b.yml:1"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				write(t, filepath.Join(dir, name), body)
			}
			cut := func(s string) string { return strings.ReplaceAll(s, dir+string(filepath.Separator), "") }
			set, err := ruleset.Load(c, []string{dir})
			var titles []string
			var burst *ruleset.Rule
			for _, r := range set.Rules() {
				if r.Origin == ruleset.FromExternal {
					titles = append(titles, r.Title)
				}
				if r.Title == "secret burst" {
					burst = r
				}
			}
			if got := strings.Join(titles, ", "); got != tc.titles {
				t.Errorf("rules %q, want %q", got, tc.titles)
			}
			errs := leaves(err)
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors %v, want %d", err, len(tc.errs))
			}
			for i, e := range errs {
				var re *detect.RuleError
				if got := cut(e.Error()); !strings.HasPrefix(got, tc.errs[i]) || !errors.As(e, &re) {
					t.Errorf("error %q, want a RuleError starting %q", got, tc.errs[i])
				}
			}
			var shared []string
			for _, s := range set.Shared() {
				shared = append(shared, cut(s))
			}
			if !slices.Equal(shared, tc.shared) {
				t.Errorf("Shared() = %q, want %q", shared, tc.shared)
			}
			if burst != nil && len(burst.Bases) != tc.bases {
				t.Errorf("the correlation counts %d rules, want %d", len(burst.Bases), tc.bases)
			}
		})
	}
}

// one is a rules folder of one file, b.yml.
func one(body string) map[string]string { return map[string]string{"b.yml": body} }

// TestBundleCopies checks that a document of a --rules file that is a
// catalog rule, as `ttc export sigma` writes it, is left out as a copy,
// named by its line, and that the file's other documents run.
func TestBundleCopies(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	tech, ok := c.Technique("T1110.001")
	if !ok || len(tech.Rules) == 0 {
		t.Fatal("no rule of T1110.001 to copy")
	}
	own, err := attack.ExportSigmaRule(tech.Rules[0].Data, tech)
	if err != nil {
		t.Fatal(err)
	}
	r, err := detect.ParseRule("own.yml", own)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "b.yml")
	// The copy starts on line 9, after the first rule and its marker.
	write(t, path, docs(readDoc, string(own), listDoc))
	set, err := ruleset.Load(c, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{path + ":" + strconv.Itoa(8+r.Line)}
	if !slices.Equal(set.Copies(), want) {
		t.Errorf("copies %q, want %q", set.Copies(), want)
	}
	var titles []string
	for _, r := range set.Rules() {
		if r.Origin == ruleset.FromExternal {
			titles = append(titles, r.Title)
		}
	}
	if !slices.Equal(titles, []string{"secret read", "keys listed"}) {
		t.Errorf("external rules %q, want the two others", titles)
	}
}

// TestBundleScan scans records with a correlation and the rules it counts
// given in one --rules file: three calls of one user within ten minutes
// make one finding of the correlation, named by the file.
func TestBundleScan(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules", "bundle.yml")
	write(t, rules, bundleFile)
	record := func(name, at, user string) string {
		return `{"eventVersion":"1.10","eventTime":"2026-03-14T02:` + at + `Z",` +
			`"eventSource":"x.amazonaws.com","eventName":"` + name + `","awsRegion":"us-east-1",` +
			`"sourceIPAddress":"203.0.113.9","eventID":"` + name + at + `",` +
			`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/` + user + `",` +
			`"accountId":"111122223333"}}`
	}
	logs := filepath.Join(dir, "logs", "trail.json")
	write(t, logs, `{"Records":[`+strings.Join([]string{
		record("GetSecretValue", "00:00", "eve"),
		record("ListAccessKeys", "03:00", "eve"),
		record("GetSecretValue", "05:00", "eve"),
		// Another user's two calls are a group of their own, too few.
		record("GetSecretValue", "06:00", "bob"),
		record("ListAccessKeys", "07:00", "bob"),
	}, ",")+`]}`)
	res := scanWith(t, c, rules, logs)
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule.Title+" "+f.Rule.File+" "+f.Actor.ARN)
		if f.Correlation == nil {
			t.Errorf("a finding of %s, which only feeds the correlation", f.Rule.Title)
		}
	}
	want := []string{"secret burst " + rules + " arn:aws:iam::111122223333:user/eve"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// TestCatalogRuleOneDocument checks that a rule file of a catalog technique
// holding a second YAML document is refused, by validation and by scans,
// at that document: the catalog keeps one rule a file.
func TestCatalogRuleOneDocument(t *testing.T) {
	var second int
	dir, path := catalogtest.EditedOverlay(t, func(data []byte) []byte {
		second = strings.Count(string(data), "\n") + 1
		return []byte(string(data) + "---\n" + listDoc)
	})
	c, err := catalog.Load(catalog.Embedded(), catalog.Overlay(dir))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	want := path + ":" + strconv.Itoa(second) +
		":1: a second YAML document starts here: a rule file of the catalog holds one rule"
	var problems []string
	for _, p := range ruleset.CheckOverlaySamples(c) {
		problems = append(problems, p.String())
	}
	if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, want) }) {
		t.Errorf("validation: %q, want one starting %q", problems, want)
	}
	err = ruleset.CheckRule(path, []byte(docs(readDoc, listDoc)))
	if err == nil || errors.Is(err, detect.ErrUnsupported) {
		t.Errorf("CheckRule: %v, want an error that is no unsupported feature", err)
	}
	_, err = ruleset.Load(c, nil)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load: %v, want an error starting %q", err, want)
	}
}

// TestBundleRulesWithoutIDs checks that two rules of one file that have
// no id, and match the same record for the same technique, both report
// it: the duplicate check and the report's rows know a rule by its line
// in the file too, which findings carry.
func TestBundleRulesWithoutIDs(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "two.yml")
	rule := func(title string) string {
		return "title: " + title + "\nlogsource:\n  product: aws\n  service: cloudtrail\n" +
			"detection:\n  sel:\n    eventName: StopLogging\n  condition: sel\nlevel: high\ntags:\n  - attack.t1562.008\n"
	}
	write(t, rules, rule("one")+"---\n"+rule("two"))
	logs := filepath.Join(dir, "trail.json")
	write(t, logs, `{"Records":[{"eventVersion":"1.10","eventTime":"2026-03-14T02:00:00Z",`+
		`"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"e1",`+
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/eve"}}]}`)
	res := scanWith(t, c, rules, logs)
	var got []string
	for _, f := range res.Findings {
		if f.Rule.Origin == string(ruleset.FromExternal) {
			got = append(got, fmt.Sprintf("%s line %d", f.Rule.Title, f.Rule.Line))
		}
	}
	slices.Sort(got)
	if want := []string{"one line 1", "two line 13"}; !slices.Equal(got, want) || res.Summary.Duplicates != 0 {
		t.Errorf("findings of the file's rules %q, %d duplicates; want %q, none", got, res.Summary.Duplicates, want)
	}
}

// scanWith scans logs on one worker with the catalog's rules and those of
// the rule file rules.
func scanWith(t *testing.T, c *catalog.Catalog, rules, logs string) *scan.Result {
	t.Helper()
	set, err := ruleset.Load(c, []string{rules})
	if err != nil {
		t.Fatal(err)
	}
	res, err := scan.New(c, set, scan.Options{Workers: 1}).Scan(context.Background(), []string{logs})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
