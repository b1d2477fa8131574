package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/corpus"
	"github.com/ttcproject/ttc/internal/golden"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// TestTableStreamMatchesSortedTable checks that the table written from a
// scan that streams its findings (counted, the first ones kept) is the
// table written from the same scan sorted: the same counts, rows and
// order, with more findings than the table lists, duplicates across
// files, findings of rules with no catalog technique, and filters.
func TestTableStreamMatchesSortedTable(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	var ext []string
	attackRate := 0.7 // without SigmaHQ's rules, enough findings to pass the table's row limit
	if sigma := "../../../shared/testdata/sigma/rules"; dirExists(sigma) {
		ext = append(ext, sigma) // its low-level rules flag most records
		attackRate = 0.03
	}
	rs, err := ruleset.Load(c, ext)
	if rs == nil || rs.Matcher == nil {
		t.Fatalf("load rules: %v", err)
	}
	gen := t.TempDir()
	if _, err := corpus.Generate(filepath.Join(gen, "a"), corpus.Options{Seed: 7, TargetBytes: 3 << 20, AttackRate: attackRate}); err != nil {
		t.Fatal(err)
	}
	// A copy of part of it: its events are duplicates of the first copy's.
	if err := os.CopyFS(filepath.Join(gen, "b"), os.DirFS(filepath.Join(gen, "a"))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		paths []string
		opts  scan.Options
	}{
		{"fixtures", []string{"../scan/testdata/logs"}, scan.Options{}},
		{"generated, with duplicates", []string{gen}, scan.Options{}},
		{"generated, one technique", []string{gen}, scan.Options{Techniques: []string{"T1562"}}},
	}
	if dirExists("../../../shared/testdata/cloudtrail") {
		cases = append(cases, struct {
			name  string
			paths []string
			opts  scan.Options
		}{"shared samples", []string{"../../../shared/testdata/cloudtrail"}, scan.Options{}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sum := sameTables(t, c, rs, tc.paths, tc.opts)
			if tc.name == "generated, with duplicates" && (sum.Findings <= report.MaxTableRows || sum.Duplicates == 0) {
				t.Errorf("the generated case should list fewer findings than it has, and drop duplicates: %+v", sum)
			}
		})
	}
}

// sameTables scans paths twice, sorted and streamed, checks that both
// write the same table and returns the summary.
func sameTables(t *testing.T, c *catalog.Catalog, rs *ruleset.Set, paths []string, opts scan.Options) scan.Summary {
	t.Helper()
	opts.Workers, opts.SpillAfter = 2, 300 // the sorted scan spills, as the CLI's does
	sorted, err := scan.New(c, rs, opts).Scan(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	defer sorted.Close()
	ts := report.NewTableStream()
	opts.SpillAfter, opts.Collect = 0, ts.Add
	streamed, err := scan.New(c, rs, opts).Scan(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	sorted.Summary.Duration, streamed.Summary.Duration = 0, 0
	vo := report.Options{View: view.Options{Width: 160}}
	var want, got bytes.Buffer
	if err := report.WriteTable(&want, sorted, tactics, vo); err != nil {
		t.Fatal(err)
	}
	if err := ts.Write(&got, streamed, tactics, vo); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("streamed table differs from the sorted one:\n%s", golden.FirstDiff(got.String(), want.String()))
	}
	t.Logf("%d findings, %d duplicates, %d filtered", sorted.Summary.Findings, sorted.Summary.Duplicates, sorted.Summary.Filtered)
	return sorted.Summary
}

// TestTableStreamCopiesDiffer checks the table when two copies of an event
// differ in a field the duplicate check does not compare, and a rule
// flags one copy only: the streamed scan reads the copy in the small file
// first, the sorted one keeps the copy in the first file, and the rows
// must come in the same order all the same.
func TestTableStreamCopiesDiffer(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	rules, logs := t.TempDir(), t.TempDir()
	rule := "title: Special StopLogging\nlogsource: {product: aws, service: cloudtrail}\n" +
		"detection:\n  sel: {eventName: StopLogging, requestParameters.special: 'yes'}\n  condition: sel\nlevel: high\n"
	if err := os.WriteFile(filepath.Join(rules, "special.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := ruleset.Load(c, []string{rules})
	if err != nil {
		t.Fatal(err)
	}
	event := func(extra string) string {
		return `{"eventVersion":"1.08","eventID":"5d0c7a3e-0000-4000-8000-00000000e001","eventTime":"2026-01-02T03:04:05Z",` +
			`"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1",` +
			`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x"},"requestParameters":{"name":"t"` + extra + `}}`
	}
	var filler strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&filler, `{"eventVersion":"1.08","eventID":"f%d","eventTime":"2026-01-02T03:00:00Z","eventSource":"s3.amazonaws.com","eventName":"HeadObject"},`, i)
	}
	files := map[string]string{
		"a.json": `{"Records":[` + filler.String() + event("") + `]}`,
		"b.json": `{"Records":[` + event(`,"special":"yes"`) + `]}`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(logs, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		sameTables(t, c, rs, []string{logs}, scan.Options{})
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
