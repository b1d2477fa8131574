package scan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// corrRules writes a rule for DeleteObject calls and an event_count
// correlation over it (five calls by one caller within a minute) to a
// folder, and loads them beside the catalog's.
func corrRules(t *testing.T, generate bool, cond string) *ruleset.Set {
	t.Helper()
	c, _ := fixtures(t)
	dir := t.TempDir()
	base := `title: Object deleted
name: object_deleted
id: 0d1e2f30-0000-4000-8000-000000000001
tags: [attack.impact, attack.t1485]
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventSource: s3.amazonaws.com, eventName: DeleteObject}
  condition: sel
level: low
`
	corr := fmt.Sprintf(`title: Burst of deletions
id: 0d1e2f30-0000-4000-8000-000000000002
tags: [attack.impact, attack.t1485]
correlation:
  type: event_count
  rules: [object_deleted]
  group-by: [userIdentity.arn]
  timespan: 1m
  condition: {%s}
  generate: %v
level: high
`, cond, generate)
	for name, body := range map[string]string{"base.yml": base, "burst.yml": corr} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := ruleset.Load(c, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// deletion is a DeleteObject record by arn ("" for none) at second sec.
func deletion(arn, id string, sec int) string {
	who := `"type":"Unknown"`
	if arn != "" {
		who = `"type":"IAMUser","arn":"` + arn + `"`
	}
	at := time.Date(2027, 1, 11, 3, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format(time.RFC3339)
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{%s},"eventTime":"%s","eventSource":"s3.amazonaws.com",`+
		`"eventName":"DeleteObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",`+
		`"requestParameters":{"bucketName":"b","key":"k%s"},"eventID":"%s","recipientAccountId":"111122223333"}`, who, at, id, id)
}

// writeLogs writes each list of records to a file of its own.
func writeLogs(t *testing.T, files ...[]string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, recs := range files {
		p := filepath.Join(dir, fmt.Sprintf("log%d.json", i))
		if err := os.WriteFile(p, []byte(`{"Records":[`+strings.Join(recs, ",\n")+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// corrFindings returns the findings of correlation rules in res.
func corrFindings(res *scan.Result) []scan.Finding {
	var out []scan.Finding
	for _, f := range res.Findings {
		if f.Correlation != nil {
			out = append(out, f)
		}
	}
	return out
}

const alice = "arn:aws:iam::111122223333:user/alice"

// burst is five deletions by alice in 40 seconds, spread over three files
// in no order, with copies of two of them in a fourth (a second trail).
func burst() [][]string {
	return [][]string{
		{deletion(alice, "e4", 40), deletion(alice, "e1", 0)},
		{deletion(alice, "e3", 30)},
		{deletion(alice, "e2", 10), deletion(alice, "e5", 20)},
		{deletion(alice, "e2", 10), deletion(alice, "e4", 40)},
	}
}

func TestCorrelationScan(t *testing.T) {
	c, _ := fixtures(t)
	paths := writeLogs(t, burst()...)
	cases := []struct {
		cond  string
		count int64 // 0: no finding
	}{
		{"gte: 5", 5},
		{"gte: 6", 0}, // the copies do not count
		{"gt: 4", 5},
		{"gt: 5", 0},
	}
	for _, tc := range cases {
		t.Run(tc.cond, func(t *testing.T) {
			rs := corrRules(t, false, tc.cond)
			res, err := scan.New(c, rs, scan.Options{Workers: 4}).Scan(context.Background(), paths)
			if err != nil {
				t.Fatal(err)
			}
			// The base rule matched (seven records, two of them copies) but
			// reports nothing of its own.
			if res.Summary.Matched != 7 || len(res.Findings) != len(corrFindings(res)) {
				t.Fatalf("matched %d, %d findings of which %d correlations", res.Summary.Matched, len(res.Findings), len(corrFindings(res)))
			}
			fs := corrFindings(res)
			if tc.count == 0 {
				if len(fs) != 0 {
					t.Fatalf("%d correlation findings, want none", len(fs))
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d correlation findings, want 1", len(fs))
			}
			f := fs[0]
			cr := f.Correlation
			if cr.Count != tc.count || cr.FirstTime != "2027-01-11T03:00:00Z" || cr.LastTime != "2027-01-11T03:00:40Z" ||
				len(cr.Records) != 5 || len(cr.Group) != 1 || cr.Group[0].Value != alice || f.EventID != "e4" ||
				f.TechniqueID != "T1485" || f.Rule.Title != "Burst of deletions" || f.Rule.Level != "high" {
				t.Errorf("finding %+v, correlation %+v", f, cr)
			}
			if got := f.Evidence(); len(got) != 2 || got[0].Value != "5 events in 40s (1m at most)" {
				t.Errorf("evidence %v", got)
			}
		})
	}
}

// TestCorrelationGroups checks that groups are counted apart, that a
// missing group-by field is a group of its own, and that a long run is
// reported once per window it fills.
func TestCorrelationGroups(t *testing.T) {
	c, _ := fixtures(t)
	var recs []string
	for i := range 12 { // alice: a deletion every 10 s for two minutes
		recs = append(recs, deletion(alice, fmt.Sprintf("a%d", i), i*10))
	}
	for i := range 4 { // bob: four only
		recs = append(recs, deletion("arn:aws:iam::111122223333:user/bob", fmt.Sprintf("b%d", i), i))
	}
	for i := range 5 { // no caller ARN at all
		recs = append(recs, deletion("", fmt.Sprintf("n%d", i), 300+i))
	}
	rs := corrRules(t, false, "gte: 5")
	res, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(context.Background(), writeLogs(t, recs))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range corrFindings(res) {
		g := f.Correlation.Group[0]
		got = append(got, fmt.Sprintf("%s null=%v %d %s", g.Value, g.Null, f.Correlation.Count, f.EventID))
	}
	want := []string{
		alice + " null=false 7 a6",  // 0 s to 60 s, both ends included
		alice + " null=false 5 a11", // 70 s to 110 s
		" null=true 5 n4",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var js bytes.Buffer
	if err := json.NewEncoder(&js).Encode(corrFindings(res)[2]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"group":{"userIdentity.arn":null}`) {
		t.Errorf("JSON of the null group: %s", js.String())
	}
}

// TestCorrelationGenerate checks that generate: true lets the base rule
// report its own findings too.
func TestCorrelationGenerate(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, true, "gte: 5")
	res, err := scan.New(c, rs, scan.Options{Workers: 1}).Scan(context.Background(), writeLogs(t, burst()...))
	if err != nil {
		t.Fatal(err)
	}
	// Five findings of the base rule (the copies are duplicates), one of the correlation.
	if len(res.Findings) != 6 || len(corrFindings(res)) != 1 || res.Summary.Duplicates != 2 {
		t.Errorf("%d findings, %d of correlations, %d duplicates", len(res.Findings), len(corrFindings(res)), res.Summary.Duplicates)
	}
}

// TestCorrelationModes checks that a streamed scan, one that hands
// findings on and one that spills them to disk report the same
// correlation finding as one that keeps them.
func TestCorrelationModes(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	paths := writeLogs(t, burst()...)
	kept, err := scan.New(c, rs, scan.Options{Workers: 3}).Scan(context.Background(), paths)
	if err != nil || len(kept.Findings) != 1 {
		t.Fatalf("kept: %v, %d findings", err, len(kept.Findings))
	}
	want, _ := kept.Findings[0].MarshalJSON()

	var mu sync.Mutex
	var lines []byte
	res, err := scan.New(c, rs, scan.Options{Workers: 3, EmitJSON: func(b []byte) error {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, b...)
		return nil
	}}).Scan(context.Background(), paths)
	if err != nil || res.Summary.Findings != 1 || string(bytes.TrimSpace(lines)) != string(want) {
		t.Errorf("streamed: %v, %d findings:\n%s\nwant\n%s", err, res.Summary.Findings, lines, want)
	}

	spilled, err := scan.New(c, rs, scan.Options{Workers: 3, SpillAfter: 1, SpillDir: t.TempDir()}).Scan(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	defer spilled.Close()
	var got []byte
	if err := spilled.Each(func(f *scan.Finding) error {
		got, _ = f.MarshalJSON()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("spilled:\n%s\nwant\n%s", got, want)
	}
}

// TestCorrelationBounds checks that records past what a scan keeps for
// its correlations are counted, not kept.
func TestCorrelationBounds(t *testing.T) {
	c, _ := fixtures(t)
	defer scan.SetCorrelationLimits(3, 1<<20)()
	rs := corrRules(t, false, "gte: 5")
	res, err := scan.New(c, rs, scan.Options{Workers: 1}).Scan(context.Background(), writeLogs(t, burst()...))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.CorrelationNotKept != 4 || len(res.Findings) != 0 {
		t.Errorf("not kept %d, %d findings; want 4 and none", res.Summary.CorrelationNotKept, len(res.Findings))
	}
	// The report says so among its warnings, at the first record not kept:
	// the first of the third file, after the three of the first two.
	if len(res.Warnings) != 1 || res.Summary.Warnings != 1 || !strings.HasSuffix(res.Warnings[0].File, "log2.json") ||
		res.Warnings[0].Ordinal != 1 || !strings.Contains(res.Warnings[0].Reason, "could not keep 4 records") {
		t.Errorf("warnings %d (%+v), want one at log2.json record 1 saying 4 records were not kept", res.Summary.Warnings, res.Warnings)
	}
	restore := scan.SetCorrelationLimits(1<<16, 100) // bytes: not even one record
	defer restore()
	res, err = scan.New(c, rs, scan.Options{Workers: 1}).Scan(context.Background(), writeLogs(t, burst()...))
	if err != nil || res.Summary.CorrelationNotKept != 7 {
		t.Errorf("%v, not kept %d, want 7", err, res.Summary.CorrelationNotKept)
	}
}

// TestCorrelationShares: records of a rule that floods the bounds on what
// correlations keep do not take the room of another correlation's rules.
// The parts of the bounds hold records and bytes, so a rule whose every
// record opens a group of its own (a role session each) is bounded as
// much as one whose records share a group; and a record that two counted
// rules match takes room in the part of either, so a flood of one rule's
// records (root sign-in failures, T1110.001's) does not keep a spray of
// IAM users (T1110.003's too) from being counted.
func TestCorrelationShares(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5000")
	const samples = "../../catalog/techniques/"
	rootFailure := func(i int) string {
		at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 70 * time.Second).Format(time.RFC3339)
		return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},`+
			`"eventTime":"%s","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.%d",`+
			`"responseElements":{"ConsoleLogin":"Failure"},"errorMessage":"Failed authentication","eventID":"r%d","recipientAccountId":"111122223333"}`, at, i%250, i)
	}
	for _, tc := range []struct {
		name         string
		notes, bytes int64
		flood        func(i int) string
		sample, want string
	}{
		{"records", 700, 1 << 30, func(i int) string {
			return deletion("arn:aws:iam::111122223333:user/cleaner", fmt.Sprintf("d%d", i), i*60)
		}, "T1110.001/samples/match/twelve_failures_for_one_user_in_four_minutes.json", "T1110.001"},
		{"bytes", 1 << 20, 300 << 10, func(i int) string {
			return deletion(fmt.Sprintf("arn:aws:sts::111122223333:assumed-role/cleaner/session-%06d", i), fmt.Sprintf("d%d", i), i)
		}, "T1110.003/samples/match/six_users_from_one_address_in_six_minutes.json", "T1110.003"},
		{"two rules", 700, 1 << 30, rootFailure, "T1110.003/samples/match/six_users_from_one_address_in_six_minutes.json", "T1110.003"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer scan.SetCorrelationLimits(tc.notes, tc.bytes)()
			var flood []string
			for i := range 3000 {
				flood = append(flood, tc.flood(i))
			}
			burst, err := os.ReadFile(samples + tc.sample)
			if err != nil {
				t.Fatal(err)
			}
			later := filepath.Join(t.TempDir(), "z-burst.json")
			if err := os.WriteFile(later, burst, 0o644); err != nil {
				t.Fatal(err)
			}
			paths := append(writeLogs(t, flood), later)
			// Streams whose records could not be spilled, which cannot be
			// read again, rely on the shares alone; files, and streams
			// spilled, are counted again for a part of the groups at a
			// time, and where one group of the flood holds more than the
			// bounds, the pass that holds it relies on the shares too.
			files, err := scan.New(c, rs, scan.Options{Workers: 1}).Scan(context.Background(), paths)
			if err != nil {
				t.Fatal(err)
			}
			spilled := streamsOf(t, scan.New(c, rs, scan.Options{Workers: 1}), paths)
			restore := scan.SetNoteSpillLimit(0)
			streams := streamsOf(t, scan.New(c, rs, scan.Options{Workers: 1}), paths)
			restore()
			if streams.Summary.CorrelationNotKept == 0 {
				t.Fatal("the flood did not reach the bounds: the test tests nothing")
			}
			for name, res := range map[string]*scan.Result{"files": files, "streams": streams, "streams spilled": spilled} {
				if !slices.ContainsFunc(res.Findings, func(f scan.Finding) bool { return f.TechniqueID == tc.want && f.Correlation != nil }) {
					t.Errorf("%s: no %s burst after %d records not kept", name, tc.want, res.Summary.CorrelationNotKept)
				}
			}
		})
	}
}
