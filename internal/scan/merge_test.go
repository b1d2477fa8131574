package scan

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"
)

func TestSortFindings(t *testing.T) {
	base := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 1, 2, 7, 100, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(n), 1))
			fs := make([]Finding, n)
			for i := range fs {
				// Few distinct keys, so that many findings tie and stability shows.
				fs[i] = Finding{
					time:        base.Add(time.Duration(r.IntN(4)) * time.Second),
					Record:      RecordRef{File: fmt.Sprint("f", r.IntN(2)), Ordinal: int64(r.IntN(3))},
					TechniqueID: fmt.Sprint("T", r.IntN(2)),
					Rule:        RuleRef{ID: fmt.Sprint("r", r.IntN(2))},
					EventID:     fmt.Sprint(i), // tells equal findings apart
				}
			}
			want := slices.Clone(fs)
			sort.SliceStable(want, func(i, j int) bool { return cmpFinding(&want[i], &want[j]) < 0 })
			ptrs := make([]*Finding, len(fs))
			for i := range fs {
				ptrs[i] = &fs[i]
			}
			sortFindings(ptrs)
			got := make([]Finding, 0, len(fs))
			for _, f := range ptrs {
				got = append(got, *f)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("sortFindings differs from a stable sort")
			}
		})
	}
}
