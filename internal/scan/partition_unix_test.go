//go:build unix

package scan_test

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/ttcproject/ttc/internal/scan"
)

// TestCorrelationPartitionsFIFO: a FIFO put under the name of a file
// between partition passes changes nothing when the passes read the
// notes the first reading spilled. When they read the files again, it is
// not read, which would wait for a writer for ever: the file is left out,
// with a warning.
func TestCorrelationPartitionsFIFO(t *testing.T) {
	rs := corrRules(t, false, "gte: 5")
	for _, again := range []bool{false, true} {
		t.Run(fmt.Sprintf("files read again %v", again), func(t *testing.T) {
			paths := writeLogs(t, burstAfter(filler(3000, 0))...)
			_, want := scanWith(t, rs, paths, 2, false)
			t.Cleanup(scan.SetCorrelationLimits(500, 1<<30))
			if again {
				t.Cleanup(scan.SetNoteSpillLimit(0))
			}
			passes := 0
			t.Cleanup(scan.SetPassHook(func() {
				if passes++; passes != 2 {
					return
				}
				if err := os.Remove(paths[1]); err != nil {
					t.Error(err)
				}
				if err := syscall.Mkfifo(paths[1], 0o644); err != nil {
					t.Error(err)
				}
			}))
			res, got := scanWith(t, rs, paths, 2, false)
			if !again {
				if got != want || len(res.Warnings) != 0 || res.Summary.CorrelationNotKept != 0 {
					t.Errorf("findings\n%s\nwant\n%s\nwarnings %+v, not kept %d", got, want, res.Warnings, res.Summary.CorrelationNotKept)
				}
				return
			}
			if !strings.Contains(got, `"event_id":"a4"`) {
				t.Errorf("alice's burst, in another file, is missed:\n%s", got)
			}
			if len(res.Warnings) != 1 || res.Warnings[0].File != paths[1] || !strings.Contains(res.Warnings[0].Reason, "not a regular file") {
				t.Errorf("warnings %+v, want one of %s", res.Warnings, paths[1])
			}
			if n := res.Summary.CorrelationNotKept; n != 700 {
				t.Errorf("not kept %d, want the file's 700 records", n)
			}
		})
	}
}
