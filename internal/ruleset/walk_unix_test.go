//go:build unix

package ruleset_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRulesFolderFIFO checks that a pipe named like a rule file is refused,
// not read: reading it would wait for a writer that never comes.
func TestRulesFolderFIFO(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.yml"), externalRule("0a5c9d3e-0000-4000-8000-0000000000f1", "ok"))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yml"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	titles, _, err := externalTitles(t, dir)
	if err == nil || !strings.Contains(err.Error(), "pipe.yml: not a regular file") {
		t.Errorf("error %v, want one naming pipe.yml", err)
	}
	if len(titles) != 1 || titles[0] != "ok" {
		t.Errorf("rules loaded: %v, want the other one", titles)
	}
	// Named on its own, too.
	if _, _, err := externalTitles(t, filepath.Join(dir, "pipe.yml")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a pipe named as the rules: error %v, want not a regular file", err)
	}
}
