package cloudtrail

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Tools disagree on an object that repeats a key (the rule matcher keeps
// the first value, encoding/json the last), so a record could show one face
// to detection and another to whoever reads it later. CloudTrail never
// writes one; the reader rejects any record with such an object, at any
// depth. Keys are compared decoded: "\u0061" repeats "a".
//
// The check runs inside the scanner and must stay cheap. Each key gets a
// fingerprint from its length and first eight bytes, read off the word the
// scanner loads anyway, and is noted with it; a 64-bit mask per open
// object, one bit per fingerprint, says which it may have seen, so that
// most keys are new at the cost of a bit test, and only a hit compares
// fingerprints and then bytes with the object's earlier keys. An object
// with more than linearKeys keys is checked once, when it closes, by
// sorting its keys, so that no object costs more than n log n.

// linearKeys is the most keys an object is checked for key by key.
const linearKeys = 32

// maxKeptKeys is the most key or member slots kept from one file to the
// next; an object with millions of keys grows them to 16 bytes a key and
// 40 a member, and that memory is let go.
const maxKeptKeys = 1 << 14

// keyRef is one key of an open object: its fingerprint and where it is,
// from its opening quote to after its closing one. For the index
// (scanner.index) it also holds where its value starts and ends, the
// value's Obj number when it is a listed object, and whether the key holds
// an escape.
type keyRef struct {
	fp     uint64
	q, e   int32
	vs, ve int32
	obj    int32
	esc    bool
}

// frame is one open object in the scanner: the fingerprint bits of its
// keys so far, which are scanner.keys[first:].
type frame struct {
	mask  uint64
	first int32
}

// seen sets the bit of fingerprint fp in mask and reports whether it was
// set already.
func seen(mask *uint64, fp uint64) bool {
	bit := uint64(1) << (fp >> 58)
	old := *mask
	*mask = old | bit
	return old&bit != 0
}

// fingerprint hashes a decoded key from its length and first eight bytes,
// which tell CloudTrail's keys apart; keys that share them only cost a byte
// comparison. keyScan computes the same.
func fingerprint(k []byte) uint64 {
	var h uint64
	for i, c := range k[:min(len(k), 8)] {
		h |= uint64(c) << (8 * i)
	}
	return mix(h, len(k))
}

func mix(h uint64, n int) uint64 { return (h ^ uint64(n)<<56) * 0x9e3779b97f4a7c15 }

// keyScan scans the key string at b[i] == '"' like str and also returns its
// fingerprint and whether it holds an escape. Its fast path reads the
// fingerprint off the word that starts the search for the closing quote.
func (s *scanner) keyScan(b []byte, i int) (int, uint64, bool) {
	if i+9 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i+1:])
		if m := special(w); m != 0 {
			if n := bits.TrailingZeros64(m) >> 3; b[i+1+n] == '"' {
				return i + 2 + n, mix(w&(1<<(8*n)-1), n), false
			}
		} else if j := stopByte(b, i+9); j < len(b) && b[j] == '"' {
			return j + 1, mix(w, j-i-1), false
		}
	}
	e := s.str(b, i)
	if e < 0 {
		return e, 0, false
	}
	k := b[i+1 : e-1]
	esc := bytes.IndexByte(k, '\\') >= 0
	return e, fingerprint(s.keyText(b, keyRef{q: int32(i), e: int32(e)}, &s.tmp)), esc
}

// collide looks for the key at b[q:e] among keys, its object's earlier
// ones, after its fingerprint bit showed it might be there, and reports it
// to s.repeat when it is. Past linearKeys keys it leaves the object to
// closeKeys.
func (s *scanner) collide(keys []keyRef, b []byte, q, e int, fp uint64) {
	if len(keys) > linearKeys {
		return
	}
	for _, o := range keys {
		if o.fp != fp {
			continue
		}
		if bytes.Equal(s.keyText(b, o, &s.tmp2), s.keyText(b, keyRef{q: int32(q), e: int32(e)}, &s.tmp)) {
			s.repeat(q)
			return
		}
	}
}

// keyText returns the decoded text of key o of b, decoding into *buf when
// it holds an escape.
func (s *scanner) keyText(b []byte, o keyRef, buf *[]byte) []byte {
	k := b[o.q+1 : o.e-1]
	if bytes.IndexByte(k, '\\') < 0 {
		return k
	}
	*buf = jsonscan.Unescape((*buf)[:0], k)
	return *buf
}

// name returns the decoded text of the key b[q:e] (quotes included): the
// key itself, or its decoding in s.names when it holds an escape. A key
// spelled with escapes means what it decodes to: "Rec\u006frds" is a
// Records container like "Records".
func (s *scanner) name(b []byte, q, e int) []byte {
	return s.keyText(b, keyRef{q: int32(q), e: int32(e)}, &s.names)
}

// closeKeys checks the keys of an object that closes with more than
// linearKeys keys, which were not checked key by key: they are sorted (they
// are dropped next) and neighbours compared. It returns the start of the
// first repeated key in b, or 0.
func (s *scanner) closeKeys(b []byte, keys []keyRef) int {
	slices.SortFunc(keys, func(x, y keyRef) int {
		if c := cmp.Compare(x.fp, y.fp); c != 0 {
			return c
		}
		return bytes.Compare(s.keyText(b, x, &s.tmp), s.keyText(b, y, &s.tmp2))
	})
	dup := 0
	for i := 1; i < len(keys); i++ {
		x, y := keys[i-1], keys[i]
		if x.fp == y.fp && bytes.Equal(s.keyText(b, x, &s.tmp), s.keyText(b, y, &s.tmp2)) {
			if q := int(max(x.q, y.q)); dup == 0 || q < dup {
				dup = q
			}
		}
	}
	return dup
}

// trim lets go of key and member slots grown past maxKeptKeys.
func (s *scanner) trim() {
	if cap(s.keys) > maxKeptKeys {
		s.keys = nil
	}
	if cap(s.top) > maxKeptKeys {
		s.top = nil
	}
	if cap(s.members) > maxKeptKeys {
		s.members = nil
	}
	if cap(s.index.Members) > maxKeptKeys || cap(s.index.Objects) > maxKeptKeys {
		s.index = jsonscan.Index{}
	}
}

// repeat records that the key at b[q] repeats an earlier one of its
// object; the first in the input is kept.
func (s *scanner) repeat(q int) {
	if q != 0 && (s.dup == 0 || q < s.dup) {
		s.dup = q
	}
}

// keyName returns the decoded key at b[q], for a message: clipped to 64
// bytes and put in quotes as it is. Record content is untrusted, and
// whatever shows a message escapes it (view.Line, JSON encoding); escaping
// it here too would show a real control character as the text of one.
func keyName(b []byte, q int) string {
	var s scanner
	k := jsonscan.Unescape(nil, b[q+1:s.str(b, q)-1])
	if len(k) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(k[cut]) {
			cut--
		}
		k = append(k[:cut], "…"...)
	}
	return `"` + string(k) + `"`
}
