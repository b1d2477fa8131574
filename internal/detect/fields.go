package detect

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// FieldReader reads chosen fields of raw records the way rules read them
// (dotted paths into nested objects, the first of a repeated key, arrays
// standing for their elements): a correlation groups and counts events by
// the values its rules would see. It is safe for concurrent use.
type FieldReader struct {
	m    *Matcher // holds the fields only, no rules
	fids []int    // the field of each path given, in order
}

// FieldValue is what a field of one record holds: Null when it is
// missing, null or an empty array; else its text: a string decoded, a
// number or boolean as written, an object as its JSON text, and several
// values (an array) as a JSON array of those texts. A group-by field
// groups by that text, a whole list as one value; a value_count counts
// the values one by one (see AppendHashes).
type FieldValue struct {
	Null bool
	Text string
	// List holds the texts of the values when there are several: the
	// elements of an array, the elements of arrays within it in their
	// place, and the values of a path that crosses an array of objects,
	// nulls left out; nil when there are one or none.
	List []string
}

// AppendHashes appends to dst the hash, with seed, of each distinct value
// v holds, and returns it: none when v is Null, Text's when it holds one
// value, and one for each distinct text of List, in no set order. This is
// what a value_count counts of a field: the distinct values it contains,
// so that a list adds its elements, and an element met twice adds one.
// An object counts by its JSON text as the record writes it.
func (v FieldValue) AppendHashes(dst []uint64, seed maphash.Seed) []uint64 {
	switch {
	case v.Null:
		return dst
	case v.List == nil:
		return append(dst, maphash.String(seed, v.Text))
	}
	from := len(dst)
	for _, t := range v.List {
		dst = append(dst, maphash.String(seed, t))
	}
	slices.Sort(dst[from:])
	return dst[:from+len(slices.Compact(dst[from:]))]
}

// NewFieldReader returns a reader of the fields at paths, in that order.
func NewFieldReader(paths []string) *FieldReader {
	c := &compiler{fidx: map[string]int{}}
	fr := &FieldReader{}
	for _, p := range paths {
		fr.fids = append(fr.fids, c.fieldID(p)) // a path named twice is one field
	}
	m := &Matcher{fields: c.fields}
	m.tops = newTopTable(m.fields)
	m.pool.New = func() any { return newState(m) }
	fr.m = m
	return fr
}

// Read appends the value of each of the reader's fields in record to dst.
// top and idx describe the record as for AppendMatchesKnown, or are nil.
// A record that is no JSON object, or whose fields hold more than
// MaxValues values, is refused with an error.
func (fr *FieldReader) Read(dst []FieldValue, record []byte, top []jsonscan.Member, idx *jsonscan.Index) ([]FieldValue, error) {
	m := fr.m
	st := m.pool.Get().(*state)
	defer m.put(st)
	st.reset(record, nil)
	st.known, st.idx = top, idx
	defer func() { st.known, st.idx, st.tops = nil, nil, nil }()
	if !st.begin() {
		return dst, fmt.Errorf("read fields: %w", ErrMalformed)
	}
	if top != nil {
		st.tops, st.topPos = top, 0
	}
	for _, fid := range fr.fids {
		lo, hi, _ := st.field(fid)
		dst = append(dst, st.fieldValue(lo, hi))
	}
	switch {
	case st.bad:
		return dst, fmt.Errorf("read fields: %w", ErrMalformed)
	case st.refused != nil:
		return dst, fmt.Errorf("read fields: %w", st.refused)
	}
	return dst, nil
}

// fieldValue renders the values lo..hi of a field as a FieldValue.
func (st *state) fieldValue(lo, hi int) FieldValue {
	var texts []string
	for i := lo; i < hi; i++ {
		v := &st.vals[i]
		switch v.kind {
		case vNull:
			continue
		case vObject:
			texts = append(texts, string(st.raw[v.start:v.end]))
		default:
			texts = append(texts, string(v.text))
		}
	}
	switch len(texts) {
	case 0:
		return FieldValue{Null: true}
	case 1:
		return FieldValue{Text: texts[0]}
	}
	b, _ := json.Marshal(texts)
	return FieldValue{Text: string(b), List: texts}
}
