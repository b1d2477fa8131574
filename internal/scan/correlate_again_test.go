package scan_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/scan"
)

// corrJSON returns the JSON of the correlation findings of res, one a line.
func corrJSON(t *testing.T, res *scan.Result) string {
	t.Helper()
	var b bytes.Buffer
	for _, f := range corrFindings(res) {
		js, err := f.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(js)
		b.WriteByte('\n')
	}
	return b.String()
}

// streamsOf scans paths as streams named by their paths: a scan that
// cannot read them again, and keeps its records' findings whole.
func streamsOf(t *testing.T, s *scan.Scanner, paths []string) *scan.Result {
	t.Helper()
	var streams []scan.Stream
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		streams = append(streams, scan.Stream{Name: p, R: f})
	}
	res, err := s.ScanStreams(context.Background(), streams)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCorrelationReadAgain checks that a scan of files, which keeps
// compact notes of the records and reads the ones its findings name
// again, reports what a scan of the same records as streams does, which
// keeps their findings whole; an eventTime in another form than
// CloudTrail's included.
func TestCorrelationReadAgain(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	files := burst()
	files = append(files, []string{strings.Replace(deletion(alice, "e9", 45), "03:00:45Z", "03:00:45.500+00:00", 1)})
	var recs []string
	for i := range 12 {
		recs = append(recs, deletion("arn:aws:iam::111122223333:user/bob", fmt.Sprintf("b%d", i), 200+i*10))
	}
	files = append(files, recs)
	paths := writeLogs(t, files...)
	for _, workers := range []int{1, 3} {
		s := scan.New(c, rs, scan.Options{Workers: workers})
		res, err := s.Scan(context.Background(), paths)
		if err != nil {
			t.Fatal(err)
		}
		got := corrJSON(t, res)
		want := corrJSON(t, streamsOf(t, scan.New(c, rs, scan.Options{Workers: workers}), paths))
		if got != want || len(corrFindings(res)) != 3 || res.Summary.Warnings != 0 {
			t.Errorf("workers %d: %d warnings; files:\n%s\nstreams:\n%s", workers, res.Summary.Warnings, got, want)
		}
		if !strings.Contains(got, `"last_time":"2027-01-11T03:00:45.500+00:00"`) || !strings.Contains(got, `"event_id":"e9"`) {
			t.Errorf("workers %d: the eventTime's own text is lost:\n%s", workers, got)
		}
	}
}

// TestCorrelationReadAgainFails checks that a burst whose last record
// cannot be read again (its file removed, or rewritten) is reported all
// the same, with the record's place and time, the caller its group names,
// and a warning that names the file.
func TestCorrelationReadAgainFails(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	var recs []string
	for i := range 5 {
		recs = append(recs, deletion(alice, fmt.Sprintf("e%d", i), i*10))
	}
	for name, change := range map[string]func(path string) error{
		"removed": os.Remove,
		"rewritten": func(path string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(path, bytes.ReplaceAll(b, []byte(`"e4"`), []byte(`"x4"`)), 0o644)
		},
		"shortened": func(path string) error { return os.WriteFile(path, []byte(`{"Records":[]}`), 0o644) },
		// The same records in another file put under the name: a link
		// pointed elsewhere, out of the folder scanned perhaps.
		"replaced": func(path string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			other := path + ".other"
			if err := os.WriteFile(other, b, 0o644); err != nil {
				return err
			}
			return os.Rename(other, path)
		},
	} {
		t.Run(name, func(t *testing.T) {
			paths := writeLogs(t, recs)
			defer scan.SetRereadHook(func() {
				if err := change(paths[0]); err != nil {
					t.Fatal(err)
				}
			})()
			res, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(context.Background(), paths)
			if err != nil {
				t.Fatal(err)
			}
			fs := corrFindings(res)
			if len(fs) != 1 {
				t.Fatalf("%d correlation findings, want 1", len(fs))
			}
			f := fs[0]
			if f.Correlation.Count != 5 || f.Record.File != paths[0] || f.Record.Ordinal != 5 || f.EventTime != "2027-01-11T03:00:40Z" ||
				f.Correlation.FirstTime != "2027-01-11T03:00:00Z" || len(f.Correlation.Records) != 5 || f.EventID != "" ||
				f.TechniqueID != "T1485" || f.Rule.Title != "Burst of deletions" || f.Time().IsZero() {
				t.Errorf("finding %+v, correlation %+v", f, f.Correlation)
			}
			// The caller is known from the group the events share.
			if f.Actor.ARN != alice || f.Actor.Key() != alice {
				t.Errorf("actor %+v, want %s from the group", f.Actor, alice)
			}
			if res.Summary.Warnings != 1 || len(res.Warnings) != 1 || res.Warnings[0].File != paths[0] ||
				!strings.Contains(res.Warnings[0].Reason, "could not be read again") {
				t.Errorf("%d warnings: %+v", res.Summary.Warnings, res.Warnings)
			}
		})
	}
}

// TestCorrelationNoteBytes measures what a compact note costs at the
// peak of a scan's correlations, and checks the bounds against it: a
// quarter of a million records within 64 MiB. It also checks that a scan of
// streams, whose records are kept whole, is bounded as before.
func TestCorrelationNoteBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 200,000 records")
	}
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	// The heap at the peak of two scans, of n and of 3n records: what the
	// scan holds besides the notes cancels out.
	const n = 50_000
	var paths []string
	peakOf := func(n int) float64 {
		var files [][]string
		for f := range 4 {
			var recs []string
			for i := range n / 4 {
				k := f*n/4 + i
				recs = append(recs, deletion(fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", k%300), fmt.Sprintf("id%d", k), k))
			}
			files = append(files, recs)
		}
		paths = writeLogs(t, files...)
		files = nil
		return correlationPeak(t, scan.New(c, rs, scan.Options{Workers: 2}), paths, n)
	}
	small := peakOf(n)
	per := (peakOf(3*n) - small) / (2 * n)
	t.Logf("%.1f bytes a compact note at the peak (accounted: %d)", per, scan.CompactNoteBytes)
	// The heap moves by some per cent between runs: the check is that the
	// accounting is not far off, not an exact cost.
	if per > 1.25*scan.CompactNoteBytes {
		t.Errorf("a compact note costs %.1f bytes, far more than the %d accounted", per, scan.CompactNoteBytes)
	}
	notes, bytes := scan.CompactLimits()
	if notes < 250_000 || bytes < notes*scan.CompactNoteBytes || bytes > 100<<20 {
		t.Errorf("compact bounds: %d notes, %d bytes", notes, bytes)
	}

	// Streams keep their records' findings whole, within the old bounds:
	// past them, what they could not keep is counted again from the
	// spill, or, when there is none, counted as not kept.
	defer scan.SetCorrelationLimits(1000, 1<<30)()
	defer scan.SetNoteSpillLimit(0)()
	res := streamsOf(t, scan.New(c, rs, scan.Options{Workers: 2}), paths[:1])
	// One rule's records take its part of the bound and the part all
	// share: at least half the bound, never more than all of it.
	if kept := int64(3*n/4) - res.Summary.CorrelationNotKept; kept > 1000 || kept < 500 {
		t.Errorf("streams: kept %d of %d, want 500 to 1000", kept, 3*n/4)
	}
}

// TestCorrelationReadAgainWithoutIDs: a record without an event ID that
// changed between the scan and the reading again (another source address)
// is not taken for the one noted: its digest says so.
func TestCorrelationReadAgainWithoutIDs(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	var recs []string
	for i := range 5 {
		recs = append(recs, strings.Replace(deletion(alice, fmt.Sprintf("e%d", i), i*10), fmt.Sprintf(`,"eventID":"e%d"`, i), "", 1))
	}
	paths := writeLogs(t, recs)
	defer scan.SetRereadHook(func() {
		b, err := os.ReadFile(paths[0])
		if err == nil {
			err = os.WriteFile(paths[0], bytes.ReplaceAll(b, []byte("203.0.113.9"), []byte("192.0.2.77")), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	})()
	res, err := scan.New(c, rs, scan.Options{Workers: 1, EmitJSON: func([]byte) error { return nil }}).Scan(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Warnings != 1 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Reason, "could not be read again") {
		t.Errorf("%d warnings: %+v", res.Summary.Warnings, res.Warnings)
	}
}
