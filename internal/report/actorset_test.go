package report

import (
	"math"
	"strconv"
	"testing"

	"github.com/ttcproject/ttc/internal/scan"
)

// TestActorSetExactThenEstimate checks that an ActorSet counts exactly up to
// maxExactActors, then estimates within a few per cent and says so, in a
// fixed space.
func TestActorSetExactThenEstimate(t *testing.T) {
	var s ActorSet
	f := scan.Finding{}
	add := func(i int) {
		f.Actor.ARN = "arn:aws:iam::111122223333:user/u" + strconv.Itoa(i)
		s.Add(&f)
	}
	for i := range maxExactActors {
		add(i)
		add(i) // twice: counted once
	}
	if s.Len() != maxExactActors || s.Approximate() {
		t.Fatalf("after %d actors: Len %d, approximate %v; want exact", maxExactActors, s.Len(), s.Approximate())
	}
	for _, n := range []int{maxExactActors + 1, 200_000, 1_000_000} {
		for i := maxExactActors; i < n; i++ {
			add(i)
		}
		// Seen again: no change.
		add(0)
		add(n - 1)
		got := s.Len()
		if !s.Approximate() || s.seen != nil || len(s.regs) != 1<<hllBits {
			t.Fatalf("after %d actors: approximate %v, map %v, %d registers; want an estimate in fixed space", n, s.Approximate(), s.seen != nil, len(s.regs))
		}
		if err := math.Abs(float64(got-n)) / float64(n); err > 0.04 || got <= maxExactActors {
			t.Errorf("after %d actors: estimate %d, %.1f%% off", n, got, 100*err)
		}
	}
}

// TestActorSetEstimateBounded checks that an estimate is the same from run
// to run and never more than the findings added.
func TestActorSetEstimateBounded(t *testing.T) {
	count := func() (int, int) {
		var s ActorSet
		f := scan.Finding{}
		n := maxExactActors + 10
		for i := range n {
			f.Actor.ARN = "arn:aws:iam::111122223333:user/u" + strconv.Itoa(i)
			s.Add(&f)
		}
		return s.Len(), n
	}
	a, n := count()
	b, _ := count()
	if a != b {
		t.Errorf("two counts of the same actors: %d and %d", a, b)
	}
	if a > n || a <= maxExactActors {
		t.Errorf("estimate %d for %d actors in %d findings", a, n, n)
	}
}
