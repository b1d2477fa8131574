package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/golden"
)

// TestShowFencedCode shows overlay techniques whose prose holds fenced
// code blocks and lists, code in list items too: the terminal keeps the
// code's lines as written and each list item on lines of its own, and
// Markdown writes the code as code, in its item, not neutralised as prose
// is (an entity in code would show as written). A link in code is text,
// so validation passes it, whatever its target.
func TestShowFencedCode(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	const overlay = "testdata/overlay-code"
	if out, errOut, code := ttc(t, "catalog", "validate", overlay); code != 0 {
		t.Errorf("validate %s: exit %d:\n%s%s", overlay, code, out, errOut)
	}
	for _, tc := range []struct{ id, golden string }{
		{"T9101", "show-overlay-code"},
		{"T9102", "show-overlay-lists"},
	} {
		for _, f := range []string{"table", "markdown"} {
			t.Run(tc.id+"/"+f, func(t *testing.T) {
				out, errOut, code := ttc(t, "--catalog", overlay, "show", tc.id, "-o", f)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				golden.Check(t, filepath.Join("golden", tc.golden+"."+f), []byte(out))
			})
		}
	}
}

// TestShowUnknown: an ID not in the catalog is named back with a search to
// try; a long argument is quoted cut, once, not echoed whole twice.
func TestShowUnknown(t *testing.T) {
	long := "T" + strings.Repeat("x", 100_000)
	for _, tc := range []struct {
		arg, want string
		most      int // bytes of stderr at the most
	}{
		{"T9999", `no technique "T9999" in the catalog (try: ttc techniques --search "T9999")`, 200},
		{long, `no technique "T` + strings.Repeat("x", 63) + `" in the catalog (its first 64 bytes of 100001)`, 200},
		{`T"X`, `no technique "T"X" in the catalog` + "\n", 200},
	} {
		_, errOut, code := ttc(t, "show", tc.arg)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || len(errOut) > tc.most {
			t.Errorf("show %.20q: exit %d, stderr (%d bytes) %.300q; want exit %d and %q", tc.arg, code, len(errOut), errOut, exitUsage, tc.want)
		}
	}
}
