package scan_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// spreadGroups returns the records of small groups (two deletions each,
// by callers s00000 on), of forty larger ones (forty deletions each, one
// in four ending with a burst) and, when busy is more than 0, of one
// caller's busy deletions, dealt over files in turn: every group but the
// smallest has records in several files, which several workers open.
func spreadGroups(small, busy, files int) [][]string {
	const user = "arn:aws:iam::111122223333:user/"
	var recs []string
	for u := range small {
		for i := range 2 {
			recs = append(recs, deletion(fmt.Sprintf("%ss%05d", user, u), fmt.Sprintf("s%d-%d", u, i), u*7+i*3000))
		}
	}
	for u := range 40 {
		for i := range 40 {
			sec := u*13 + i*61
			if u%4 == 0 && i >= 35 {
				sec = u*13 + 35*61 + (i-35)*5
			}
			recs = append(recs, deletion(fmt.Sprintf("%slarge%03d", user, u), fmt.Sprintf("l%d-%d", u, i), sec))
		}
	}
	const busyRole = "arn:aws:sts::111122223333:assumed-role/cleaner/busy"
	for i := range busy {
		recs = append(recs, deletion(busyRole, fmt.Sprintf("b%d", i), i*61))
	}
	out := make([][]string, files)
	for i, r := range recs {
		out[i%files] = append(out[i%files], r)
	}
	return out
}

// TestCorrelationPartitionsSameOnWorkers: where the bytes the
// correlations may keep are nearly met by many small groups and larger
// ones whose records lie in several files, the partition passes are
// planned, fit or are split the same whatever the workers, so that a scan
// on 1, 2 or 4 workers, run after run, reports the same findings and the
// same records not kept: when everything fits, when a group is busier
// than the bounds on its own, when small groups whose keys hash alike
// pass the bounds together, so that a pass keeps what it can, and when
// they fit the whole bounds only, so that a last part of a split pass fits
// on one worker as on several, without the rules' shares. Of files, and
// of streams.
func TestCorrelationPartitionsSameOnWorkers(t *testing.T) {
	cases := []struct {
		name    string
		busy    int
		bytes   int64
		alike   bool // the groups of callers s00000 to s00599 hash alike
		notKept bool // some records are not kept
	}{
		{"nearly met", 0, 700_000, false, false},
		{"a busy group", 3000, 400_000, false, true},
		{"groups that hash alike past the bounds", 0, 300_000, true, true},
		{"groups that hash alike, bounds a little wider", 0, 325_000, true, true},
		{"groups that hash alike, whole bounds fit", 0, 750_000, true, false},
	}
	rs := corrRules(t, false, "gte: 5")
	// Five runs on each number of workers, as CI runs them; one with the
	// race detector or -short, which still compares 1, 2 and 4 workers.
	runs := 5
	if raceDetector || testing.Short() {
		runs = 1
	}
	for _, tc := range cases {
		files := spreadGroups(1500, tc.busy, 8)
		var whole []string
		for _, f := range files {
			whole = append(whole, f...)
		}
		paths := writeLogs(t, files...)
		all := writeLogs(t, whole)[0]
		scans := streamScans(all)
		scans["files"] = func(t *testing.T, rs *ruleset.Set, paths []string, workers int) (*scan.Result, string) {
			return scanWith(t, rs, paths, workers, false)
		}
		t.Run(tc.name, func(t *testing.T) {
			roomy := map[string]string{}
			for _, name := range []string{"files", "streams"} {
				_, roomy[name] = scans[name](t, rs, paths, 2)
			}
			if tc.alike {
				t.Cleanup(scan.SetGroupHashHook(func(_ int, key []byte) (uint64, bool) {
					i := bytes.Index(key, []byte("user/s00"))
					return 42, i >= 0 && key[i+8] < '6'
				}))
			}
			t.Cleanup(scan.SetCorrelationLimits(1<<20, tc.bytes))
			for _, name := range []string{"files", "streams"} {
				var first *scan.Result
				var want string
				for _, workers := range []int{1, 2, 4} {
					for run := range runs {
						passes := countPasses(t)
						res, got := scans[name](t, rs, paths, workers)
						if *passes < 2 {
							t.Fatalf("%s, workers %d: %d partition passes: the bounds held all", name, workers, *passes)
						}
						if first == nil {
							first, want = res, got
							if (res.Summary.CorrelationNotKept > 0) != tc.notKept {
								t.Fatalf("%s: %d records not kept", name, res.Summary.CorrelationNotKept)
							}
							if !tc.notKept && got != roomy[name] {
								t.Errorf("%s: findings\n%s\nwant, as with room for all,\n%s", name, got, roomy[name])
							}
							continue
						}
						if got != want {
							t.Errorf("%s, workers %d, run %d: findings\n%s\nwant\n%s", name, workers, run, got, want)
						}
						if n, m := res.Summary.CorrelationNotKept, first.Summary.CorrelationNotKept; n != m {
							t.Errorf("%s, workers %d, run %d: %d records not kept, want %d", name, workers, run, n, m)
						}
					}
				}
			}
		})
	}
}
