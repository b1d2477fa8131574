package cloudtrail

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// stops reports whether a byte ends special's fast path.
func stops(c byte) bool { return c == '"' || c == '\\' || c < 0x20 }

// TestSpecial checks that the lowest byte special flags is the first byte
// of the word that is a quote, a backslash or a control character: every
// byte value at every place among bytes that are not, and random words.
func TestSpecial(t *testing.T) {
	check := func(w [8]byte) {
		t.Helper()
		want := 8
		for i, c := range w {
			if stops(c) {
				want = i
				break
			}
		}
		got := 8
		if m := special(binary.LittleEndian.Uint64(w[:])); m != 0 {
			got = bits.TrailingZeros64(m) >> 3
		}
		if got != want {
			t.Fatalf("special(% x) flags byte %d first, want %d", w, got, want)
		}
	}
	for c := 0; c < 256; c++ {
		for at := range 8 {
			for _, fill := range []byte{'a', ' ', '!', '#', 0x7f, 0x80, 0xff, '[', ']'} {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[at] = byte(c)
				check(w)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		check(w)
		// Mostly text, so that the first stop falls anywhere in the word.
		for i := range w {
			if c := w[i]; r.IntN(10) > 0 {
				w[i] = 0x20 + c%0x60
			}
		}
		check(w)
	}
}
