package main

import (
	"path/filepath"
	"testing"

	"github.com/ttcproject/ttc/internal/golden"
)

// TestShowFencedCode shows an overlay technique whose prose holds fenced
// code blocks: the terminal keeps the code's lines as written, and
// Markdown writes it as code, not neutralised as prose is (an entity in
// code would show as written). A link in code is text, so validation
// passes it, whatever its target.
func TestShowFencedCode(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	const overlay = "testdata/overlay-code"
	if out, errOut, code := ttc(t, "catalog", "validate", overlay); code != 0 {
		t.Errorf("validate %s: exit %d:\n%s%s", overlay, code, out, errOut)
	}
	for _, f := range []string{"table", "markdown"} {
		t.Run(f, func(t *testing.T) {
			out, errOut, code := ttc(t, "--catalog", overlay, "show", "T9101", "-o", f)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden.Check(t, filepath.Join("golden", "show-overlay-code."+f), []byte(out))
		})
	}
}
