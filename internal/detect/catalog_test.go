package detect

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// catalogDir is the project's technique catalog.
const catalogDir = "../../catalog/techniques"

// TestCatalogSamples runs every technique's rules over its labelled
// samples: each samples/match record must be flagged by one of the
// technique's rules, each samples/nomatch record by none. A rule that only
// feeds a correlation (generate false) flags nothing of its own, and
// samples of several records, which test correlations, are left to the
// sweep of internal/ruleset, which evaluates correlations.
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
			rules := loadRuleDir(t, filepath.Join(dir, "rules"))
			m, err := Compile(rules, Options{})
			if err != nil {
				t.Errorf("compile: %v", err)
			}
			quiet := feedsOnly(rules)
			checkSamples(t, m, quiet, filepath.Join(dir, "samples", "match"), true)
			checkSamples(t, m, quiet, filepath.Join(dir, "samples", "nomatch"), false)
		})
	}
}

// feedsOnly returns the names and ids the correlation rules among rules
// name without generate: those rules report nothing of their own.
func feedsOnly(rules []*Rule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		if c := r.Correlation; c != nil && !c.Generate {
			for _, ref := range c.Rules {
				out[ref.Ref] = true
			}
		}
	}
	return out
}

func checkSamples(t *testing.T, m *Matcher, quiet map[string]bool, dir string, want bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.TrimSpace(string(data)); strings.HasPrefix(text, "[") || strings.HasPrefix(text, `{"Records"`) ||
			strings.HasPrefix(text, "{\n  \"Records\"") {
			continue // several records: a correlation's sample
		}
		ms := matchBoth(t, m, string(data))
		fed := slices.ContainsFunc(ms, func(x Match) bool { return quiet[x.Rule.Name] || quiet[x.Rule.ID] })
		ms = slices.DeleteFunc(ms, func(x Match) bool { return quiet[x.Rule.Name] || quiet[x.Rule.ID] })
		// A match sample that only a correlation's rule matches is that
		// rule's sample; a near miss must be matched by no reporting rule.
		if got := len(ms) > 0 || (want && fed); got != want {
			var names []string
			for _, x := range ms {
				names = append(names, x.Rule.File)
			}
			t.Errorf("%s: matched=%v (rules %v), want %v", filepath.Join(filepath.Base(dir), filepath.Base(f)),
				got, names, want)
		}
	}
}
