//go:build unix

package scan

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSameFilesKeepsLittle checks that sameFiles notes nothing for a file
// of one name found by the walk of one folder, which cannot be met again,
// and still finds a hard link's second name, and, when several paths are
// scanned, any file met again.
func TestSameFilesKeepsLittle(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(`{"Records":[]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a.json"), write("b.json")
	hard := filepath.Join(dir, "hard.json")
	if err := os.Link(b, hard); err != nil {
		t.Skipf("no hard links here: %v", err)
	}

	var one sameFiles // the walk of one folder
	for _, p := range []string{a, a} {
		if _, dup := one.seen(p, true); dup {
			t.Errorf("one folder: %s taken for a file met before", p)
		}
	}
	if len(one.byID) != 0 {
		t.Errorf("one folder: %d files noted for files of one name, want none", len(one.byID))
	}
	if _, dup := one.seen(b, true); dup {
		t.Error("one folder: b.json taken for a file met before")
	}
	if first, dup := one.seen(hard, true); !dup || first != b {
		t.Errorf("one folder: the hard link gave %q, %v; want b.json's name", first, dup)
	}

	several := sameFiles{all: true}
	if _, dup := several.seen(a, true); dup {
		t.Error("several paths: a.json taken for a file met before")
	}
	if first, dup := several.seen(filepath.Join(dir, ".", "a.json"), false); !dup || first != a {
		t.Errorf("several paths: a.json named again gave %q, %v; want its first name", first, dup)
	}
}
