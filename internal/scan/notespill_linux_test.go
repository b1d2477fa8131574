//go:build linux

package scan_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/scan"
)

// TestCorrelationNoteSpillFiles: a scan's spills of correlation notes are
// made in its spill folder and removed from it at once; they are closed,
// which frees them, before the correlations of a scan whose notes fit
// are evaluated, and when a scan that read them in partition passes ends,
// or is stopped during those passes.
func TestCorrelationNoteSpillFiles(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	paths := writeLogs(t, burstAfter(filler(3000, 0))...)
	dir := t.TempDir()
	// open counts the spills open in this process, and fails the test if
	// one is still in the folder.
	open := func() int {
		t.Helper()
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
			if err != nil || !strings.HasPrefix(link, filepath.Join(dir, "ttc-notes-")) {
				continue
			}
			n++
			if !strings.HasSuffix(link, " (deleted)") {
				t.Errorf("spill %s is in its folder", link)
			}
		}
		return n
	}
	scanStopped := func(stop bool) error {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		passes := 0
		defer scan.SetPassHook(func() {
			if passes++; passes == 1 && open() == 0 {
				t.Error("no spill open during the partition passes")
			}
			if stop && passes == 2 {
				cancel()
			}
		})()
		_, err := scan.New(c, rs, scan.Options{Workers: 2, SpillDir: dir}).Scan(ctx, paths)
		return err
	}

	evaluated := false
	restore := scan.SetRereadHook(func() {
		evaluated = true
		if n := open(); n != 0 {
			t.Errorf("%d spills open while the correlations of notes that fit are evaluated", n)
		}
	})
	if err := scanStopped(false); err != nil || !evaluated {
		t.Fatalf("notes that fit: %v, burst read again %v", err, evaluated)
	}
	restore()

	defer scan.SetCorrelationLimits(500, 1<<30)()
	if err := scanStopped(false); err != nil {
		t.Fatal(err)
	}
	if n := open(); n != 0 {
		t.Errorf("%d spills open after a scan with partition passes", n)
	}
	if err := scanStopped(true); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped scan: %v", err)
	}
	if n := open(); n != 0 {
		t.Errorf("%d spills open after a scan stopped during its partition passes", n)
	}
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("spill folder holds %v (%v)", left, err)
	}
}
