package ruleset_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/ruleset"
)

const baseRule = "title: Base\nname: base\nid: b-1\nlevel: low\nlogsource: {product: aws, service: cloudtrail}\n" +
	"detection:\n  sel: {eventName: DeleteObject}\n  condition: sel\n"

func corrRule(refs string) string {
	return "title: Burst\nid: c-1\nlevel: high\ncorrelation:\n  type: event_count\n  rules: " + refs +
		"\n  timespan: 5m\n  condition: {gte: 3}\n"
}

// TestCorrelationReferences checks how a correlation's references are
// resolved, and each refusal at the reference's position.
func TestCorrelationReferences(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		files map[string]string
		want  string // "" for none
		unsup bool
	}{
		{"by name", map[string]string{"base.yml": baseRule, "c.yml": corrRule("[base]")}, "", false},
		{"by id", map[string]string{"base.yml": baseRule, "c.yml": corrRule("[b-1]")}, "", false},
		{"unknown", map[string]string{"base.yml": baseRule, "c.yml": corrRule("[base, nothing]")},
			`c.yml:6:17: correlation names rule "nothing", which no rule loaded has as its name or id`, false},
		{"ambiguous", map[string]string{"base.yml": baseRule, "again.yml": strings.Replace(baseRule, "b-1", "b-2", 1), "c.yml": corrRule("[base]")},
			`c.yml:6:11: correlation names rule "base", which`, false},
		// Of two rules of one name, the one in the correlation's folder.
		{"nearest", map[string]string{"base.yml": baseRule, "sub/again.yml": strings.Replace(baseRule, "b-1", "b-2", 1), "c.yml": corrRule("[base]")},
			"", false},
		{"itself", map[string]string{"c.yml": corrRule("[c-1]")}, `c.yml:6:11: correlation names itself`, false},
		{"chained", map[string]string{"base.yml": baseRule, "c.yml": corrRule("[base]"),
			"d.yml": strings.Replace(strings.Replace(corrRule("[c-1]"), "id: c-1", "id: d-1", 1), "Burst", "Chain", 1)},
			`d.yml:6:11: unsupported sigma feature: correlation names correlation rule "c-1"`, true},
		{"a broken base", map[string]string{"base.yml": strings.Replace(baseRule, "sel: {", "sel: {eventName|nope: x, ", 1), "c.yml": corrRule("[base]")},
			`c.yml:6:11: correlation names rule "base", which no rule loaded`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rs, err := ruleset.Load(c, []string{dir})
			var found error
			for _, e := range leaves(err) {
				if strings.Contains(e.Error(), tc.want) && tc.want != "" {
					found = e
				}
			}
			switch {
			case tc.want == "":
				if err != nil {
					t.Fatalf("error %v", err)
				}
				corrs := rs.Correlations()
				own := corrs[len(corrs)-1] // after the catalog's
				if own.ID != "c-1" || len(own.Bases) != 1 || own.Bases[0].File != filepath.Join(dir, "base.yml") {
					t.Fatalf("correlation %+v", own)
				}
				base := own.Bases[0]
				if !base.Silent || len(base.Feeds) != 1 {
					t.Errorf("base silent %v, feeds %d", base.Silent, len(base.Feeds))
				}
			case found == nil:
				t.Fatalf("error %v, want one holding %q", err, tc.want)
			case errors.Is(found, detect.ErrUnsupported) != tc.unsup:
				t.Errorf("ErrUnsupported %v, want %v", !tc.unsup, tc.unsup)
			}
		})
	}
}

// TestCorrelationLevels checks that --min-level keeps the rules a kept
// correlation counts, silently when they are below it, and leaves a
// correlation below it out, with its rules reporting again if they may.
func TestCorrelationLevels(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gen := strings.Replace(corrRule("[base]"), "condition: {gte: 3}", "condition: {gte: 3}\n  generate: true", 1)
	for name, body := range map[string]string{"base.yml": baseRule, "c.yml": gen} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := ruleset.Load(c, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	baseOf := func(s *ruleset.Set) *ruleset.Rule {
		for _, r := range s.Rules() {
			if r.Name == "base" {
				return r
			}
		}
		return nil
	}
	if b := baseOf(rs); b == nil || b.Silent {
		t.Fatalf("generate: true, the base rule reports: %+v", b)
	}
	high, _, err := rs.AtLeast("high")
	if err != nil {
		t.Fatal(err)
	}
	// The catalog's correlations of level high stay too; the external one
	// is counted here.
	external := func(s *ruleset.Set) int {
		n := 0
		for _, r := range s.Correlations() {
			if r.Origin == ruleset.FromExternal {
				n++
			}
		}
		return n
	}
	if b := baseOf(high); b == nil || !b.Silent || external(high) != 1 {
		t.Errorf("--min-level high: base %+v, %d external correlations", b, external(high))
	}
	if b := baseOf(rs); b.Silent {
		t.Error("AtLeast changed the set it was called on")
	}
	crit, _, err := rs.AtLeast("critical")
	if err != nil {
		t.Fatal(err)
	}
	if baseOf(crit) != nil || len(crit.Correlations()) != 0 {
		t.Errorf("--min-level critical kept the correlation or its rule")
	}
}

// leaves flattens joined errors.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}
