package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/golden"
)

// TestMatrixWidths checks the matrix at terminal widths and piped (width
// 0): narrow terminals show IDs alone, in columns that fit; terminals wide
// enough for two bands of names, and piped output, name each technique
// after its ID, a sub-technique by its own part of the name. No line is
// wider than the terminal.
func TestMatrixWidths(t *testing.T) {
	cases := []struct {
		columns int
		names   bool
		bands   int
		golden  string
	}{
		{80, false, 2, ""},
		{100, false, 2, ""},
		{172, false, 1, ""},
		{173, true, 2, ""},
		{200, true, 2, "matrix-200.table"},
		{300, true, 2, ""},
		{400, true, 1, ""},
		{0, true, 1, "matrix-piped.table"},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.columns), func(t *testing.T) {
			t.Setenv("COLUMNS", strconv.Itoa(c.columns))
			out, errOut, code := ttc(t, "matrix")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if n := utf8.RuneCountInString(l); c.columns > 0 && n > c.columns {
					t.Errorf("line of %d columns: %q", n, l)
				}
			}
			for _, name := range []string{"T1078 Valid Accounts", " .001 Password Guessing", "T1537 Transfer Data"} {
				if strings.Contains(out, name) != c.names {
					t.Errorf("output holds %q: %v, want %v:\n%s", name, !c.names, c.names, out)
				}
			}
			if bands := strings.Count(out, "\n("); bands != c.bands {
				t.Errorf("%d bands, want %d:\n%s", bands, c.bands, out)
			}
			if c.golden != "" {
				golden.Check(t, filepath.Join("golden", c.golden), []byte(out))
			}
		})
	}
}
