package scan

// maxSeenBytes caps the memory that streamed scans give to noticing
// duplicate findings: 64 MiB hold about six million findings exactly.
const maxSeenBytes = 64 << 20

// seenSet remembers the 64-bit keys of the findings a streamed scan has
// written, to drop a later copy of the same event. Its memory is bounded,
// so that a scan's memory stays flat however many findings it writes: it
// grows by doubling up to maxBytes, then makes room by forgetting a key,
// counted in forgot. A forgotten key can only let a duplicate through
// again; the set never takes a new key for one it holds.
//
// Keys live in buckets of eight, one cache line each. A key may sit in
// either of two buckets, picked from its high and its low half, and goes
// to the emptier one: with two choices a bucket rarely overflows before
// three quarters of the slots are taken.
type seenSet struct {
	buckets  [][8]uint64
	n        int // keys held
	maxBytes int
	forgot   int64
}

func newSeenSet(maxBytes int) *seenSet {
	return &seenSet{buckets: make([][8]uint64, 1<<10), maxBytes: maxBytes}
}

// add adds key and reports whether it was there already.
func (s *seenSet) add(key uint64) (seen bool) {
	if key == 0 {
		key = 1 // 0 marks an empty slot
	}
	if s.n >= len(s.buckets)*8*7/8 && s.canGrow() {
		s.grow()
	}
	b1, b2 := s.pair(key)
	f1, f2 := -1, -1
	for i, k := range b1 {
		if k == key {
			return true
		}
		if k == 0 && f1 < 0 {
			f1 = i
		}
	}
	for i, k := range b2 {
		if k == key {
			return true
		}
		if k == 0 && f2 < 0 {
			f2 = i
		}
	}
	switch {
	case f1 >= 0 && (f2 < 0 || f1 <= f2):
		b1[f1] = key // buckets fill from the front: the lower free slot is the emptier bucket
	case f2 >= 0:
		b2[f2] = key
	case s.canGrow():
		s.grow()
		return s.add(key)
	default:
		// Both buckets full in a set that may not grow: forget a key.
		b1[key&7] = key
		s.forgot++
		return false
	}
	s.n++
	return false
}

// pair returns the two buckets key may sit in.
func (s *seenSet) pair(key uint64) (*[8]uint64, *[8]uint64) {
	n := uint64(len(s.buckets))
	return &s.buckets[(key>>32)*n>>32], &s.buckets[(key&0xffffffff)*n>>32]
}

func (s *seenSet) canGrow() bool { return len(s.buckets)*2*64 <= s.maxBytes }

func (s *seenSet) grow() {
	old := s.buckets
	s.buckets = make([][8]uint64, 2*len(old))
	// A bucket is picked by multiplying a half of the key with the number
	// of buckets: doubling them sends the keys of bucket i to bucket 2i or
	// 2i+1, whichever half picked i. Those two buckets take the eight keys
	// at most, so the keys move in one pass in address order, with no
	// lookup: far fewer cache misses than adding each key anew.
	for i, b := range old {
		var fill [2]int
		for _, k := range b {
			if k == 0 {
				break // buckets fill from the front
			}
			n := uint64(len(s.buckets))
			j := (k >> 32) * n >> 32
			if j>>1 != uint64(i) {
				j = (k & 0xffffffff) * n >> 32
			}
			h := j & 1
			s.buckets[j][fill[h]] = k
			fill[h]++
		}
	}
}
