package scan

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSeenSet(t *testing.T) {
	tests := []struct {
		name     string
		maxBytes int
		keys     int
		forgets  bool
	}{
		{"grows and stays exact", 1 << 20, 80_000, false},
		{"bounded, forgets", 64 << 10, 50_000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSeenSet(tt.maxBytes)
			r := rand.New(rand.NewPCG(1, 2))
			keys := make([]uint64, tt.keys)
			for i := range keys {
				keys[i] = r.Uint64()
				if s.add(keys[i]) {
					t.Fatalf("key %d reported seen before it was added", i)
				}
			}
			if got := len(s.buckets) * 64; got > tt.maxBytes {
				t.Errorf("set holds %d bytes, cap %d", got, tt.maxBytes)
			}
			again := 0
			for _, k := range keys {
				if s.add(k) {
					again++
				}
			}
			if tt.forgets {
				if s.forgot == 0 || again == len(keys) {
					t.Errorf("a set of %d bytes kept all %d keys (forgot %d)", tt.maxBytes, len(keys), s.forgot)
				}
				if again == 0 {
					t.Errorf("a full set recognised none of the keys")
				}
			} else if again != len(keys) || s.forgot != 0 {
				t.Errorf("recognised %d of %d keys, forgot %d; want all and none", again, len(keys), s.forgot)
			}
		})
	}
	// Keys whose two halves pick the same bucket stay found as the set
	// grows and moves them.
	same := newSeenSet(maxSeenBytes)
	r := rand.New(rand.NewPCG(3, 4))
	var keys []uint64
	for range 20_000 {
		x := r.Uint64() >> 32
		keys = append(keys, x<<32|x, r.Uint64())
	}
	for _, k := range keys {
		same.add(k)
	}
	for i, k := range keys {
		if !same.add(k) {
			t.Fatalf("key %d (%#x) lost as the set grew (forgot %d, %d buckets, %d keys)", i, k, same.forgot, len(same.buckets), same.n)
		}
	}
	// Zero is a key like any other.
	s := newSeenSet(1 << 20)
	if s.add(0) || !s.add(0) {
		t.Error("key 0 not remembered")
	}
}

func BenchmarkSeenSet(b *testing.B) {
	s := newSeenSet(maxSeenBytes)
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		s.add(r.Uint64())
	}
}

// BenchmarkSeenSetScan adds half a million keys to a new set, about what
// a streamed scan of 1 GiB with SigmaHQ's rules adds: the set grows from
// its first size on the way.
func BenchmarkSeenSetScan(b *testing.B) {
	const n = 500_000
	keys := make([]uint64, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range keys {
		keys[i] = r.Uint64()
	}
	for b.Loop() {
		s := newSeenSet(maxSeenBytes)
		for _, k := range keys {
			s.add(k)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
}

// TestRejectionsKeepUnreadFiles: when the list of rejections is cut, a
// file not read to the end stays listed, wherever its name sorts, ahead of
// the records rejected in files that sort before it.
func TestRejectionsKeepUnreadFiles(t *testing.T) {
	var list []Rejection
	list = keepFirst(list, Rejection{File: "zz-truncated.json.gz", Whole: true, Reason: "unexpected EOF"})
	for i := range 3 * MaxRejections {
		list = keepFirst(list, Rejection{File: "a.jsonl", Ordinal: int64(i + 1), Reason: "not JSON"})
	}
	list = keepFirst(list, Rejection{File: "zz-not-a-log.json", Whole: true, Reason: "unknown shape"})
	slices.SortStableFunc(list, byPlace)
	list = firstListed(list)
	if len(list) != MaxRejections {
		t.Fatalf("listed %d, want %d", len(list), MaxRejections)
	}
	if list[0].File != "zz-not-a-log.json" || list[1].File != "zz-truncated.json.gz" || list[2].Ordinal != 1 {
		t.Errorf("first listed: %+v, %+v, %+v; want the two unread files, then record 1", list[0], list[1], list[2])
	}
}
