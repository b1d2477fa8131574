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

// TestGroupSampleMerge checks that samples kept apart (one a worker) and
// merged hold what one sample that met every group in turn holds, however
// the groups were shared out and in whatever order: the plan of partition
// passes must not depend on the workers.
func TestGroupSampleMerge(t *testing.T) {
	for _, groups := range []int{1_000, 40_000, 150_000} {
		hash := func(i int) uint64 { return mix64(uint64(i)) }
		cost := func(i int) int { return 200 + i%97 }
		var whole groupSample
		for i := range groups {
			whole.add(hash(i), cost(i))
			whole.add(hash(i), cost(i)) // a second record of the group
		}
		for _, workers := range []int{1, 2, 3, 7} {
			parts := make([]groupSample, workers)
			for i := range groups {
				// Records of one group read by different workers.
				parts[(i*31)%workers].add(hash(i), cost(i))
				parts[(i*17+3)%workers].add(hash(i), cost(i))
			}
			var merged groupSample
			for j := range parts {
				merged.merge(&parts[(j*5)%workers]) // in another order
			}
			if merged.shift != whole.shift || merged.bytes != whole.bytes || merged.offered != whole.offered ||
				len(merged.cost) != len(whole.cost) || merged.estimate() != whole.estimate() {
				t.Errorf("%d groups on %d workers: merged shift %d, %d held, %d bytes, estimate %d; "+
					"one sample shift %d, %d held, %d bytes, estimate %d", groups, workers,
					merged.shift, len(merged.cost), merged.bytes, merged.estimate(),
					whole.shift, len(whole.cost), whole.bytes, whole.estimate())
			}
		}
	}
}
