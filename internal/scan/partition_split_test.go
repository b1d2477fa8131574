package scan

import (
	"fmt"
	"testing"
)

// TestPartitionSplit: the parts of a split partition hold each of its
// groups but those set apart in exactly one part, and no other group:
// those of a pass of only some groups too, whose parts would otherwise
// count again the groups of other passes that share its hash.
func TestPartitionSplit(t *testing.T) {
	const corr, parts = 0, 3
	var groups []corrGroup
	for i := range 400 {
		groups = append(groups, corrGroup{corr, fmt.Sprintf("\x0110:caller%04d", i)})
	}
	apart := map[corrGroup]bool{groups[1]: true, groups[2]: true}
	only := map[corrGroup]bool{}
	for _, g := range groups[:100] {
		only[g] = true
	}
	cases := []struct {
		name string
		pt   partition
		want func(g corrGroup) bool // whether the parts hold g
	}{
		{"a planned pass", planned(7, 0, 1), func(g corrGroup) bool { return !apart[g] }},
		{"a pass of only some groups", partition{levels: planned(7, 0, 1).levels, only: only},
			func(g corrGroup) bool { return only[g] && !apart[g] }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, g := range groups {
				n := 0
				for k := range uint64(parts) {
					pt := tc.pt.split(7, k, parts, apart)
					if pt.holds(g.rule, []byte(g.group)) {
						n++
					}
				}
				if want := tc.want(g); n != 1 && want || n != 0 && !want {
					t.Errorf("group %q is in %d parts (want it: %v)", g.group, n, want)
				}
			}
		})
	}
}
