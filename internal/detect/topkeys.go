package detect

import (
	"encoding/binary"
	"math/bits"
)

// topTable numbers the top-level keys the compiled fields may look up
// ("userIdentity", and "userIdentity.type" for a key holding a dot). While
// the record's top level is read, each member's key is looked up once here,
// so that finding a field later costs an array read instead of a scan of
// the members read so far.
type topTable struct {
	mask  uint64
	slots []topSlot // open addressing, linear probing
	n     int
}

type topSlot struct {
	key string
	id  int32 // id+1; 0 marks an empty slot
}

// newTopTable numbers the top-level keys of fields and fills their topIDs.
func newTopTable(fields []fieldPath) *topTable {
	var keys []string
	seen := map[string]int32{}
	for f := range fields {
		fp := &fields[f]
		fp.topIDs = make([]int32, len(fp.segs))
		for k := 1; k <= len(fp.segs); k++ {
			key := fp.keyAt(0, k)
			id, ok := seen[key]
			if !ok {
				id = int32(len(keys))
				seen[key] = id
				keys = append(keys, key)
			}
			fp.topIDs[k-1] = id
		}
	}
	size := 16
	for size < 4*len(keys) {
		size *= 2
	}
	t := &topTable{mask: uint64(size - 1), slots: make([]topSlot, size), n: len(keys)}
	for id, key := range keys {
		i := keyHash([]byte(key)) & t.mask
		for t.slots[i].id != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = topSlot{key: key, id: int32(id) + 1}
	}
	return t
}

// find returns the id of key, or -1.
func (t *topTable) find(key []byte) int32 {
	for i := keyHash(key) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.id == 0 {
			return -1
		}
		if s.key == string(key) {
			return s.id - 1
		}
	}
}

// keyHash mixes a key's length with its first and last eight bytes, which
// tell CloudTrail's keys apart well enough for a sparse table.
func keyHash(b []byte) uint64 {
	n := len(b)
	h := uint64(n)
	switch {
	case n >= 8:
		h ^= binary.LittleEndian.Uint64(b)
		h ^= bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 29)
	default:
		for i, c := range b {
			h ^= uint64(c) << (8 * (i + 1))
		}
	}
	h *= 0x9e3779b97f4a7c15
	return h >> 40
}

// topRef records where a numbered top-level key was found in the current
// record: st.tops[idx], valid when gen is the record's generation.
type topRef struct {
	gen uint32
	idx int32
}

// noteTop looks up the key of st.tops[i], just read, in the table. When a
// key appears twice, the first member wins, as it does in nested objects.
func (st *state) noteTop(i int) {
	m := st.tops[i]
	id := st.m.tops.find(st.keyText(m))
	if id >= 0 && st.topSeen[id].gen != st.gen {
		st.topSeen[id] = topRef{gen: st.gen, idx: int32(i)}
	}
}

// topFind returns the index in st.tops of the first top-level member whose
// key has the given id, scanning no further than needed, or -1.
func (st *state) topFind(id int32) int {
	ref := &st.topSeen[id]
	for ref.gen != st.gen {
		if !st.topNext() {
			return -1
		}
	}
	return int(ref.idx)
}
