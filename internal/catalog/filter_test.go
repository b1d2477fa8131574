package catalog_test

import (
	"slices"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestFilterEvent checks how --event names an event: as the catalog writes
// it, with its event source, bare, in any case, and by its API name where
// CloudTrail adds the API version to it.
func TestFilterEvent(t *testing.T) {
	c, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		event string
		want  string // a technique among the results; "" for none
	}{
		{"s3:CopyObject", "T1486.A001"},
		{"s3.amazonaws.com:CopyObject", "T1486.A001"},
		{"copyobject", "T1486.A001"},
		{"ec2:CopyObject", ""},
		{"lambda:UpdateFunctionCode20150331v2", "AT1667.001"},
		{"lambda:UpdateFunctionCode", "AT1667.001"},
		{"UpdateFunctionCode", "AT1667.001"},
		{"UpdateFunction", ""},
		{"s3:UpdateFunctionCode", ""},
	}
	for _, tc := range cases {
		rs, err := c.Filter(catalog.Filter{Event: tc.event})
		if err != nil {
			t.Fatalf("%s: %v", tc.event, err)
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.Technique.ID)
		}
		if tc.want == "" && len(ids) > 0 || tc.want != "" && !slices.Contains(ids, tc.want) {
			t.Errorf("--event %s: %v, want %q among them", tc.event, ids, tc.want)
		}
	}
}
