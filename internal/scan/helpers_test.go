package scan_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/scan"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// correlationPeak scans paths, whose n records the correlations' rules all
// match and keep, and returns the heap in use when the scan's correlations
// hold the most.
func correlationPeak(t *testing.T, s *scan.Scanner, paths []string, n int) float64 {
	t.Helper()
	var peak runtime.MemStats
	defer scan.SetPeakHook(func() {
		runtime.GC()
		runtime.ReadMemStats(&peak)
	})()
	res, err := s.Scan(context.Background(), paths)
	if err != nil || res.Summary.CorrelationNotKept != 0 || res.Summary.Matched != int64(n) {
		t.Fatalf("%v: matched %d, not kept %d", err, res.Summary.Matched, res.Summary.CorrelationNotKept)
	}
	return float64(peak.HeapAlloc)
}
