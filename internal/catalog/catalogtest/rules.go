package catalogtest

import (
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// Rules opens the embedded catalog and loads its rules, with the rules of
// the external files and folders given, failing t on any error.
func Rules(t testing.TB, external ...string) (*catalog.Catalog, *ruleset.Set) {
	t.Helper()
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ruleset.Load(c, external)
	if err != nil {
		t.Fatal(err)
	}
	return c, rs
}
