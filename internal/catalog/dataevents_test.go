package catalog_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// withRuleAnalysis installs the rule analysis ttc's commands install, for
// the duration of t.
func withRuleAnalysis(t *testing.T) {
	t.Helper()
	catalog.SetRuleAnalyser(ruleset.AnalyseRules)
	t.Cleanup(func() { catalog.SetRuleAnalyser(nil) })
}

// dataTechnique writes an overlay technique ID of service s3 that lists
// events, with flag as its data_events_required line ("" for none) and
// rules by file name.
func dataTechnique(t *testing.T, dir, id, events, flag string, rules map[string]string) {
	t.Helper()
	tdir := filepath.Join(dir, "techniques", id)
	if err := os.MkdirAll(filepath.Join(tdir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if flag != "" {
		flag = "\n  data_events_required: " + flag
	}
	entry := fmt.Sprintf(`id: %s
name: "Test: %s"
aws_specific: false
tactics: [TA0009]
services: [s3]
summary: An actor reads a bucket.
prerequisites: The actor holds credentials.
description: A description in our own words.
detection:
  guidance: Look at the logs.
  cloudtrail_events: [%s]%s
  blind_spots: Calls made outside the account.
mitigations:
  - id: block-sse-c-uploads
    effect: Stops it.
references:
  - title: Docs
    url: https://docs.aws.amazon.com/
attack:
  version: "18.1"
first_seen: 2025-06-01
updated: 2026-12-04
`, id, id, events, flag)
	if err := os.WriteFile(filepath.Join(tdir, "technique.yaml"), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	// The loader counts the samples; what they hold is the rule checks' to test.
	for _, s := range []string{"match/m1.json", "match/m2.json", "nomatch/n1.json", "nomatch/n2.json"} {
		p := filepath.Join(tdir, "samples", s)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range rules {
		if err := os.WriteFile(filepath.Join(tdir, "rules", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// s3Rule is a rule on S3 records whose selection is the given YAML (two
// spaces in), with the condition cond.
func s3Rule(name, selection, cond string) string {
	return fmt.Sprintf(`title: Test rule %s
id: test-%s
name: %s
level: low
logsource:
  product: aws
  service: cloudtrail
detection:
%s
  condition: %s
`, name, name, name, selection, cond)
}

var (
	getObject   = s3Rule("reads", "  sel:\n    eventSource: s3.amazonaws.com\n    eventName: GetObject", "sel")
	listBuckets = s3Rule("lists", "  sel:\n    eventSource: s3.amazonaws.com\n    eventName: ListBuckets", "sel")
	// The bucket ACL is a management event, the object ACL a data event:
	// the rule sees part of what it flags only with data events.
	bothACLs = s3Rule("acls", "  sel:\n    eventSource: s3.amazonaws.com\n    eventName: [PutBucketAcl, PutObjectAcl]", "sel")
	// A rule that names no event can flag data events, but needs none.
	anyRefused = s3Rule("refused", "  sel:\n    errorCode: AccessDenied", "sel")
	// A branch that names GetObject needs data events, though the other
	// names none.
	orRefused = s3Rule("readorrefused", "  read:\n    eventName: GetObject\n  refused:\n    errorCode: AccessDenied", "read or refused")
	burst     = "title: Test burst\nname: burst\ncorrelation:\n  type: event_count\n  rules: [reads]\n  timespan: 5m\n  condition:\n    gte: 10\nlevel: low\n"
	broken    = s3Rule("broken", "  sel:\n    eventName: GetObject", "sel and nothere")
)

// TestDataEventsFlag checks detection.data_events_required against the
// rules: a written value that contradicts them is a problem at the field,
// naming the rules when it says false, and a missing one is derived.
func TestDataEventsFlag(t *testing.T) {
	withRuleAnalysis(t)
	for _, tc := range []struct {
		name   string
		events string
		flag   string // as written; "" leaves it out
		rules  map[string]string
		want   string // a problem's text; "" for none
		flagIs bool   // the flag as loaded, when there is no problem
	}{
		{"data rule said false", "s3:GetObject", "false", map[string]string{"reads.yml": getObject},
			"technique.yaml:12:25: data_events_required is false, but rules need data events: reads.yml (s3:GetObject); say true", false},
		{"management rule said true", "s3:ListBuckets", "true", map[string]string{"lists.yml": listBuckets},
			"technique.yaml:12:25: data_events_required is true, but no rule that reports T9101 needs data events", false},
		{"data rule said true", "s3:GetObject", "true", map[string]string{"reads.yml": getObject}, "", true},
		{"management rule said false", "s3:ListBuckets", "false", map[string]string{"lists.yml": listBuckets}, "", false},
		{"mixed rules said false", "s3:GetObject, s3:ListBuckets", "false", map[string]string{"reads.yml": getObject, "lists.yml": listBuckets},
			"rules need data events: reads.yml (s3:GetObject)", false},
		{"rule partly on data events", "s3:PutBucketAcl, s3:PutObjectAcl", "false", map[string]string{"acls.yml": bothACLs},
			"rules need data events: acls.yml (s3:PutObjectAcl)", false},
		{"rule naming no event said true", "s3:GetObject", "true", map[string]string{"refused.yml": anyRefused},
			"no rule that reports T9101 needs data events", false},
		{"one branch on a data event", "s3:GetObject", "false", map[string]string{"readorrefused.yml": orRefused},
			"rules need data events: readorrefused.yml (s3:GetObject)", false},
		{"correlation counts data events", "s3:GetObject", "false", map[string]string{"reads.yml": getObject, "burst.yml": burst},
			"rules need data events: burst.yml (s3:GetObject); reads.yml (s3:GetObject)", false},
		{"left out, derived true", "s3:GetObject", "", map[string]string{"reads.yml": getObject}, "", true},
		{"left out, derived false", "s3:ListBuckets", "", map[string]string{"lists.yml": listBuckets}, "", false},
		{"data event not listed", "s3:ListBuckets", "true", map[string]string{"reads.yml": getObject},
			"technique.yaml:11:22: rule reads.yml needs the data event s3:GetObject; list it", false},
		// A rule that does not compile is the rule checks' to report; what
		// it needs is not known, so the flag stands as written.
		{"broken rule", "s3:GetObject", "true", map[string]string{"broken.yml": broken}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			dataTechnique(t, dir, "T9101", tc.events, tc.flag, tc.rules)
			c, err := catalog.Open(dir)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				tech, _ := c.Technique("T9101")
				if got := tech.Detection.DataEventsRequired; got != tc.flagIs {
					t.Errorf("data_events_required = %t, want %t", got, tc.flagIs)
				}
				return
			}
			var le *catalog.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Open = %v, want a *LoadError", err)
			}
			var got []string
			for _, p := range le.Problems {
				got = append(got, p.String())
			}
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("problems do not say %q:\n%s", tc.want, strings.Join(got, "\n"))
			}
			if !slices.ContainsFunc(got, func(p string) bool {
				return strings.HasPrefix(p, filepath.Join(dir, "techniques", "T9101", "technique.yaml"))
			}) {
				t.Errorf("no problem names the technique's file:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// TestDataEventsFlagByTag checks that a rule which reports a second
// technique by its ttc.<ID> tag counts for that one's flag too.
func TestDataEventsFlagByTag(t *testing.T) {
	withRuleAnalysis(t)
	dir := t.TempDir()
	tagged := strings.Replace(getObject, "level: low\n", "level: low\ntags:\n  - ttc.t9102\n", 1)
	dataTechnique(t, dir, "T9101", "s3:GetObject", "true", map[string]string{"reads.yml": tagged})
	dataTechnique(t, dir, "T9102", "s3:GetObject", "false", map[string]string{"lists.yml": listBuckets})
	_, err := catalog.Open(dir)
	var le *catalog.LoadError
	if !errors.As(err, &le) || len(le.Problems) != 1 {
		t.Fatalf("Open = %v, want one problem", err)
	}
	want := "T9102/technique.yaml:12:25: data_events_required is false, but rules need data events: " +
		filepath.Join(dir, "techniques", "T9101", "rules", "reads.yml") + " by its tag ttc.t9102 (s3:GetObject)"
	if got := le.Problems[0].String(); !strings.Contains(got, want) {
		t.Errorf("problem = %s\nwant it to hold %s", got, want)
	}
}

// TestDataEventsFlagCatalog checks the embedded catalog: every technique's
// written flag agrees with its rules, and every one whose rules need data
// events writes it, so that a program that loads the catalog without the
// rule analysis reads the same flags.
func TestDataEventsFlagCatalog(t *testing.T) {
	plain, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	withRuleAnalysis(t)
	analysed, err := catalog.Open()
	if err != nil {
		t.Fatalf("the embedded catalog, checked against its rules: %v", err)
	}
	needing, rules := 0, 0
	for _, tech := range analysed.Techniques() {
		p, _ := plain.Technique(tech.ID)
		if p.Detection.DataEventsRequired != tech.Detection.DataEventsRequired {
			t.Errorf("%s: data_events_required is %t as written, %t from its rules; write it", tech.ID, p.Detection.DataEventsRequired, tech.Detection.DataEventsRequired)
		}
		if tech.Detection.DataEventsRequired {
			needing++
		}
		for _, f := range tech.Rules {
			if len(analysed.RuleDataEvents(f)) > 0 {
				rules++
			}
		}
	}
	t.Logf("%d techniques have rules that need data events, %d rules in all", needing, rules)
	if needing == 0 || rules == 0 {
		t.Error("no rule of the catalog needs data events: the analysis found none")
	}
}
