package ruleset_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/awsapi"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/catalog/catalogtest"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// The event check ttc installs at start-up: rule event names are checked
// against it.
func init() {
	catalog.SetEventChecker(awsapi.CheckEvent)
	catalog.SetEventNamer(awsapi.CloudTrailNames)
}

// TestCatalogSamples sweeps every sample of every rule in the embedded catalog.
func TestCatalogSamples(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatalf("embedded catalog: %v", err)
	}
	for _, p := range ruleset.CheckSamples(c) {
		t.Error(p.String())
	}
	rules, samples := 0, 0
	for _, tech := range c.Techniques() {
		rules += len(tech.Rules)
		samples += len(tech.Samples)
	}
	t.Logf("%d rules, %d samples checked", rules, samples)
}

// TestBrokenSamples checks that each kind of disagreement is reported.
func TestBrokenSamples(t *testing.T) {
	src := catalog.Overlay(filepath.Join("testdata", "broken"))
	c, err := catalog.Load(catalog.Embedded(), src)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var got []string
	for _, p := range ruleset.CheckSamples(c) {
		// The duplicate ID is reported at whichever of the two files comes second.
		if strings.Contains(p.File, "testdata/broken") || strings.Contains(p.Message, "testdata/broken") {
			got = append(got, p.String())
		}
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"broken.yml:8:", // the unknown modifier, at its line
		"not_flagged.json: match sample is not flagged by any rule of T1485 (2 of its rules could not be used: see above)",
		// A rule that does not parse still has its other problems reported.
		"aggregated.yml:9:14: unsupported sigma feature",
		`aggregated.yml:10:8: level "urgent" is no Sigma level`,
		"flagged.json: nomatch sample is flagged by rule delete_bucket.yml",
		"truncated.json:1:17: sample is not valid JSON: unexpected end of JSON input",
		"latin1.json:1:100: sample is not UTF-8 text",
		"delete_bucket.yml:1: rule flags 1 of the match samples, want at least 2",
		"rule id 5f0b6a3e-6d0e-4c55-9a43-1f6f2b8f6c01 is also the id of testdata/broken/techniques/T1485/rules/dup_id.yml",
		// Misspelt events, at their place in the rule; samples ttc scan
		// would reject.
		`typo.yml:8:18: eventSource "s3.amazonaws.con" is the event source of no service`,
		`typo.yml:11:9: eventName "DeleteBuckit" is not listed by T1485`,
		// A name beside an event source that does not have it.
		`unpaired.yml:9:16: eventName "DeleteBucket" is no event of cloudtrail.amazonaws.com, the event source beside it`,
		// A name in one selection, a source in another the condition
		// requires with it: at the top, in a list of conditions, through
		// "all of" and parentheses.
		`across.yml:10:16: eventName "DeleteBucket" is no event of cloudtrail.amazonaws.com, the event source of selection trail_source, which the condition requires with it`,
		`across.yml:15:16: eventName "DeleteBucketPolicy" is no event of cloudtrail.amazonaws.com or iam.amazonaws.com, the event sources of selection pair_source`,
		`across.yml:17:16: eventName "PutBucketPolicy" is no event of cloudtrail.amazonaws.com, the event source of selection trail_source`,
		// Names that match nothing as written: a field in other case, a
		// service's key for its event source, an API name CloudTrail logs otherwise.
		`miscased.yml:8:5: field "EventSource": CloudTrail writes eventSource`,
		`miscased.yml:11:18: eventSource "s3" is the event source of no service of the catalog`,
		`miscased.yml:15:16: eventName "PutBucketLifecycleConfiguration": CloudTrail logs it as PutBucketLifecycle`,
		`miscased.yml:18:5: field "userIdentity.Arn": CloudTrail writes userIdentity.arn`,
		`miscased.yml:21:16: eventName "DeleteBucket" is no event of cloudtrail.amazonaws.com`,
		`miscased.yml:24:32: field "UserIdentity.Arn": CloudTrail writes userIdentity.arn`,
		`miscased_count.yml:8:7: group-by field "UserIdentity.arn": CloudTrail writes userIdentity.arn`,
		`miscased_count.yml:11:12: counted field "RequestParameters.bucketName": CloudTrail writes requestParameters.bucketName`,
		"dupkey.json: ttc scan would reject the sample",
		"badtime.json: ttc scan would reject the sample: its eventTime is missing or no timestamp",
		"late_session.json: the sample's session is created after its event",
		"hidden_text.yml:1:8: title holds the invisible character U+202E",
		"hidden_text.yml:5:5: falsepositives holds the invisible character U+3164",
		`hidden_text.yml:16:8: level "Extreme" is no Sigma level (informational, low, medium, high, critical)`,
		"old_session.json: the sample's session is 1416h0m0s old at its event, and AWS sessions last at most 36h0m0s",
		// A catalog rule's ttc.<ID> tags must name entries, which must list its events.
		`also_reports.yml:5:5: tag "ttc.t9999" names no technique of the catalog`,
		`also_reports.yml:13:16: eventName "DeleteUser" is not listed by T1537 and is no event of its services (`,
		`) (the rule reports T1537 by its tag ttc.t1537)`,
		`also_reports.yml:6:5: tag "ttc.t1491" names T1491, which lists no CloudTrail events: the tag adds nothing`,
		// What Sigma refuses in a catalog rule, though the matcher runs it.
		`not_sigma.yml:2:5: id "not-a-uuid" is no UUID`,
		`not_sigma.yml:3:9: status "bogus" is no Sigma status`,
		`not_sigma.yml:7:5: tag "NotATag" is not of Sigma's form namespace.value`,
		`not_sigma.yml:8:5: tag "attack.bogus-tactic" is no ATT&CK technique, tactic, group, ` +
			`software or campaign`,
		`not_sigma.yml:10:5: tag "attack.ta0040" names a tactic by its ID: Sigma writes attack.impact`,
		`not_sigma.yml:18:3: search "unused" is never named by the condition`,
		`not_sigma.yml:20:3: search "_helper" is never named by the condition`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no problem mentions %q; got:\n%s", want, all)
		}
	}
	// An ATT&CK technique the catalog lacks is a tag for other tools.
	if strings.Contains(all, "not_sigma.yml:6:") {
		t.Errorf("a tag naming an ATT&CK technique ID is reported; got:\n%s", all)
	}
	// A problem of the rule itself is reported once, not again for each
	// entry a ttc.<ID> tag names.
	for _, want := range []string{
		`also_reports_pair.yml:12:16: eventName "DeleteBucket" is no event of iam.amazonaws.com`,
		`also_reports_pair.yml:14:5: field "userIdentity.Arn"`,
	} {
		if n := strings.Count(all, want); n != 1 {
			t.Errorf("%q is reported %d times, want once; got:\n%s", want, n, all)
		}
	}
	// A selection named twice through an alias is reported once.
	if n := strings.Count(all, `miscased.yml:21:16:`); n != 1 {
		t.Errorf("the aliased selection is reported %d times, want once", n)
	}
	// null is no event source (Sigma reads it as a missing field).
	if strings.Contains(all, `eventSource "null"`) {
		t.Errorf("a null event source is reported; got:\n%s", all)
	}
	// Selections that may go unmatched (under or, not, "1 of"), or pin
	// no source (a map without one, null, a wildcard, a modifier), pair
	// with nothing.
	for _, p := range got {
		if strings.Contains(p, "across_free.yml") && strings.Contains(p, "eventName") {
			t.Errorf("a name is paired with a selection not always required, or pinning no source: %s", p)
		}
	}
	// A list of sources pairs each name with any of them.
	if strings.Contains(all, "unpaired.yml:15:") {
		t.Errorf("a name one of its listed sources has is reported; got:\n%s", all)
	}
}

// TestSigmaProblems checks which searches a condition names, alone or
// through a pattern, and that an id is required of a catalog rule.
func TestSigmaProblems(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		head, condition string
		want            []string
	}{
		{"id: 0b0c6f52-3f38-4d83-8d44-2a9f5d1e0001\nstatus: stable\n", "sel_a and not filter", []string{`search "sel_b"`, `search "_c"`}},
		{"id: 0B0C6F52-3F38-4D83-8D44-2A9F5D1E0001\n", "1 of sel_* and not filter and _c", nil},
		{"id: 0b0c6f52-3f38-4d83-8d44-2a9f5d1e0001\n", "all of them", []string{`search "_c"`}},
		{"id: 0b0c6f52-3f38-4d83-8d44-2a9f5d1e0001\n", "(sel_a or sel_b) and not (filter or _c)", nil},
		{"id: 0b0c6f52-3f38-4d83-8d44-2a9f5d1e0001\n", "[sel_a, 1 of sel_b, 'filter and _c']", nil},
		{"", "1 of * ", []string{"rule has no id"}},
	} {
		text := "title: t\n" + tc.head + "logsource: {product: aws, service: cloudtrail}\n" +
			"detection:\n  sel_a: {eventName: A}\n  sel_b: {eventName: B}\n  filter: {eventName: C}\n  _c: {eventName: D}\n" +
			"  condition: " + tc.condition + "\n"
		r, err := detect.ParseRule("r.yml", []byte(text))
		if err != nil {
			t.Fatalf("%s: %v", tc.condition, err)
		}
		var got []string
		for _, p := range ruleset.SigmaProblems(c, r) {
			got = append(got, p.Message)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %q, want %d problems", tc.condition, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: problem %q, want it to name %s", tc.condition, got[i], w)
			}
		}
	}
}

// TestSigmaProblemsOperatorWords checks that a tag naming a tactic by its
// ID is told the short name ATT&CK gives that ID, and that a search named
// like a word the condition uses as an operator is not taken as named by
// that word.
func TestSigmaProblemsOperatorWords(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[string]string{"attack.ta0112": "attack.defense-impairment", "attack.ta0005": "attack.defense-evasion"} {
		text := "title: t\nid: 0b0c6f52-3f38-4d83-8d44-2a9f5d1e0001\nlogsource: {product: aws, service: cloudtrail}\n" +
			"tags: [" + tag + "]\ndetection:\n  sel: {eventName: A}\n  condition: sel\n"
		r, err := detect.ParseRule("r.yml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if ps := ruleset.SigmaProblems(c, r); len(ps) != 1 || !strings.Contains(ps[0].Message, "Sigma writes "+want) {
			t.Errorf("%s: problems %v, want one naming %s", tag, ps, want)
		}
	}
	for _, name := range []string{"of", "not", "and", "1", "all", "or", "them"} {
		text := "title: t\nid: 0b0c6f52-3f38-4d83-8d44-2a9f5d1e0001\nlogsource: {product: aws, service: cloudtrail}\n" +
			"detection:\n  sel_a: {eventName: A}\n  sel_b: {eventName: B}\n  '" + name + "': {eventName: C}\n" +
			"  condition: 1 of sel_* and not sel_b or all of sel_a\n"
		r, err := detect.ParseRule("r.yml", []byte(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ps := ruleset.SigmaProblems(c, r)
		if len(ps) != 1 || !strings.Contains(ps[0].Message, `search "`+name+`" is never named`) {
			t.Errorf("search %q: problems %v, want it reported as never named", name, ps)
		}
	}
}

// TestSigmaProblemsTemplates checks that a search holding an anchor,
// which others take in through a merge key, need not be named.
func TestSigmaProblemsTemplates(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	text := "title: t\nid: 0b0c6f52-3f38-4d83-8d44-2a9f5d1e0001\nlogsource: {product: aws, service: cloudtrail}\n" +
		"detection:\n  base: &base\n    eventSource: s3.amazonaws.com\n  sel:\n    <<: *base\n    eventName: DeleteBucket\n" +
		"  unused:\n    eventName: PutObject\n  condition: sel\n"
	r, err := detect.ParseRule("r.yml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	ps := ruleset.SigmaProblems(c, r)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, `search "unused" is never named`) {
		t.Errorf("problems %v, want only the search without an anchor", ps)
	}
}

// TestCatalogRuleTechniques checks that a catalog rule reports the technique
// of its folder, then those its ttc.<ID> tags name, and that its attack.t*
// tags, written for other tools, add none.
func TestCatalogRuleTechniques(t *testing.T) {
	_, s := catalogtest.Rules(t)
	want := map[string][]string{
		"snapshot_shared_outside_account.yml": {"T1578.001", "T1537"},
		"s3_replication_to_other_account.yml": {"T1530", "T1537"},
		"data_given_to_another_account.yml":   {"T1537"},
		// Tagged attack.t1485 and attack.t1485.a001's folder only.
		"rds_delete_without_final_snapshot.yml": {"T1485.A001"},
	}
	for _, r := range s.Rules() {
		if w, ok := want[filepath.Base(r.File)]; ok {
			if !slices.Equal(r.Techniques, w) {
				t.Errorf("%s reports %v, want %v", r.File, r.Techniques, w)
			}
			delete(want, filepath.Base(r.File))
		}
	}
	for f := range want {
		t.Errorf("rule %s not loaded", f)
	}
}

// TestCheckOverlaySamples checks that the overlay-only check names an
// overlay rule that reuses the ID of an embedded rule, as CheckSamples does,
// and reports nothing of the embedded techniques.
func TestCheckOverlaySamples(t *testing.T) {
	const embedded = "9d4c2b71-6e8a-4f13-b5d0-3a7e1c9f2b46" // T1098.003's GitHub subject rule
	dir, _ := catalogtest.EditedOverlay(t, func(data []byte) []byte {
		return []byte(strings.Replace(string(data), "id: 5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f", "id: "+embedded, 1))
	})
	c, err := catalog.Load(catalog.Embedded(), catalog.Overlay(dir))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var got []string
	for _, p := range ruleset.CheckOverlaySamples(c) {
		if !strings.HasPrefix(p.File, dir) {
			t.Errorf("problem outside the overlay: %s", p)
		}
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	if !strings.Contains(all, "rule id "+embedded+" is also the id of catalog/techniques/T1098.003/rules/iam_role_trusts_github_without_subject.yml") {
		t.Errorf("the reused ID is not named; got:\n%s", all)
	}
}

// TestSigmaHQRules loads SigmaHQ's CloudTrail rules as external rules and
// maps their ATT&CK tags onto the catalog.
func TestSigmaHQRules(t *testing.T) {
	dir, c := sigmaHQ(t)
	s, err := ruleset.Load(c, []string{dir})
	if err != nil {
		t.Logf("refused: %v", err)
	}
	ext, mapped := 0, 0
	for _, r := range s.Rules() {
		if r.Origin == ruleset.FromExternal {
			ext++
			if len(r.Techniques) > 0 {
				mapped++
			}
		}
	}
	if ext < 50 {
		t.Errorf("only %d SigmaHQ rules compiled", ext)
	}
	t.Logf("%d external rules compiled, %d mapped to catalog techniques", ext, mapped)
}

// TestSigmaHQPairs checks that no event name of SigmaHQ's rules is
// reported as one the event sources of another selection, which the
// condition requires with it, do not have: a report would likely be the
// check's mistake. The shared rules give the check little to do (none
// requires two selections, one of them pinning the event source: they
// pin it beside the names, or join selections under or and 1 of), so
// this guards against reports where nothing is required together; the
// fixture across_free.yml holds valid pairs that must stay quiet. (Three
// of SigmaHQ's rules pair names with sources in one selection that
// CloudTrail never writes together, route53 for route53domains'
// DisableDomainTransferLock, and are reported as such by the other check.)
func TestSigmaHQPairs(t *testing.T) {
	dir, c := sigmaHQ(t)
	rules := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rs, err := detect.ParseRules(path, data)
		if err != nil {
			t.Logf("%s: %v", path, err)
		}
		for _, r := range rs {
			rules++
			if names := ruleset.UnpairedAcross(c, r); len(names) > 0 {
				t.Errorf("%s: reported %q", path, names)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rules < 50 {
		t.Errorf("only %d SigmaHQ rules read", rules)
	}
}

func TestMapTags(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		tags             []string
		techniques, tact []string
	}{
		{[]string{"attack.t1562.008", "attack.defense-evasion"}, []string{"T1562.008"}, []string{"TA0005"}},
		{[]string{"attack.t1562.001", "attack.stealth"}, []string{"T1562"}, []string{"TA0005"}},
		{[]string{"attack.T1485", "attack.impact", "car.2013-01-001"}, []string{"T1485"}, []string{"TA0040"}},
		// An ATT&CK tactic the catalog has no technique for still counts.
		{[]string{"attack.t9999", "attack.reconnaissance"}, nil, []string{"TA0043"}},
		{[]string{"attack.no-such-tactic", "attack.command-and-control"}, nil, []string{"TA0011"}},
		// Older Sigma tags join a tactic's words with '_'.
		{[]string{"attack.command_and_control", "attack.defense_evasion"}, nil, []string{"TA0011", "TA0005"}},
		// ATT&CK v19 IDs the catalog lists as aliases.
		{[]string{"attack.t1685.002", "attack.defense-impairment"}, []string{"T1562.008"}, []string{"TA0005"}},
		{[]string{"attack.t1686.001"}, []string{"T1562.007"}, nil},
		{[]string{"attack.t1685"}, []string{"T1562"}, nil},
		// ttc export sigma's own tags name the catalog entry, which
		// outranks the ATT&CK parent the attack tag names.
		{[]string{"attack.impact", "attack.t1486", "ttc.t1486.a001"}, []string{"T1486.A001"}, []string{"TA0040"}},
		{[]string{"TTC.AT1023.001"}, []string{"AT1023.001"}, nil},
		// A ttc tag naming no entry leaves the attack tags to decide.
		{[]string{"attack.t1486", "ttc.t9999.a001"}, []string{"T1486"}, nil},
	}
	for _, tc := range cases {
		tech, tact := ruleset.MapTags(c, tc.tags)
		if !slices.Equal(tech, tc.techniques) || !slices.Equal(tact, tc.tact) {
			t.Errorf("MapTags(%v) = %v, %v; want %v, %v", tc.tags, tech, tact, tc.techniques, tc.tact)
		}
	}
}

func TestAtLeast(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	all, err := ruleset.Load(c, []string{filepath.Join("testdata", "levels")})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	record := []byte(`{"eventVersion":"1.11","eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","eventTime":"2026-01-05T00:00:00Z"}`)
	tests := []struct {
		min  string
		want []string // the test rules that must still flag the record
	}{
		{"informational", []string{"informational", "low", "medium", "high", "critical", "none", "odd"}},
		{"low", []string{"low", "medium", "high", "critical", "none", "odd"}},
		{"Medium", []string{"medium", "high", "critical", "none", "odd"}},
		{"critical", []string{"critical", "none", "odd"}},
	}
	for _, tt := range tests {
		t.Run(tt.min, func(t *testing.T) {
			sub, dropped, err := all.AtLeast(tt.min)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(all.Rules()) - len(sub.Rules()); got != dropped {
				t.Errorf("dropped = %d, but the set shrank by %d", dropped, got)
			}
			ms, err := sub.Matcher.Match(record)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				if r := sub.Lookup(m.Rule); r != nil && r.Origin == ruleset.FromExternal {
					got = append(got, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(r.File), "rule_"), ".yml"))
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("rules flagging the record: %v, want %v", got, want)
			}
		})
	}
	if _, _, err := all.AtLeast("urgent"); err == nil || !strings.Contains(err.Error(), "urgent") {
		t.Errorf("AtLeast(urgent) error = %v, want one naming the level", err)
	}
}

func TestUnmappedTags(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ruleset.Load(c, []string{filepath.Join("testdata", "unmapped")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Rules() {
		if r.Origin != ruleset.FromExternal {
			continue
		}
		if len(r.Techniques) != 0 {
			t.Errorf("techniques %v, want none: the catalog holds none of the tags", r.Techniques)
		}
		if want := []string{"T1548", "T1550", "T1550.001"}; !slices.Equal(r.Unmapped, want) {
			t.Errorf("unmapped %v, want %v", r.Unmapped, want)
		}
		return
	}
	t.Fatal("the test rule did not load")
}

// TestLint checks what Lint finds in a rule that loads: a level Sigma does
// not define and attack tags that name nothing, and that it leaves real
// tags (techniques, tactics old and new, groups, software) alone.
func TestLint(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		level string
		tags  []string
		want  []string
	}{
		{"high", []string{"attack.t1562.008", "attack.defense_evasion", "attack.stealth", "attack.g0016", "attack.s0002",
			"attack.c0001", "attack.exfiltration", "attack.command-and-control", "cve.2021-1234", "detection.threat-hunting"}, nil},
		{"", nil, nil},
		{"extreme", nil, []string{`level "extreme"`}},
		{"High", []string{"attack.tXYZ", "attack.exfil", "attack.t1562.8"},
			[]string{`tag "attack.tXYZ"`, `tag "attack.exfil"`, `tag "attack.t1562.8"`}},
		{"high", []string{"attack.t1486", "ttc.t1486.a001"}, nil},
		{"high", []string{"attack.t1486", "ttc.t9999.a001"}, []string{`tag "ttc.t9999.a001" names no entry`}},
		// An ID of the catalog's own under attack.* is named, with the tag
		// that reports it.
		{"high", []string{"attack.t1485.a003", "attack.at1667"},
			[]string{`names the catalog's T1485.A003, which is no ATT&CK ID: write ttc.t1485.a003`, `write ttc.at1667`}},
	} {
		r := &ruleset.Rule{Rule: &detect.Rule{Level: tc.level, Tags: tc.tags}}
		got := ruleset.Lint(c, r)
		if len(got) != len(tc.want) {
			t.Errorf("level %q, tags %v: %q, want %d problems", tc.level, tc.tags, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("problem %q, want it to name %s", got[i], w)
			}
		}
	}
}

// TestCatalogCopiesLeftOut checks that catalog rules written out as
// `ttc export sigma` writes them (tags added, text re-encoded) and given
// back with --rules are left out as copies, not run twice, while a copy
// that was edited runs beside the catalog's own.
func TestCatalogCopiesLeftOut(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatalf("embedded catalog: %v", err)
	}
	dir := t.TempDir()
	var kept, edited string
	for _, tech := range c.Techniques() {
		if tech.ID != "T1486.A001" && tech.ID != "T1110.001" {
			continue
		}
		for _, f := range tech.Rules {
			out, err := attack.ExportSigmaRule(f.Data, tech)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, tech.ID+"_"+filepath.Base(f.Path))
			if edited == "" && strings.Contains(string(out), "level: high") {
				// An edit that changes what the rule reports.
				out, edited = []byte(strings.Replace(string(out), "level: high", "level: critical", 1)), name
			} else if kept == "" {
				kept = name
			}
			if err := os.WriteFile(name, out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if kept == "" || edited == "" {
		t.Fatal("no rules to copy")
	}
	base, err := ruleset.Load(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := ruleset.Load(c, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	if got, want := len(set.Copies()), len(files)-1; got != want {
		t.Errorf("%d copies left out, want %d: %v", got, want, set.Copies())
	}
	if !slices.Contains(set.Copies(), kept) || slices.Contains(set.Copies(), edited) {
		t.Errorf("copies %v: want %s among them, and not the edited %s", set.Copies(), kept, edited)
	}
	if got, want := len(set.Rules()), len(base.Rules())+1; got != want {
		t.Errorf("%d rules, want the catalog's %d and the edited copy", got, want-1)
	}
	if !slices.ContainsFunc(set.Rules(), func(r *ruleset.Rule) bool { return r.File == edited && r.Origin == ruleset.FromExternal }) {
		t.Errorf("the edited copy %s does not run", edited)
	}
}

// sigmaHQ returns the shared SigmaHQ rules' folder, skipping the test when
// it is not there, and the embedded catalog.
func sigmaHQ(t *testing.T) (string, *catalog.Catalog) {
	t.Helper()
	dir := "../../../shared/testdata/sigma/rules"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared SigmaHQ rules not available: %v", err)
	}
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	return dir, c
}
