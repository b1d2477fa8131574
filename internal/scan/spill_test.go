package scan_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/corpus"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// spillCorpus generates a small corpus in the S3 layout and copies one of
// its files under a second name, so that a scan meets duplicate events in
// two files.
func spillCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := corpus.Generate(dir, corpus.Options{Seed: 7, TargetBytes: 2 << 20, MinRecords: 50, MaxRecords: 400, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	var first string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && first == "" && strings.HasSuffix(p, ".json.gz") {
			first = p
		}
		return nil
	})
	b, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "copy.json.gz"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// lines returns a result's findings, in the order Each (mode "flat"),
// EachGrouped ("grouped") or EachGroup ("groups") gives them, as JSON.
// EachGroup's groups are each read twice, and must agree with themselves,
// hold findings of their key only, and count them right.
func lines(t *testing.T, res *scan.Result, mode string) []string {
	t.Helper()
	key := func(f *scan.Finding) string { return f.Actor.Key() }
	var out []string
	add := func(f *scan.Finding) error {
		out = append(out, string(f.AppendJSON(nil)))
		return nil
	}
	var err error
	switch mode {
	case "flat":
		err = res.Each(add)
	case "grouped":
		err = res.EachGrouped(key, add)
	case "groups":
		seen := map[string]bool{}
		err = res.EachGroup(key, func(g *scan.Group) error {
			if seen[g.Key] {
				t.Errorf("group %q comes twice", g.Key)
			}
			seen[g.Key] = true
			var first []string
			if err := g.Each(func(f *scan.Finding) error {
				if k := key(f); k != g.Key {
					t.Errorf("group %q holds a finding of %q", g.Key, k)
				}
				first = append(first, string(f.AppendJSON(nil)))
				return nil
			}); err != nil {
				return err
			}
			from := len(out)
			if err := g.Each(add); err != nil {
				return err
			}
			if again := out[from:]; len(first) != g.N || !slices.Equal(first, again) {
				t.Errorf("group %q: N %d, read %d findings, then %d others", g.Key, g.N, len(first), len(again))
			}
			return nil
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSpillMatchesMemory checks that a scan that spills its findings to
// disk gives what one that holds them does: the same summary, the same
// findings in the same order, duplicates and filters included, grouped or
// not, through merges of merges; and that closing the result leaves no file behind.
func TestSpillMatchesMemory(t *testing.T) {
	c, _ := fixtures(t)
	// A rule that matches every record, beside the catalog's: many
	// findings, some under the same second.
	rs, err := ruleset.Load(c, []string{filepath.Join("testdata", "anyrule")})
	if err != nil {
		t.Fatal(err)
	}
	logs := spillCorpus(t)
	// Few runs at a time and small regrouping batches: merges of merges.
	defer scan.SetSpillLimits(4, 97, 12)()
	filters := []struct {
		name string
		opts scan.Options
	}{
		{name: "all"},
		{name: "since", opts: scan.Options{Since: mustTime(t, "2026-01-05T00:00:00Z")}},
		{name: "technique", opts: scan.Options{Techniques: []string{"T1078"}}},
	}
	for _, fl := range filters {
		for _, workers := range []int{1, 2} {
			o := fl.opts
			o.Workers = workers
			held, err := scan.New(c, rs, o).Scan(context.Background(), []string{logs, "testdata/logs"})
			if err != nil {
				t.Fatal(err)
			}
			if held.Spilled() {
				t.Fatal("a scan without SpillAfter spilled its findings")
			}
			if held.Summary.Duplicates == 0 || held.Summary.Findings == 0 || held.Summary.Findings+int(held.Summary.Filtered) < 1000 {
				t.Fatalf("%s: the corpus gave %d findings (%d filtered) and %d duplicates; the test needs many and some",
					fl.name, held.Summary.Findings, held.Summary.Filtered, held.Summary.Duplicates)
			}
			for _, after := range []int{25, 700} {
				spillDir := t.TempDir()
				o.SpillAfter, o.SpillDir = after, spillDir
				fds := openFiles(t)
				spilled, err := scan.New(c, rs, o).Scan(context.Background(), []string{logs, "testdata/logs"})
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s/%d workers/spill after %d", fl.name, workers, after)
				if !spilled.Spilled() || spilled.Findings != nil {
					t.Fatalf("%s: not spilled (%d findings in memory)", name, len(spilled.Findings))
				}
				a, b := held.Summary, spilled.Summary
				a.Duration, b.Duration = 0, 0
				if a != b {
					t.Errorf("%s: summary %+v, want %+v", name, b, a)
				}
				// Grouped three times: numbering the groups in memory, and on
				// disk (byKeyFirst) past a count of groups, with groups that go
				// to disk as they are read, and past the bytes of their keys.
				for _, limits := range []struct{ ranked, bytes, mem int }{{1 << 16, 16 << 20, 8 << 20}, {3, 16 << 20, 2000}, {1 << 16, 300, 8 << 20}} {
					restore := scan.SetGroupLimits(limits.ranked, limits.bytes, limits.mem)
					for _, mode := range []string{"flat", "grouped", "groups"} {
						want, got := lines(t, held, mode), lines(t, spilled, mode)
						if mode == "groups" {
							want = lines(t, held, "grouped")
						}
						if len(got) != len(want) {
							t.Fatalf("%s %s %+v: %d findings, want %d", name, mode, limits, len(got), len(want))
						}
						for i := range want {
							if got[i] != want[i] {
								t.Fatalf("%s %s %+v: finding %d is\n%s\nwant\n%s", name, mode, limits, i, got[i], want[i])
							}
						}
					}
					restore()
				}
				// The run files are gone from the folder from the start, and
				// closing the result closes them.
				if left, _ := os.ReadDir(spillDir); len(left) != 0 {
					t.Errorf("%s: %d entries in the spill folder", name, len(left))
				}
				if err := spilled.Close(); err != nil {
					t.Fatal(err)
				}
				if now := openFiles(t); fds >= 0 && now != fds {
					t.Errorf("%s: %d files open after Close, %d before the scan", name, now, fds)
				}
			}
		}
	}
}

// openFiles counts the files this process holds open, -1 where the
// system does not say.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(fds)
}

// TestSpillFailure checks that a scan that cannot write its findings to
// disk fails, saying so, rather than losing them.
func TestSpillFailure(t *testing.T) {
	c, rs := fixtures(t)
	missing := filepath.Join(t.TempDir(), "no", "such", "folder")
	_, err := scan.New(c, rs, scan.Options{Workers: 1, SpillAfter: 1, SpillDir: missing}).Scan(context.Background(), []string{"testdata/logs"})
	if err == nil || !strings.Contains(err.Error(), "spill findings") {
		t.Fatalf("error %v, want one about spilling findings", err)
	}
}

// TestSpillByBytes checks that a worker spills when its findings hold
// much, however few they are: a finding quotes up to 8 KiB of each field.
func TestSpillByBytes(t *testing.T) {
	c, rs := fixtures(t)
	defer scan.SetSpillBytes(4 << 10)()
	res, err := scan.New(c, rs, scan.Options{Workers: 1, SpillAfter: 1 << 30, SpillDir: t.TempDir()}).Scan(context.Background(), []string{"testdata/logs"})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if !res.Spilled() || res.Summary.Findings == 0 {
		t.Fatalf("spilled %v with %d findings; want the findings spilled past 4 KiB", res.Spilled(), res.Summary.Findings)
	}
}
