package view

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestListingKeysWhole checks that the catalog listings never cut the
// column a reader types back (an ID, a service's key), however narrow
// the terminal: T1485.001 and T1485.A003 cut alike would read the same.
func TestListingKeysWhole(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	results, err := c.Filter(catalog.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	techniques := c.Summaries(results)
	mitigations := MitigationRows(c)
	services := ServiceRows(c)
	tactics := TacticRows(c)
	var ids, mids, keys, tids []string
	for _, r := range techniques {
		ids = append(ids, r.ID)
	}
	for _, r := range mitigations {
		mids = append(mids, r.ID)
	}
	for _, r := range services {
		keys = append(keys, r.Key)
	}
	for _, r := range tactics {
		tids = append(tids, r.ID)
	}
	for _, tc := range []struct {
		name  string
		write func(io.Writer, Options) error
		keys  []string
	}{
		{"techniques", func(w io.Writer, o Options) error { return WriteTechniques(w, Table, c, techniques, o) }, ids},
		{"mitigations", func(w io.Writer, o Options) error { return WriteMitigations(w, Table, mitigations, o) }, mids},
		{"services", func(w io.Writer, o Options) error { return WriteServices(w, Table, services, o) }, keys},
		{"tactics", func(w io.Writer, o Options) error { return WriteTactics(w, Table, tactics, o) }, tids},
	} {
		for _, width := range []int{10, 40, 80} {
			var b bytes.Buffer
			if err := tc.write(&b, Options{Width: width}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(b.String(), "\n")[1:]
			for i, k := range tc.keys {
				if first, _, _ := strings.Cut(lines[i], " "); first != k {
					t.Errorf("%s at width %d: row %d starts %q, want %q whole", tc.name, width, i, first, k)
				}
			}
		}
	}
}
