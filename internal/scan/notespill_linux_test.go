//go:build linux

package scan_test

import (
	"bytes"
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
		spills := openSpills(t, dir)
		for _, target := range spills {
			if !strings.HasSuffix(target, " (deleted)") {
				t.Errorf("spill %s is in its folder", target)
			}
		}
		return len(spills)
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

// TestCorrelationNoteSpillDamaged: a spill of notes damaged or emptied
// under a scan (a failing disk) stops the scan with an error that says
// so, rather than counting what is left.
func TestCorrelationNoteSpillDamaged(t *testing.T) {
	c, _ := fixtures(t)
	rs := corrRules(t, false, "gte: 5")
	paths := writeLogs(t, burstAfter(filler(3000, 0))...)
	dir := t.TempDir()
	defer scan.SetCorrelationLimits(500, 1<<30)()
	for name, damage := range map[string]func(f *os.File, size int64) error{
		"emptied": func(f *os.File, _ int64) error { return f.Truncate(0) },
		"overwritten": func(f *os.File, size int64) error {
			_, err := f.WriteAt(bytes.Repeat([]byte{0xff}, int(size/2)), size/4)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			passes := 0
			defer scan.SetPassHook(func() {
				if passes++; passes != 1 {
					return
				}
				for link := range openSpills(t, dir) {
					// The spill is reopened through its descriptor's link.
					f, err := os.OpenFile(link, os.O_WRONLY, 0)
					if err != nil {
						t.Fatal(err)
					}
					fi, err := f.Stat()
					if err == nil {
						err = damage(f, fi.Size())
					}
					f.Close()
					if err != nil {
						t.Fatal(err)
					}
				}
			})()
			res, err := scan.New(c, rs, scan.Options{Workers: 2, SpillDir: dir}).Scan(context.Background(), paths)
			if err == nil || res != nil || !strings.Contains(err.Error(), "read back the correlation notes") {
				t.Errorf("scan: %v, result %v; want an error reading the notes back", err, res != nil)
			}
		})
	}
}

// TestCorrelationNoteSpillTextDamaged: the text of a stream's record that
// a finding is made from, changed in the spill under a scan, is not taken
// for the record noted (its entry's checksum differs; changed after a
// pass read the entry, its event ID, in the note's digest, would): the
// scan stops with an error that says the notes are corrupt.
func TestCorrelationNoteSpillTextDamaged(t *testing.T) {
	rs := corrRules(t, false, "gte: 5")
	var whole []string
	for _, f := range burstAfter(filler(3000, 0)) {
		whole = append(whole, f...)
	}
	in := writeLogs(t, whole)[0]
	dir := t.TempDir()
	defer scan.SetCorrelationLimits(500, 1<<30)()
	changed := 0
	defer scan.SetPassHook(func() {
		for link := range openSpills(t, dir) {
			b, err := os.ReadFile(link)
			if err != nil {
				t.Fatal(err)
			}
			if i := bytes.Index(b, []byte(`"eventID":"a4"`)); i >= 0 {
				if err := os.WriteFile(link, bytes.Replace(b, []byte(`"eventID":"a4"`), []byte(`"eventID":"x4"`), 1), 0o600); err != nil {
					t.Fatal(err)
				}
				changed++
			}
		}
	})()
	c, _ := fixtures(t)
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := scan.New(c, rs, scan.Options{Workers: 2, SpillDir: dir, Stdin: f}).Scan(context.Background(), []string{"-"})
	if changed == 0 {
		t.Fatal("the spill holds no text of the burst's last record")
	}
	if err == nil || res != nil || !strings.Contains(err.Error(), "read back the correlation notes of -") || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("scan: %v, result %v; want an error reading the record's text back", err, res != nil)
	}
}

// openSpills returns the spills of correlation notes made in dir that this
// process holds open: each descriptor's link in /proc/self/fd, and what
// it leads to (" (deleted)" once the spill is removed from its folder).
func openSpills(t *testing.T, dir string) map[string]string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	spills := map[string]string{}
	for _, fd := range fds {
		link := filepath.Join("/proc/self/fd", fd.Name())
		if target, err := os.Readlink(link); err == nil && strings.HasPrefix(target, filepath.Join(dir, "ttc-notes-")) {
			spills[link] = target
		}
	}
	return spills
}
