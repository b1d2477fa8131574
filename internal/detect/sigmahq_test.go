package detect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// sigmaDir holds SigmaHQ's AWS CloudTrail rules, shared read-only by the
// project's helpers; the test is skipped where it is missing.
const sigmaDir = "../../../shared/testdata/sigma"

func loadRuleDir(t testing.TB, dir string) []*Rule {
	t.Helper()
	var rules []*Rule
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(p) != ".yml" && filepath.Ext(p) != ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r, err := ParseRule(filepath.Base(p), data)
		if err != nil {
			t.Errorf("parse %s: %v", p, err)
			return nil
		}
		rules = append(rules, r)
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return rules
}

func TestSigmaHQRulesCompile(t *testing.T) {
	dir := filepath.Join(sigmaDir, "rules")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ rules not available: %v", err)
	}
	rules := loadRuleDir(t, dir)
	if len(rules) != 57 {
		t.Errorf("loaded %d SigmaHQ rules, want 57", len(rules))
	}
	m, err := Compile(rules, Options{})
	if err != nil {
		t.Errorf("compile: %v", err)
	}
	if got := len(m.Rules()); got != len(rules) {
		t.Errorf("compiled %d of %d rules", got, len(rules))
	}
	var catchAll []string
	for _, i := range m.catchAll {
		catchAll = append(catchAll, m.rules[i].rule.File)
	}
	sort.Strings(catchAll)
	var indexed []string
	for _, x := range m.indexes {
		indexed = append(indexed, fmt.Sprintf("%s: %d rules, %d values", m.fields[x.fid].path, len(x.all), len(x.rules)))
	}
	t.Logf("indexes: %v; unindexed rules: %v", indexed, catchAll)
}

// TestSigmaHQRefusedByName checks the refusal of the SigmaHQ rules that
// need correlation or placeholders, when they are present beside the rules.
func TestSigmaHQRefusedByName(t *testing.T) {
	for _, sub := range []string{"unsupported", "rules-placeholder"} {
		dir := filepath.Join(sigmaDir, sub)
		if _, err := os.Stat(dir); err != nil {
			t.Logf("%s: not present, nothing to check", sub)
			continue
		}
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, _ := os.ReadFile(p)
			r, err := ParseRule(filepath.Base(p), data)
			if err == nil {
				_, err = Compile([]*Rule{r}, Options{})
			}
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: got %v, want an ErrUnsupported refusal", p, err)
			}
			return nil
		})
	}
}
