package detect

import (
	"os"
	"path/filepath"
	"testing"
)

// catalogDir is the project's technique catalog.
const catalogDir = "../../catalog/techniques"

// TestCatalogSamples runs every technique's rules over its labelled
// samples: each samples/match record must be flagged by one of the
// technique's rules, each samples/nomatch record by none.
func TestCatalogSamples(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(catalogDir, "*"))
	if err != nil || len(dirs) == 0 {
		t.Skipf("no catalog at %s", catalogDir)
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "rules")); err != nil {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m, err := Compile(loadRuleDir(t, filepath.Join(dir, "rules")), Options{})
			if err != nil {
				t.Errorf("compile: %v", err)
			}
			checkSamples(t, m, filepath.Join(dir, "samples", "match"), true)
			checkSamples(t, m, filepath.Join(dir, "samples", "nomatch"), false)
		})
	}
}

func checkSamples(t *testing.T, m *Matcher, dir string, want bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ms := matchBoth(t, m, string(data))
		if got := len(ms) > 0; got != want {
			var names []string
			for _, x := range ms {
				names = append(names, x.Rule.File)
			}
			t.Errorf("%s: matched=%v (rules %v), want %v", filepath.Join(filepath.Base(dir), filepath.Base(f)),
				got, names, want)
		}
	}
}
