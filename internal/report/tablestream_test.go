package report_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	if sigma := "../../../shared/testdata/sigma/rules"; dirExists(sigma) {
		ext = append(ext, sigma) // its low-level rules flag most records
	}
	rs, err := ruleset.Load(c, ext)
	if rs == nil || rs.Matcher == nil {
		t.Fatalf("load rules: %v", err)
	}
	gen := t.TempDir()
	if _, err := corpus.Generate(filepath.Join(gen, "a"), corpus.Options{Seed: 7, TargetBytes: 3 << 20, AttackRate: 0.03}); err != nil {
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
			opts := tc.opts
			opts.Workers, opts.SpillAfter = 2, 300 // the sorted scan spills, as the CLI's does
			sorted, err := scan.New(c, rs, opts).Scan(context.Background(), tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			defer sorted.Close()
			ts := report.NewTableStream()
			opts.SpillAfter, opts.Collect = 0, ts.Add
			streamed, err := scan.New(c, rs, opts).Scan(context.Background(), tc.paths)
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
			if tc.name == "generated, with duplicates" && (sorted.Summary.Findings <= report.MaxTableRows || sorted.Summary.Duplicates == 0) {
				t.Errorf("the generated case should list fewer findings than it has, and drop duplicates: %+v", sorted.Summary)
			}
		})
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
