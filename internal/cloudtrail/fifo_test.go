//go:build unix

package cloudtrail

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestInputOpenFIFO checks that a file a walk found, replaced by a FIFO
// before it is opened (directly or through a link re-pointed at one), is
// refused at once as no regular file: opening a FIFO for reading waits for
// a writer, and the scan would hang there.
func TestInputOpenFIFO(t *testing.T) {
	for _, link := range []bool{false, true} {
		root := t.TempDir()
		p := filepath.Join(root, "111111111111_CloudTrail_eu-west-1_20260301T1000Z_a.json")
		if err := os.WriteFile(p, []byte(recA), 0o644); err != nil {
			t.Fatal(err)
		}
		var ins []Input
		for in, err := range Inputs([]string{root}) {
			if err != nil || in.Skip != "" {
				t.Fatalf("walk: %+v, %v", in, err)
			}
			ins = append(ins, in)
		}
		fifo := filepath.Join(root, ".fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("no FIFOs here: %v", err)
		}
		os.Remove(p)
		if link {
			if err := os.Symlink(fifo, p); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
		} else if err := os.Rename(fifo, p); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			f, err := ins[0].Open(nil)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, errNotRegular) {
				t.Errorf("link %v: open of a FIFO: %v, want errNotRegular", link, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("link %v: open of a FIFO still waiting after 30 s", link)
		}
	}
}
