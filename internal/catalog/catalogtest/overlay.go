// Package catalogtest builds catalog overlays for the tests of other packages.
package catalogtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EditedOverlay copies the test overlay technique T9031
// (cmd/ttc/testdata/overlay-mixed) into a folder of its own, passes its rule
// file's text through edit, and returns the overlay folder and the rule
// file's path.
func EditedOverlay(t testing.TB, edit func([]byte) []byte) (dir, rule string) {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("catalogtest: cannot find its own source")
	}
	src := filepath.Join(filepath.Dir(self), "..", "..", "..", "cmd", "ttc", "testdata", "overlay-mixed", "techniques", "T9031")
	dir = t.TempDir()
	tdir := filepath.Join(dir, "techniques", "T9031")
	if err := os.CopyFS(tdir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	rule = filepath.Join(tdir, "rules", "run_instances.yml")
	data, err := os.ReadFile(rule)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rule, edit(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, rule
}
