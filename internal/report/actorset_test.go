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
