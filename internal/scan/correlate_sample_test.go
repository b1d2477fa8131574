package scan

import "testing"

// TestGroupSampleChosenKeys: groupSample's hash is public, so whoever
// writes the records can choose keys whose hashes it holds every one of,
// past maxSampledGroups, and would scale up as if they were a few of many.
// Its estimate stays within what the notes offered could open at most,
// and, for keys of no choosing, near what the groups cost.
func TestGroupSampleChosenKeys(t *testing.T) {
	const groups, notes, cost = 20_000, 2, 270 // two notes a group, as two deletions each
	cases := []struct {
		name string
		hash func(i uint64) uint64
	}{
		{"keys of no choosing", func(i uint64) uint64 { return mix64(i) }},
		{"keys whose hashes end in 12 bits 0", func(i uint64) uint64 { return mix64(i) << 12 }},
		{"keys whose hashes end in 20 bits 0", func(i uint64) uint64 { return mix64(i) << 20 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var gs groupSample
			for range notes {
				for i := range uint64(groups) {
					gs.add(tc.hash(i), cost)
				}
			}
			real := int64(groups * cost)
			if est := gs.estimate(); est < real*9/10 || est > notes*real {
				t.Errorf("estimate %d bytes (shift %d), want from %d to %d", est, gs.shift, real*9/10, notes*real)
			}
		})
	}
}
