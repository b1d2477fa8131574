package scan_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// streamScan is one way to scan records that cannot be read again.
type streamScan func(t *testing.T, rs *ruleset.Set, paths []string, workers int) (*scan.Result, string)

// streamScans are the ways: the files as streams (as the server scans an
// upload), all records on standard input, the first file on standard
// input and the others as files, and standard input whose findings are
// written as JSON Lines as they are found (ttc scan -o jsonl -).
func streamScans(all string) map[string]streamScan {
	return map[string]streamScan{
		"streams": func(t *testing.T, rs *ruleset.Set, paths []string, workers int) (*scan.Result, string) {
			c, _ := fixtures(t)
			res := streamsOf(t, scan.New(c, rs, scan.Options{Workers: workers}), paths)
			return res, corrJSON(t, res)
		},
		"standard input": func(t *testing.T, rs *ruleset.Set, _ []string, workers int) (*scan.Result, string) {
			return stdinScan(t, rs, all, nil, workers, false)
		},
		"standard input and files": func(t *testing.T, rs *ruleset.Set, paths []string, workers int) (*scan.Result, string) {
			return stdinScan(t, rs, paths[0], paths[1:], workers, false)
		},
		"standard input, streamed": func(t *testing.T, rs *ruleset.Set, _ []string, workers int) (*scan.Result, string) {
			return stdinScan(t, rs, all, nil, workers, true)
		},
	}
}

// stdinScan scans the file in on standard input, then the files paths,
// keeping the findings or, when emit, writing them as JSON Lines, and
// returns the result and the correlation findings' lines.
func stdinScan(t *testing.T, rs *ruleset.Set, in string, paths []string, workers int, emit bool) (*scan.Result, string) {
	t.Helper()
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return scanCorr(t, rs, scan.Options{Workers: workers, Stdin: f}, append([]string{"-"}, paths...), emit)
}

// TestCorrelationPartitionsStreamed: a burst that comes after the room
// for correlations is full, on standard input or in uploads, is found: the
// records of streams are spilled with their text, and the partition passes
// count them again from the spill. The scan reports what one with room
// for everything reports, with nothing counted twice, no record counted as
// not kept and no warning, whatever its workers.
func TestCorrelationPartitionsStreamed(t *testing.T) {
	for _, tc := range pastRoomCases() {
		files := burstAfter(tc.recs)
		var whole []string
		for _, f := range files {
			whole = append(whole, f...)
		}
		for name, run := range streamScans("") {
			t.Run(tc.name+", "+name, func(t *testing.T) {
				paths := writeLogs(t, files...)
				all := writeLogs(t, whole)[0]
				run = streamScans(all)[name]
				rs := corrRules(t, false, "gte: 5")
				roomy, want := run(t, rs, paths, 1)
				if len(corrFindings(roomy))+strings.Count(want, "\n") == 0 || !strings.Contains(want, `"event_id":"a4"`) {
					t.Fatalf("with room for all: %s", want)
				}
				defer scan.SetCorrelationLimits(tc.notes, tc.bytes)()
				samePastRoom(t, run, rs, paths, roomy, want)
			})
		}
	}
}

// TestCorrelationStreamNoteBytes measures what a partition pass's note of
// a stream's record costs at the peak of the pass, and checks it against
// what the pass charges for it: a compact note and where its text lies in
// the spill, not the text. Every group falls in one pass, which then holds
// every record.
func TestCorrelationStreamNoteBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 200,000 records")
	}
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	defer scan.SetStreamCorrelationLimits(1000, 1<<30)()
	defer scan.SetGroupHashHook(func(int, []byte) (uint64, bool) { return 0, true })()
	peakOf := func(n int) float64 {
		var recs []string
		for k := range n {
			recs = append(recs, deletion(fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", k%300), fmt.Sprintf("id%d", k), k))
		}
		paths := writeLogs(t, recs)
		var most uint64
		defer scan.SetPeakHook(func() {
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			most = max(most, m.HeapAlloc)
		})()
		passes := countPasses(t)
		res := streamsOf(t, scan.New(c, rs, scan.Options{Workers: 2}), paths)
		if res.Summary.CorrelationNotKept != 0 || res.Summary.Matched != int64(n) || *passes < 2 {
			t.Fatalf("matched %d, not kept %d, %d passes", res.Summary.Matched, res.Summary.CorrelationNotKept, *passes)
		}
		return float64(most)
	}
	const n = 50_000
	small := peakOf(n)
	per := (peakOf(3*n) - small) / (2 * n)
	charged := float64(scan.CompactNoteBytes + scan.SpilledTextBytes)
	t.Logf("%.1f bytes a pass's note of a stream's record at the peak (accounted: %.0f)", per, charged)
	if per > 1.25*charged {
		t.Errorf("a pass's note of a stream's record costs %.1f bytes, far more than the %.0f accounted", per, charged)
	}
}

// TestCorrelationPartitionsRuns: a file or stream whose records are
// spilled in several runs, which the workers of a pass read at once, is
// counted as one run would count it: the scan reports what one with room
// for everything reports, whatever its workers.
func TestCorrelationPartitionsRuns(t *testing.T) {
	recs := burstAfter(filler(3000, 30))
	var whole []string
	for _, f := range recs {
		whole = append(whole, f...)
	}
	paths := writeLogs(t, whole)
	rs := corrRules(t, false, "gte: 5")
	scans := streamScans(paths[0])
	// Files whose spill broke would be read again, with the same findings:
	// each scan of them says whether its passes read the spill.
	var readSpill []bool
	scans["files"] = func(t *testing.T, rs *ruleset.Set, paths []string, workers int) (*scan.Result, string) {
		c, _ := fixtures(t)
		s := scan.New(c, rs, scan.Options{Workers: workers})
		res, err := s.Scan(context.Background(), paths)
		if err != nil {
			t.Fatal(err)
		}
		readSpill = append(readSpill, s.PassesReadSpill())
		return res, corrJSON(t, res)
	}
	for name, run := range scans {
		t.Run(name, func(t *testing.T) {
			roomy, want := run(t, rs, paths, 1)
			if !strings.Contains(want, `"event_id":"a4"`) {
				t.Fatalf("with room for all: %s", want)
			}
			defer scan.SetCorrelationLimits(1200, 1<<30)()
			defer scan.SetNoteRunEntries(400)()
			readSpill = nil
			samePastRoom(t, run, rs, paths, roomy, want)
			if name == "files" && (len(readSpill) != 3 || slices.Contains(readSpill, false)) {
				t.Errorf("passes on 1, 2 and 4 workers read the spill: %v, want each", readSpill)
			}
		})
	}
}

// samePastRoom scans paths with run on 1, 2 and 4 workers, under the
// correlation bounds the caller set, and checks that each scan ran
// partition passes and reports what roomy, the scan with room for
// everything, reported: want's correlation findings, its summary, and
// no warning.
func samePastRoom(t *testing.T, run streamScan, rs *ruleset.Set, paths []string, roomy *scan.Result, want string) {
	t.Helper()
	for _, workers := range []int{1, 2, 4} {
		passes := countPasses(t)
		res, got := run(t, rs, paths, workers)
		if got != want {
			t.Errorf("workers %d: correlation findings\n%s\nwant\n%s", workers, got, want)
		}
		if *passes < 2 {
			t.Fatalf("workers %d: %d partition passes, not kept %d", workers, *passes, res.Summary.CorrelationNotKept)
		}
		if d := sameSummary(res.Summary, roomy.Summary); d != "" || len(res.Warnings) != 0 {
			t.Errorf("workers %d: summary\n%s\nwarnings %+v", workers, d, res.Warnings)
		}
	}
}
