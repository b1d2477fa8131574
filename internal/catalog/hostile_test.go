package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestHostileOverlayFiles checks that an overlay cannot make the loader
// follow links out of its folder, block on a pipe or read without bound.
func TestHostileOverlayFiles(t *testing.T) {
	valid, err := os.ReadFile(filepath.Join("testdata", "overlays", "valid", "techniques", "T9050", "technique.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tech := func(id string) string {
		p := filepath.Join(dir, "techniques", id)
		if err := os.MkdirAll(filepath.Join(p, "samples", "match"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A technique whose sample is a link to an endless device.
	p := tech("T9050")
	if err := os.WriteFile(filepath.Join(p, "technique.yaml"), valid, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(p, "samples", "match", "zero.json")); err != nil {
		t.Fatal(err)
	}
	// A technique file that is a named pipe nobody writes to.
	if err := syscall.Mkfifo(filepath.Join(tech("T9051"), "technique.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A technique file over the size limit.
	big := append([]byte("id: T9052\n"), make([]byte, catalog.MaxFileSize)...)
	if err := os.WriteFile(filepath.Join(tech("T9052"), "technique.yaml"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	// A technique folder that is a link to another folder.
	if err := os.Symlink(p, filepath.Join(dir, "techniques", "T9053")); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := catalog.Open(dir)
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("loading the overlay hangs")
	}
	le, ok := err.(*catalog.LoadError)
	if !ok {
		t.Fatalf("Open = %v, want a *LoadError", err)
	}
	got := le.Error()
	for _, want := range []string{
		"zero.json: cannot read: symbolic link not followed",
		"T9051/technique.yaml: cannot read: not a regular file",
		"T9052/technique.yaml: cannot read: file of",
		"T9053: symbolic link not followed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not mention %q:\n%s", want, got)
		}
	}
}
