package detect

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// vkind is the JSON type of a resolved value.
type vkind uint8

const (
	vString vkind = iota + 1
	vNumber
	vBool
	vNull
	vObject
)

// value is one JSON value a field path resolved to. Arrays never appear:
// their elements are resolved in their place.
type value struct {
	kind    vkind
	lowered bool
	approx  bool   // a number decoded to float64 by the caller: its text is no longer the record's
	text    []byte // scalars: the decoded string or the literal JSON text
	lower   []byte // text lower-cased, once lowered is set
	start   int    // objects from raw records: span in the record
	end     int
	obj     map[string]any // objects from decoded records
}

// slot caches the values of one field for the current record.
type slot struct {
	gen     uint32
	present bool // the path exists, even as null or an empty array
	lo, hi  int32
}

// maxDepth bounds recursion into nested arrays and objects.
const maxDepth = 128

// state is the per-call scratch space of a Match. It is pooled.
type state struct {
	m       *Matcher
	raw     []byte
	doc     map[string]any
	tops    []jsonscan.Member
	topSeen []topRef          // by topTable id: where in tops the key was found
	own     []jsonscan.Member // the members read by topNext, when the caller listed none
	topPos  int               // where the top-level scan stopped; with known, how many are noted
	topDone bool              // the top-level object has been read to its end
	known   []jsonscan.Member // the top-level members, when the caller listed them
	idx     *jsonscan.Index   // the nested objects, when the caller listed them
	bad     bool              // the record is not well-formed JSON where it was read
	// refused says why the record is refused, nil while it is not: its
	// values passed MaxValues (ErrTooManyValues; the rest were left out),
	// or its fieldref or regular expression work passed its budget
	// (refWork and reWork count it; see spend).
	refused error
	refWork int
	reWork  int
	refSet  map[string]struct{} // scratch for refMatchSet
	// leafRanges holds the range of st.vals that leavesOf gave each
	// object value of the record, by the value's index.
	leafRanges map[int][2]int
	reSeen     map[reKey]bool // the record's regular expression results, see reMatch
	refLens    []int
	objs       []objScan
	nobjs      int
	gen        uint32
	slots      []slot
	vals       []value
	buf        []byte // decoded and lower-cased text of this record
	leaves     struct {
		gen    uint32
		lo, hi int32
	}
	keyBuf []byte
	hits   []int32
	strs   map[string]string // evidence strings, see intern
	ev     []FieldMatch      // evidence of one match, before it is copied
}

func newState(m *Matcher) *state {
	return &state{m: m, slots: make([]slot, len(m.fields)), topSeen: make([]topRef, m.tops.n)}
}

func (st *state) reset(raw []byte, doc map[string]any) {
	st.raw, st.doc = raw, doc
	st.own = st.own[:0]
	st.tops = st.own
	st.topPos, st.topDone, st.bad = 0, false, false
	st.refused, st.refWork, st.reWork = nil, 0, 0
	if len(st.leafRanges) > 0 {
		clear(st.leafRanges)
	}
	if len(st.reSeen) > 0 {
		clear(st.reSeen)
	}
	st.nobjs = 0
	st.vals = st.vals[:0]
	st.buf = st.buf[:0]
	st.hits = st.hits[:0]
	st.gen++
	if st.gen == 0 { // wrapped: forget every cached slot
		clear(st.slots)
		clear(st.topSeen)
		st.leaves.gen = 0
		st.gen = 1
	}
}

// begin checks that the record opens an object; members are scanned
// lazily by topFind.
func (st *state) begin() bool {
	i := jsonscan.SkipSpace(st.raw, 0)
	if i >= len(st.raw) || st.raw[i] != '{' {
		st.bad, st.topDone = true, true
		return false
	}
	st.topPos = i + 1
	return true
}

// topNext scans one more top-level member. At the end of the object it
// checks that only space follows.
func (st *state) topNext() bool {
	if st.topDone {
		return false
	}
	if st.known != nil { // st.tops is st.known
		if st.topPos == len(st.known) {
			st.topDone = true
			return false
		}
		st.noteTop(st.topPos)
		st.topPos++
		return true
	}
	m, next, done, ok := jsonscan.NextMember(st.raw, st.topPos)
	switch {
	case !ok:
		st.bad, st.topDone = true, true
		return false
	case done:
		st.topDone = true
		st.bad = jsonscan.SkipSpace(st.raw, next) != len(st.raw)
		return false
	}
	st.own = append(st.own, m)
	st.tops = st.own
	st.topPos = next
	st.noteTop(len(st.tops) - 1)
	return true
}

// topAll scans the rest of the top-level object.
func (st *state) topAll() {
	for st.topNext() {
	}
}

// keyIs reports whether member m's decoded key is key.
func (st *state) keyIs(m jsonscan.Member, key string) bool {
	if !m.KEsc {
		return m.KEnd-m.KStart == len(key)+2 && string(st.raw[m.KStart+1:m.KEnd-1]) == key
	}
	return string(st.keyText(m)) == key
}

// keyText returns the decoded key of a member.
func (st *state) keyText(m jsonscan.Member) []byte {
	k := st.raw[m.KStart:m.KEnd]
	if !m.KEsc {
		return k[1 : len(k)-1]
	}
	st.keyBuf = jsonscan.DecodeString(st.keyBuf[:0], k)
	return st.keyBuf
}

// text stores b in the record buffer and returns the stored copy. Earlier
// copies stay valid when the buffer grows, because append leaves the old
// array untouched.
func (st *state) store(b []byte) []byte {
	start := len(st.buf)
	st.buf = append(st.buf, b...)
	return st.buf[start:len(st.buf):len(st.buf)]
}

// lowerOf returns the lower-cased text of the value at index i.
func (st *state) lowerOf(i int) []byte {
	v := &st.vals[i]
	if !v.lowered {
		v.lowered = true
		v.lower = v.text
		if needsLower(v.text) {
			start := len(st.buf)
			st.buf = appendLower(st.buf, v.text)
			v.lower = st.buf[start:len(st.buf):len(st.buf)]
		}
	}
	return v.lower
}

// field resolves field fid for the current record, once.
func (st *state) field(fid int) (lo, hi int, present bool) {
	s := &st.slots[fid]
	if s.gen != st.gen {
		start := len(st.vals)
		fp := &st.m.fields[fid]
		var pres bool
		if st.doc != nil {
			pres = st.resolveMap(st.doc, fp, 0, 0)
		} else {
			pres = st.resolveTop(fp)
		}
		*s = slot{gen: st.gen, present: pres, lo: int32(start), hi: int32(len(st.vals))}
	}
	return int(s.lo), int(s.hi), s.present
}

// keyAt returns the key that spans segments j..k-1 of fp.
func (fp *fieldPath) keyAt(j, k int) string {
	end := len(fp.path)
	if k < len(fp.segs) {
		end = fp.offs[k] - 1
	}
	return fp.path[fp.offs[j]:end]
}

// resolveTop resolves fp from the record's top level. The nested reading
// of a dotted name wins: a key that itself holds dots ("a.b") is looked up
// only when the shorter key ("a") is absent, which costs nothing extra
// because finding a key absent already meant reading the whole object.
func (st *state) resolveTop(fp *fieldPath) bool {
	for k := 1; k <= len(fp.segs); k++ {
		if i := st.topFind(fp.topIDs[k-1]); i >= 0 {
			m := st.tops[i]
			return st.resolveRaw(m.VStart, m.VEnd, m.Obj, fp, k, 1) // depth 1, as resolveMap counts it
		}
	}
	return false
}

// resolveRaw follows fp from segment j into the raw value b[start:end],
// which is the listed object obj when obj is not 0 (see jsonscan.Index).
// When a key appears twice in one object, the first one is used.
func (st *state) resolveRaw(start, end int, obj int32, fp *fieldPath, j, depth int) bool {
	b := st.raw
	if depth > maxDepth {
		return false
	}
	if j == len(fp.segs) {
		st.addRaw(start, end, depth)
		return true
	}
	switch b[start] {
	case '{':
		if listed := st.idx.Of(obj); listed != nil {
			for k := j + 1; k <= len(fp.segs); k++ {
				key := fp.keyAt(j, k)
				for _, m := range listed {
					if st.keyIs(m, key) {
						return st.resolveRaw(m.VStart, m.VEnd, m.Obj, fp, k, depth+1)
					}
				}
			}
			return false
		}
		for k := j + 1; k <= len(fp.segs); k++ {
			if m, ok := st.objFind(start, fp.keyAt(j, k)); ok {
				return st.resolveRaw(m.VStart, m.VEnd, 0, fp, k, depth+1)
			}
		}
	case '[':
		pres := false
		for i := start + 1; ; {
			s, e, next, done, ok := jsonscan.NextElem(b, i)
			if !ok || done {
				break
			}
			pres = st.resolveRaw(s, e, 0, fp, j, depth+1) || pres
			i = next
		}
		return pres
	}
	return false
}

// objScan is the lazily read member list of one nested object.
type objScan struct {
	start   int // offset of the object's '{'
	pos     int // where reading stopped
	done    bool
	members []jsonscan.Member
}

// objFind returns the first member named key of the object at b[start].
// Each object is read at most once per record, and only as far as the
// keys asked for so far.
func (st *state) objFind(start int, key string) (jsonscan.Member, bool) {
	o := st.objAt(start)
	for _, m := range o.members {
		if st.keyIs(m, key) {
			return m, true
		}
	}
	for !o.done {
		m, next, done, ok := jsonscan.NextMember(st.raw, o.pos)
		if !ok || done {
			o.done = true
			break
		}
		o.members = append(o.members, m)
		o.pos = next
		if st.keyIs(m, key) {
			return m, true
		}
	}
	return jsonscan.Member{}, false
}

// objAt returns the scan state of the object at start, creating it.
func (st *state) objAt(start int) *objScan {
	for i := range st.objs[:st.nobjs] {
		if st.objs[i].start == start {
			return &st.objs[i]
		}
	}
	if st.nobjs == len(st.objs) {
		st.objs = append(st.objs, objScan{})
	}
	o := &st.objs[st.nobjs]
	st.nobjs++
	*o = objScan{start: start, pos: start + 1, members: o.members[:0]}
	return o
}

// full reports whether the record's values reached MaxValues, noting
// that the next one is left out, or the record is refused already.
func (st *state) full() bool {
	if len(st.vals) >= MaxValues {
		st.refuse(ErrTooManyValues)
	}
	return st.refused != nil
}

// refusals ranks the reasons a record is refused for: when it passes more
// than one bound, the first of them here is given.
var refusals = []error{ErrTooManyValues, ErrRegexpTooCostly, ErrTooManyPairs}

// refuse notes that the record is refused for why.
func (st *state) refuse(why error) {
	if st.refused == nil || slices.Index(refusals, why) < slices.Index(refusals, st.refused) {
		st.refused = why
	}
}

// spend counts n units of work against a budget of the record (work,
// held to limit, refused for why past it) and reports whether the record
// is refused.
func (st *state) spend(work *int, n, limit int, why error) bool {
	*work += n
	if *work > limit {
		st.refuse(why)
	}
	return st.refused != nil
}

// addRaw appends the value b[start:end], flattening arrays.
func (st *state) addRaw(start, end, depth int) {
	b := st.raw
	if st.full() {
		return
	}
	switch c := b[start]; {
	case c == '"':
		s := b[start:end]
		if bytes.IndexByte(s, '\\') < 0 {
			st.vals = append(st.vals, value{kind: vString, text: s[1 : len(s)-1]})
			return
		}
		from := len(st.buf)
		st.buf = jsonscan.DecodeString(st.buf, s)
		st.vals = append(st.vals, value{kind: vString, text: st.buf[from:len(st.buf):len(st.buf)]})
	case c == '{':
		st.vals = append(st.vals, value{kind: vObject, start: start, end: end})
	case c == '[':
		if depth > maxDepth {
			return
		}
		for i := start + 1; ; {
			s, e, next, done, ok := jsonscan.NextElem(b, i)
			if !ok || done || st.refused != nil {
				return
			}
			st.addRaw(s, e, depth+1)
			i = next
		}
	case c == 't' || c == 'f':
		st.vals = append(st.vals, value{kind: vBool, text: b[start:end]})
	case c == 'n':
		st.vals = append(st.vals, value{kind: vNull})
	default:
		st.vals = append(st.vals, value{kind: vNumber, text: b[start:end]})
	}
}

// resolveMap follows fp from segment j into a decoded object.
func (st *state) resolveMap(obj map[string]any, fp *fieldPath, j, depth int) bool {
	for k := j + 1; k <= len(fp.segs); k++ {
		if v, ok := obj[fp.keyAt(j, k)]; ok {
			return st.resolveAny(v, fp, k, depth+1)
		}
	}
	return false
}

func (st *state) resolveAny(v any, fp *fieldPath, j, depth int) bool {
	if depth > maxDepth {
		return false
	}
	if j == len(fp.segs) {
		st.addAny(v, depth)
		return true
	}
	switch t := v.(type) {
	case map[string]any:
		return st.resolveMap(t, fp, j, depth)
	case []any:
		pres := false
		for _, e := range t {
			pres = st.resolveAny(e, fp, j, depth+1) || pres
		}
		return pres
	}
	return false
}

// addAny appends a decoded value, flattening arrays.
func (st *state) addAny(v any, depth int) {
	if st.full() {
		return
	}
	switch t := v.(type) {
	case string:
		st.vals = append(st.vals, value{kind: vString, text: st.store([]byte(t))})
	case json.Number:
		st.vals = append(st.vals, value{kind: vNumber, text: st.store([]byte(t))})
	case float64:
		st.vals = append(st.vals, value{kind: vNumber, approx: true, text: strconv.AppendFloat(nil, t, 'g', -1, 64)})
	case bool:
		st.vals = append(st.vals, value{kind: vBool, text: strconv.AppendBool(nil, t)})
	case nil:
		st.vals = append(st.vals, value{kind: vNull})
	case map[string]any:
		st.vals = append(st.vals, value{kind: vObject, obj: t})
	case []any:
		if depth > maxDepth {
			return
		}
		for _, e := range t {
			if st.refused != nil {
				return
			}
			st.addAny(e, depth+1)
		}
	}
}

// leavesOf appends every scalar inside the value at index i (an object),
// except nulls, and returns their range: once a record, however many
// patterns look into the object.
func (st *state) leavesOf(i int) (lo, hi int) {
	if r, ok := st.leafRanges[i]; ok {
		return r[0], r[1]
	}
	lo = len(st.vals)
	v := st.vals[i]
	if v.obj != nil {
		st.addLeavesAny(v.obj, 0)
	} else {
		st.addLeavesRaw(v.start, v.end, 0)
	}
	if st.leafRanges == nil {
		st.leafRanges = map[int][2]int{}
	}
	st.leafRanges[i] = [2]int{lo, len(st.vals)}
	return lo, len(st.vals)
}

// keywordLeaves returns every scalar of the record (not the keys), once
// per record.
func (st *state) keywordLeaves() (lo, hi int) {
	if st.leaves.gen != st.gen {
		lo := len(st.vals)
		if st.doc != nil {
			st.addLeavesAny(st.doc, 0)
		} else {
			st.topAll()
			for _, m := range st.tops {
				st.addLeavesRaw(m.VStart, m.VEnd, 1) // the record's own object is depth 0
			}
		}
		st.leaves.gen, st.leaves.lo, st.leaves.hi = st.gen, int32(lo), int32(len(st.vals))
	}
	return int(st.leaves.lo), int(st.leaves.hi)
}

func (st *state) addLeavesRaw(start, end, depth int) {
	b := st.raw
	if depth > maxDepth {
		return
	}
	switch b[start] {
	case '{':
		for i := start + 1; ; {
			m, next, done, ok := jsonscan.NextMember(b, i)
			if !ok || done || st.refused != nil {
				return
			}
			st.addLeavesRaw(m.VStart, m.VEnd, depth+1)
			i = next
		}
	case '[':
		for i := start + 1; ; {
			s, e, next, done, ok := jsonscan.NextElem(b, i)
			if !ok || done || st.refused != nil {
				return
			}
			st.addLeavesRaw(s, e, depth+1)
			i = next
		}
	case 'n':
		return
	}
	st.addRaw(start, end, depth)
}

func (st *state) addLeavesAny(v any, depth int) {
	if depth > maxDepth {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			if st.refused != nil {
				return
			}
			st.addLeavesAny(e, depth+1)
		}
	case []any:
		for _, e := range t {
			if st.refused != nil {
				return
			}
			st.addLeavesAny(e, depth+1)
		}
	case nil:
	default:
		st.addAny(t, depth)
	}
}
