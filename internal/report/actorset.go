package report

import (
	"hash/maphash"

	"github.com/ttcproject/ttc/internal/scan"
)

// ActorSet counts the distinct actors (ActorKey) of the findings added to
// it. It holds a 64-bit hash of each key, not the key: a key string points
// into its finding, and holding it would keep every such finding's text
// alive, hundreds of bytes an actor, in a scan of many actors. Two actors
// share a hash with a chance of about n²/2⁶⁵ (one in ten million for a
// million actors), and would then count once.
type ActorSet struct {
	seen map[uint64]struct{}
}

// actorSeed seeds the hashes of every ActorSet: counts do not depend on
// it, so one per process does.
var actorSeed = maphash.MakeSeed()

// Add notes f's actor.
func (s *ActorSet) Add(f *scan.Finding) {
	if s.seen == nil {
		s.seen = map[uint64]struct{}{}
	}
	s.seen[maphash.String(actorSeed, ActorKey(f))] = struct{}{}
}

// Len is how many distinct actors were added.
func (s *ActorSet) Len() int { return len(s.seen) }
