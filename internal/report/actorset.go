package report

import (
	"math"
	"math/bits"

	"github.com/ttcproject/ttc/internal/scan"
)

// ActorSet counts the distinct actors (ActorKey) of the findings added to
// it. It holds a 64-bit hash of each key, not the key: a key string points
// into its finding, and holding it would keep every such finding's text
// alive, hundreds of bytes an actor, in a scan of many actors. Two actors
// share a hash with a chance of about n²/2⁶⁵ (one in ten million for a
// million actors), and would then count once.
//
// Past maxExactActors actors it estimates instead (HyperLogLog, within
// about 1%) in a fixed 16 KiB, and says so: a hash per actor per technique
// took over 100 MiB for a million actors, past the memory a scan keeps to.
type ActorSet struct {
	seen map[uint64]struct{}
	regs []uint8 // HyperLogLog registers, once the set estimates
	adds int     // findings added: no more actors than that
}

// maxExactActors is how many actors an ActorSet counts exactly.
const maxExactActors = 1 << 16

// hllBits sets the number of HyperLogLog registers, 2^hllBits; the
// estimate's standard error is 1.04/sqrt(2^hllBits), 0.8%.
const hllBits = 14

// Add notes f's actor.
func (s *ActorSet) Add(f *scan.Finding) {
	s.adds++
	s.addHash(actorHash(ActorKey(f)))
}

// actorHash hashes an actor's key the same way in every run, so that an
// estimated count is the same for the same logs.
func actorHash(key string) uint64 { return scan.StableHash(0, key) }

func (s *ActorSet) addHash(h uint64) {
	if s.regs != nil {
		s.observe(h)
		return
	}
	if s.seen == nil {
		s.seen = map[uint64]struct{}{}
	}
	s.seen[h] = struct{}{}
	if len(s.seen) > maxExactActors {
		s.regs = make([]uint8, 1<<hllBits)
		for h := range s.seen {
			s.observe(h)
		}
		s.seen = nil
	}
}

// observe notes a hash in the registers: the register its first hllBits
// bits pick keeps the longest run of leading zeros seen in the rest.
func (s *ActorSet) observe(h uint64) {
	i := h >> (64 - hllBits)
	rank := uint8(bits.LeadingZeros64(h<<hllBits|1<<(hllBits-1))) + 1
	if rank > s.regs[i] {
		s.regs[i] = rank
	}
}

// Len is how many distinct actors were added: exact, or an estimate when
// Approximate says so.
func (s *ActorSet) Len() int {
	if s.regs == nil {
		return len(s.seen)
	}
	m := float64(len(s.regs))
	sum, zeros := 0.0, 0
	for _, r := range s.regs {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	// More than maxExactActors were seen, and no more than one a finding,
	// whatever the estimate says.
	return min(max(int(math.Round(est)), maxExactActors+1), s.adds)
}

// Approximate reports whether Len is an estimate.
func (s *ActorSet) Approximate() bool { return s.regs != nil }
