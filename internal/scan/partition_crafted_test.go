package scan_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// craftedCallers returns n caller ARNs of the form prefix+number whose
// group keys, for correlation corr, hash to 0 modulo mod under the
// scan's fixed hash (any caller when mod is 0): what someone who writes
// the logs can choose, since the hash is public.
func craftedCallers(corr int, prefix string, n int, mod uint64) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		arn := prefix + fmt.Sprint(i)
		if mod == 0 || scan.GroupKeyHash(corr, arn)%mod == 0 {
			out = append(out, arn)
		}
	}
	return out
}

// TestCorrelationPartitionsCraftedKeys: callers whose group keys were
// chosen so that they hash alike under the scan's fixed hash, modulo a
// number that the passes planned for these bounds, and their splits,
// divide, do not crowd one pass at every level of its splits: a burst of
// one of them is found, and no record is lost, as with callers of no
// choosing. (With the fixed hash, they all fell in one part of a part of
// a pass, which kept what it could and missed the burst.)
func TestCorrelationPartitionsCraftedKeys(t *testing.T) {
	rs := corrRules(t, false, "gte: 5")
	corr := slices.IndexFunc(rs.Correlations(), func(r *ruleset.Rule) bool {
		return r.Title == "Burst of deletions"
	})
	cases := []struct {
		name   string
		mod    uint64 // the callers' keys hash to 0 modulo mod; any when 0
		groups int
		bytes  int64
	}{
		{"callers of no choosing", 0, 300, 400_000},
		{"keys that hash to 0 modulo 2880", 2880, 300, 400_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			callers := craftedCallers(corr, "arn:aws:iam::111122223333:user/c", tc.groups, tc.mod)
			// Twenty deletions by each caller, a minute apart, dealt over
			// four files, then a burst of five by the last caller.
			var recs []string
			for i := range 20 {
				for u, arn := range callers {
					recs = append(recs, deletion(arn, fmt.Sprintf("c%d-%d", u, i), u+i*61))
				}
			}
			last := callers[len(callers)-1]
			for i := range 5 {
				recs = append(recs, deletion(last, fmt.Sprintf("burst%d", i), 100_000+i*5))
			}
			files := make([][]string, 4)
			for i, r := range recs {
				files[i%4] = append(files[i%4], r)
			}
			paths := writeLogs(t, files...)
			roomy, want := scanWith(t, rs, paths, 2, false)
			if len(corrFindings(roomy)) != 1 || !strings.Contains(want, `"event_id":"burst4"`) {
				t.Fatalf("with room for all: %s", want)
			}
			defer scan.SetCorrelationLimits(1<<20, tc.bytes)()
			for _, workers := range []int{1, 2} {
				passes := countPasses(t)
				res, got := scanWith(t, rs, paths, workers, false)
				if *passes < 2 {
					t.Fatalf("workers %d: %d partition passes: the bounds held all", workers, *passes)
				}
				if got != want {
					t.Errorf("workers %d: findings\n%s\nwant\n%s", workers, got, want)
				}
				if d := sameSummary(res.Summary, roomy.Summary); d != "" {
					t.Errorf("workers %d (%d passes): summary\n%s", workers, *passes, d)
				}
			}
		})
	}
}
