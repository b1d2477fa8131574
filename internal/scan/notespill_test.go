package scan_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/scan"
)

// TestCorrelationNoteSpillNumbers: an entry of a spill of notes whose
// correlation is not one of the scan's, rewritten under a scan as the
// first reading would write it, stops the scan with an error that says
// the notes are corrupt, never a panic.
func TestCorrelationNoteSpillNumbers(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	paths := writeLogs(t, burstAfter(filler(3000, 0))...)
	defer scan.SetCorrelationLimits(500, 1<<30)()
	for _, corr := range []int{1, 100, -1} {
		t.Run(fmt.Sprint(corr), func(t *testing.T) {
			var s *scan.Scanner
			passes := 0
			defer scan.SetPassHook(func() {
				if passes++; passes == 1 {
					if err := scan.RenumberFirstNote(s, corr); err != nil {
						t.Fatal(err)
					}
				}
			})()
			s = scan.New(c, rs, scan.Options{Workers: 2})
			res, err := s.Scan(context.Background(), paths)
			if passes == 0 {
				t.Fatal("no partition pass")
			}
			if err == nil || res != nil || !strings.Contains(err.Error(), "read back the correlation notes of") ||
				!strings.Contains(err.Error(), "corrupt") {
				t.Errorf("scan: %v, result %v; want an error reading the notes back", err, res != nil)
			}
		})
	}
}

// TestCorrelationNoteSpillDigestFlipped: a bit of a record's digest
// flipped in a spill of notes under a scan, which keeps the entry's form,
// is caught by the entry's checksum: the scan stops with an error that
// says the notes are corrupt, rather than making other findings.
func TestCorrelationNoteSpillDigestFlipped(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	paths := writeLogs(t, burstAfter(filler(3000, 0))...)
	defer scan.SetCorrelationLimits(500, 1<<30)()
	var s *scan.Scanner
	passes := 0
	defer scan.SetPassHook(func() {
		if passes++; passes == 1 {
			if err := scan.FlipFirstNoteDigest(s); err != nil {
				t.Fatal(err)
			}
		}
	})()
	s = scan.New(c, rs, scan.Options{Workers: 2})
	res, err := s.Scan(context.Background(), paths)
	if passes == 0 {
		t.Fatal("no partition pass")
	}
	if err == nil || res != nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("scan: %v, result %v; want an error on the entry's checksum", err, res != nil)
	}
}
