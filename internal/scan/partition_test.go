package scan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// filler is n deletions that make no burst, one every 61 seconds from the
// start, by callers callers in turn, or each by a caller of its own when
// callers is 0 (a group each).
func filler(n, callers int) []string {
	recs := make([]string, n)
	for i := range recs {
		who := i
		if callers > 0 {
			who = i % callers
		}
		recs[i] = deletion(fmt.Sprintf("arn:aws:sts::111122223333:assumed-role/cleaner/s%05d", who), fmt.Sprintf("f%d", i), i*61)
	}
	return recs
}

// burstAfter returns files of the records of recs, a few hundred each,
// the last of which ends with five deletions by alice in 40 seconds, a
// day after the filler.
func burstAfter(recs []string) [][]string {
	var files [][]string
	for len(recs) > 0 {
		n := min(len(recs), 700)
		files = append(files, recs[:n])
		recs = recs[n:]
	}
	last := &files[len(files)-1]
	for i := range 5 {
		*last = append(*last, deletion(alice, fmt.Sprintf("a%d", i), 400_000+i*10))
	}
	return files
}

// scanWith scans paths with the rules of rs and workers, keeping findings or, when emit,
// streaming them as JSON Lines, and returns the result and the lines of
// the correlation findings as reports write them, one a line.
func scanWith(t *testing.T, rs *ruleset.Set, paths []string, workers int, emit bool) (*scan.Result, string) {
	t.Helper()
	return scanCorr(t, rs, scan.Options{Workers: workers}, paths, emit)
}

// scanCorr scans paths with the rules of rs and opts, keeping findings
// or, when emit, streaming them as JSON Lines, and returns the result and
// the lines of the correlation findings.
func scanCorr(t *testing.T, rs *ruleset.Set, opts scan.Options, paths []string, emit bool) (*scan.Result, string) {
	t.Helper()
	c, _ := fixtures(t)
	var mu sync.Mutex
	var lines []string
	if emit {
		opts.EmitJSON = func(b []byte) error {
			mu.Lock()
			defer mu.Unlock()
			for l := range strings.Lines(string(b)) {
				if strings.Contains(l, `"correlation":{`) {
					lines = append(lines, l)
				}
			}
			return nil
		}
	}
	res, err := scan.New(c, rs, opts).Scan(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	if emit {
		return res, strings.Join(lines, "")
	}
	return res, corrJSON(t, res)
}

// sameSummary reports what differs between two scans' summaries, but for
// their duration.
func sameSummary(a, b scan.Summary) string {
	a.Duration, b.Duration = 0, 0
	if a != b {
		return fmt.Sprintf("%+v\n%+v", a, b)
	}
	return ""
}

// pastRoomCases are logs whose burst comes after thousands of records
// that fill the bounds on what correlations keep (notes, bytes), by
// records or by bytes, each record a group of its own or thirty callers'.
func pastRoomCases() []struct {
	name         string
	recs         []string
	notes, bytes int64
} {
	return []struct {
		name         string
		recs         []string
		notes, bytes int64
	}{
		{"a group each, records", filler(3000, 0), 1200, 1 << 30},
		{"a group each, bytes", filler(3000, 0), 1 << 20, 600 << 10},
		{"thirty callers, records", filler(3000, 30), 1200, 1 << 30},
		{"thirty callers, bytes", filler(3000, 30), 1 << 20, 400 << 10},
	}
}

// TestCorrelationPartitions: a burst placed after thousands of records
// that fill the bounds on what correlations keep is found all the same, in
// a scan of files, which reads them again for a part of the groups at a
// time: the scan reports what one with room for everything reports, with
// nothing counted twice and no warning, whatever its workers.
func TestCorrelationPartitions(t *testing.T) {
	for _, tc := range pastRoomCases() {
		t.Run(tc.name, func(t *testing.T) {
			paths := writeLogs(t, burstAfter(tc.recs)...)
			rs := corrRules(t, false, "gte: 5")
			roomy, want := scanWith(t, rs, paths, 2, false)
			if len(corrFindings(roomy)) != 1 || !strings.Contains(want, `"event_id":"a4"`) {
				t.Fatalf("with room for all: %s", want)
			}
			defer scan.SetCorrelationLimits(tc.notes, tc.bytes)()
			for _, workers := range []int{1, 2, 4} {
				for _, emit := range []bool{false, true} {
					if emit && workers != 2 {
						continue // streaming changes nothing in the passes: once is enough
					}
					passes := countPasses(t)
					res, got := scanWith(t, rs, paths, workers, emit)
					if *passes < 2 {
						t.Fatalf("workers %d: %d partition passes: the bounds held all, and the test tests nothing", workers, *passes)
					}
					if got != want {
						t.Errorf("workers %d, emit %v: correlation findings\n%s\nwant\n%s", workers, emit, got, want)
					}
					if d := sameSummary(res.Summary, roomy.Summary); d != "" || len(res.Warnings) != 0 {
						t.Errorf("workers %d, emit %v: summary\n%s\nwarnings %+v", workers, emit, d, res.Warnings)
					}
				}
			}
		})
	}
}

// TestCorrelationPartitionsSpillBound: the partition passes read the
// notes the first reading spilled; when the notes pass what the spills
// may take (from the first record, or midway), or no spill can be made
// (its folder is missing), the passes read the files again. The scan
// reports the same either way, whatever its workers.
func TestCorrelationPartitionsSpillBound(t *testing.T) {
	c, _ := fixtures(t)
	paths := writeLogs(t, burstAfter(filler(3000, 30))...)
	rs := corrRules(t, false, "gte: 5")
	roomy, want := scanWith(t, rs, paths, 2, false)
	defer scan.SetCorrelationLimits(1200, 1<<30)()
	cases := []struct {
		name    string
		limit   int64
		dir     string
		spilled bool
	}{
		{"spilled", 1 << 30, "", true},
		{"past the bound midway", 20 << 10, "", false},
		{"past the bound at once", 0, "", false},
		{"no folder to spill in", 1 << 30, filepath.Join(t.TempDir(), "missing"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(scan.SetNoteSpillLimit(tc.limit))
			for _, workers := range []int{1, 2} {
				passes := countPasses(t)
				s := scan.New(c, rs, scan.Options{Workers: workers, SpillDir: tc.dir})
				res, err := s.Scan(context.Background(), paths)
				if err != nil {
					t.Fatal(err)
				}
				if *passes < 2 || s.PassesReadSpill() != tc.spilled {
					t.Fatalf("workers %d: %d passes, read the spill %v, want %v", workers, *passes, s.PassesReadSpill(), tc.spilled)
				}
				if got := corrJSON(t, res); got != want {
					t.Errorf("workers %d: correlation findings\n%s\nwant\n%s", workers, got, want)
				}
				if d := sameSummary(res.Summary, roomy.Summary); d != "" || len(res.Warnings) != 0 {
					t.Errorf("workers %d: summary\n%s\nwarnings %+v", workers, d, res.Warnings)
				}
			}
		})
	}
}

// countPasses counts the partition passes of the scans to come, until the
// test ends.
func countPasses(t *testing.T) *int {
	n := new(int)
	t.Cleanup(scan.SetPassHook(func() { *n++ }))
	return n
}

// TestCorrelationPartitionsBusyGroup: a group that holds more records
// than the bounds on its own is counted as far as they go, and the rest
// are counted as not kept, with one warning, the same records from run to
// run and whatever the workers; the other groups, among them those whose
// hash falls with the busy group's, are counted in full.
func TestCorrelationPartitionsBusyGroup(t *testing.T) {
	recs := filler(2000, 1)
	for u := range 100 { // a burst each
		for i := range 5 {
			recs = append(recs, deletion(fmt.Sprintf("arn:aws:iam::111122223333:user/u%03d", u), fmt.Sprintf("u%d-%d", u, i), u*600+i*10))
		}
	}
	paths := writeLogs(t, burstAfter(recs)...)
	rs := corrRules(t, false, "gte: 5")
	roomy, want := scanWith(t, rs, paths, 2, false)
	if n := len(corrFindings(roomy)); n != 101 {
		t.Fatalf("%d bursts with room for all, want 101", n)
	}
	defer scan.SetCorrelationLimits(500, 1<<30)()
	var firstWarnings string
	var notKept int64
	for _, workers := range []int{1, 2, 4} {
		for run := range 3 {
			res, got := scanWith(t, rs, paths, workers, false)
			warnings := fmt.Sprintf("%+v", res.Warnings)
			if got != want {
				t.Errorf("workers %d, run %d: findings\n%s\nwant\n%s", workers, run, got, want)
			}
			if res.Summary.CorrelationNotKept == 0 || len(res.Warnings) != 1 || res.Summary.Warnings != 1 ||
				!strings.Contains(res.Warnings[0].Reason, "read again") || !strings.Contains(res.Warnings[0].Reason, "one group too busy") {
				t.Fatalf("workers %d, run %d: not kept %d, warnings %s", workers, run, res.Summary.CorrelationNotKept, warnings)
			}
			if firstWarnings == "" {
				firstWarnings, notKept = warnings, res.Summary.CorrelationNotKept
				continue
			}
			if warnings != firstWarnings || res.Summary.CorrelationNotKept != notKept {
				t.Errorf("workers %d, run %d: not kept %d, want %d; warnings\n%s\nwant\n%s",
					workers, run, res.Summary.CorrelationNotKept, notKept, warnings, firstWarnings)
			}
		}
	}
	// The busy caller's 2,000 records, less what the bounds hold.
	if notKept < 1000 || notKept >= 2000 {
		t.Errorf("not kept %d, want most of the busy caller's 2,000", notKept)
	}
}

// TestCorrelationPartitionsStreams: standard input and uploads cannot be
// read again: when their records could not be spilled (past what the
// spills may take, from the first record or midway, or with no folder to
// spill in), their records past the bounds are counted as not kept, as
// before the spill carried their text, and the warning says why and to
// scan a file instead.
func TestCorrelationPartitionsStreams(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	paths := writeLogs(t, burstAfter(filler(1000, 0))...)
	defer scan.SetCorrelationLimits(300, 1<<30)()
	stdin := func(opts scan.Options) *scan.Result {
		f, err := os.Open(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		opts.Stdin = f
		res, err := scan.New(c, rs, opts).Scan(context.Background(), append([]string{"-"}, paths[1:]...))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	spills := []struct {
		name  string
		limit int64
		dir   string
		why   string
	}{
		{"past the bound at once", 0, "", "their notes passed the 0 MiB a scan may spill"},
		{"past the bound midway", 20 << 10, "", "their notes passed the 0 MiB a scan may spill"},
		{"no folder to spill in", 1 << 30, filepath.Join(t.TempDir(), "missing"), "could not spill them (spill correlation notes"},
	}
	for _, sp := range spills {
		for name, run := range map[string]func(scan.Options) *scan.Result{
			"streams":                  func(opts scan.Options) *scan.Result { return streamsOf(t, scan.New(c, rs, opts), paths) },
			"standard input and files": stdin,
		} {
			t.Run(sp.name+", "+name, func(t *testing.T) {
				t.Cleanup(scan.SetNoteSpillLimit(sp.limit))
				passes := countPasses(t)
				res := run(scan.Options{Workers: 2, SpillDir: sp.dir})
				if *passes != 0 || res.Summary.CorrelationNotKept == 0 || len(res.Warnings) != 1 ||
					!strings.Contains(res.Warnings[0].Reason, "save the input to a file") || !strings.Contains(res.Warnings[0].Reason, sp.why) {
					t.Errorf("%d passes, not kept %d, warnings %+v", *passes, res.Summary.CorrelationNotKept, res.Warnings)
				}
			})
		}
	}
}

// TestCorrelationPartitionsChanged: the partition passes read the notes
// the first reading spilled, not the files: a file that changes or goes
// between the passes changes nothing, and the scan reports what one with
// room for everything reports. When the passes read the files again (the
// notes passed what a spill may take), such a file is left out of the
// passes after, with a warning that names it, and its records are
// counted as not kept, so that the scan says it is not complete; the
// scan goes on with the others.
func TestCorrelationPartitionsChanged(t *testing.T) {
	rs := corrRules(t, false, "gte: 5")
	for name, change := range map[string]func(path string) error{
		"removed": os.Remove,
		"appended": func(path string) error {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString("\n")
			return err
		},
		"replaced": func(path string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path+".new", b, 0o644); err != nil {
				return err
			}
			return os.Rename(path+".new", path)
		},
		"rewritten":            rewrite,
		"rewritten, time kept": rewrite,
	} {
		for _, again := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, files read again %v", name, again), func(t *testing.T) {
				paths := writeLogs(t, burstAfter(filler(3000, 0))...)
				roomy, want := scanWith(t, rs, paths, 2, false)
				t.Cleanup(scan.SetCorrelationLimits(500, 1<<30))
				if again {
					t.Cleanup(scan.SetNoteSpillLimit(0))
				}
				changed := paths[1]
				fi, err := os.Stat(changed)
				if err != nil {
					t.Fatal(err)
				}
				passes := 0
				t.Cleanup(scan.SetPassHook(func() {
					if passes++; passes != 2 {
						return
					}
					if err := change(changed); err != nil {
						t.Error(err)
					}
					when := time.Now().Add(time.Hour) // a clock that ticks coarsely still sees the change
					if name == "rewritten, time kept" {
						when = fi.ModTime() // only the count of its records tells
					}
					if err := os.Chtimes(changed, when, when); err != nil && name != "removed" {
						t.Error(err)
					}
				}))
				res, got := scanWith(t, rs, paths, 2, false)
				if passes < 2 {
					t.Fatalf("%d partition passes: the file did not change between them", passes)
				}
				if !again {
					if got != want || len(res.Warnings) != 0 {
						t.Errorf("findings\n%s\nwant\n%s\nwarnings %+v", got, want, res.Warnings)
					}
					if d := sameSummary(res.Summary, roomy.Summary); d != "" {
						t.Errorf("summary\n%s", d)
					}
					return
				}
				if !strings.Contains(got, `"event_id":"a4"`) {
					t.Errorf("alice's burst, in another file, is missed:\n%s", got)
				}
				if len(res.Warnings) != 1 || res.Warnings[0].File != changed || !strings.Contains(res.Warnings[0].Reason, "correlations read this file again") {
					t.Errorf("warnings %+v, want one of %s", res.Warnings, changed)
				}
				// The file's 700 records, but in the rewritten file's passes
				// before the change was seen: not fewer than one.
				if n := res.Summary.CorrelationNotKept; n < 1 || n > 700 {
					t.Errorf("not kept %d, want the changed file's records (700)", n)
				}
			})
		}
	}
}

// rewrite rewrites a log file in place with as many bytes, one record
// fewer that correlations count.
func rewrite(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	b = bytes.Replace(b, []byte(`"eventName":"DeleteObject"`), []byte(`"eventName":"DeleteBucket"`), 1)
	return os.WriteFile(path, b, 0o644)
}

// TestCorrelationPartitionsStop: a scan stopped during its partition
// passes stops, and says so.
func TestCorrelationPartitionsStop(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	paths := writeLogs(t, burstAfter(filler(3000, 0))...)
	defer scan.SetCorrelationLimits(500, 1<<30)()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	passes := 0
	t.Cleanup(scan.SetPassHook(func() {
		if passes++; passes == 2 {
			cancel()
		}
	}))
	res, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(ctx, paths)
	if !errors.Is(err, context.Canceled) || res != nil || passes > 3 {
		t.Errorf("%v, %d passes, result %v", err, passes, res != nil)
	}
}

// TestCorrelationPartitionsBusyNeighbour: a group that holds 40 % of the
// bounds, whose key hashes as that of a group busier than the bounds on
// its own and whose records are among that group's, is counted whole, its
// burst found, whatever the workers; the busy group keeps all the bounds
// hold, the same records every time.
func TestCorrelationPartitionsBusyNeighbour(t *testing.T) {
	const busy, victim = "arn:aws:sts::111122223333:assumed-role/cleaner/busy", "arn:aws:iam::111122223333:user/victim"
	// The busy group's 550 records, among which the other's 200, a
	// quarter of what the two hold together, then a thousand others.
	var recs []string
	v := 0
	for i := range 550 {
		recs = append(recs, deletion(busy, fmt.Sprintf("b%d", i), i*61))
		if i%3 == 2 && v < 195 {
			recs = append(recs, deletion(victim, fmt.Sprintf("v%d", v), v*61))
			v++
		}
	}
	for i := range 5 {
		recs = append(recs, deletion(victim, fmt.Sprintf("vb%d", i), 300_000+i*10))
	}
	paths, rs, _, want := amongOthers(t, recs, "vb4")
	defer scan.SetGroupHashHook(func(_ int, key []byte) (uint64, bool) {
		return 42, bytes.Contains(key, []byte("cleaner/busy")) || bytes.Contains(key, []byte("user/victim"))
	})()
	defer scan.SetCorrelationLimits(500, 1<<30)()
	for _, workers := range []int{1, 2, 4} {
		for run := range 2 {
			res, got := scanWith(t, rs, paths, workers, false)
			if got != want {
				t.Errorf("workers %d, run %d: findings\n%s\nwant\n%s", workers, run, got, want)
			}
			// The busy group's 550 records less the 500 its pass holds.
			if n := res.Summary.CorrelationNotKept; n != 50 || len(res.Warnings) != 1 {
				t.Errorf("workers %d, run %d: not kept %d, want 50; warnings %+v", workers, run, n, res.Warnings)
			}
		}
	}
}

// TestCorrelationPartitionsLargeNeighbours: two groups that each fit the
// bounds but not together, whose keys hash alike, are both counted whole,
// whatever the workers: no record is counted as not kept.
func TestCorrelationPartitionsLargeNeighbours(t *testing.T) {
	const a, b = "arn:aws:iam::111122223333:user/large-a", "arn:aws:iam::111122223333:user/large-b"
	var recs []string
	for i := range 400 {
		recs = append(recs, deletion(a, fmt.Sprintf("a%d", i), i*61))
		if i < 300 {
			recs = append(recs, deletion(b, fmt.Sprintf("b%d", i), i*61))
		}
	}
	for i := range 5 {
		recs = append(recs, deletion(b, fmt.Sprintf("bb%d", i), 300_000+i*10))
	}
	paths, rs, roomy, want := amongOthers(t, recs, "bb4")
	defer scan.SetGroupHashHook(func(_ int, key []byte) (uint64, bool) {
		return 42, bytes.Contains(key, []byte("user/large-"))
	})()
	defer scan.SetCorrelationLimits(500, 1<<30)()
	for _, workers := range []int{1, 2, 4} {
		res, got := scanWith(t, rs, paths, workers, false)
		if got != want {
			t.Errorf("workers %d: findings\n%s\nwant\n%s", workers, got, want)
		}
		if d := sameSummary(res.Summary, roomy.Summary); d != "" || len(res.Warnings) != 0 {
			t.Errorf("workers %d: summary\n%s\nwarnings %+v", workers, d, res.Warnings)
		}
	}
}

// TestCorrelationPartitionsProgress: while a scan reads its files again,
// its progress says which planned pass it is in, of how many.
func TestCorrelationPartitionsProgress(t *testing.T) {
	c, _ := fixtures(t)
	paths := writeLogs(t, burstAfter(filler(3000, 0))...)
	rs := corrRules(t, false, "gte: 5")
	defer scan.SetCorrelationLimits(1200, 1<<30)()
	s := scan.New(c, rs, scan.Options{Workers: 2})
	if p := s.Progress(); p.Passes != 0 {
		t.Fatalf("before the scan: %+v", p)
	}
	if _, err := s.Scan(context.Background(), paths); err != nil {
		t.Fatal(err)
	}
	if p := s.Progress(); p.Passes < 2 || p.Pass != p.Passes || !p.ReadAll {
		t.Errorf("after a scan that read its files again: %+v, want the last of at least 2 passes", p)
	}
}

// amongOthers writes recs, then a thousand deletions of callers of their
// own, in files of 700 records, scans them with room for all, checks that
// the one correlation finding ends on event lastID, and returns the files,
// the rules, that scan's result and its correlation findings' JSON.
func amongOthers(t *testing.T, recs []string, lastID string) ([]string, *ruleset.Set, *scan.Result, string) {
	t.Helper()
	for i := range 1000 {
		recs = append(recs, deletion(fmt.Sprintf("arn:aws:iam::111122223333:user/o%04d", i), fmt.Sprintf("o%d", i), i*61))
	}
	var files [][]string
	for len(recs) > 0 {
		n := min(len(recs), 700)
		files = append(files, recs[:n])
		recs = recs[n:]
	}
	paths := writeLogs(t, files...)
	rs := corrRules(t, false, "gte: 5")
	roomy, want := scanWith(t, rs, paths, 2, false)
	if len(corrFindings(roomy)) != 1 || !strings.Contains(want, `"event_id":"`+lastID+`"`) {
		t.Fatalf("with room for all: %s", want)
	}
	return paths, rs, roomy, want
}
