package detect

import (
	"bytes"
	"encoding/json"
	"strconv"
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
	m      *Matcher
	raw    []byte
	doc    map[string]any
	tops   []member
	gen    uint32
	slots  []slot
	vals   []value
	buf    []byte // decoded and lower-cased text of this record
	leaves struct {
		gen    uint32
		lo, hi int32
	}
	keyBuf []byte
	hits   []int32
}

func newState(m *Matcher) *state {
	return &state{m: m, slots: make([]slot, len(m.fields))}
}

func (st *state) reset(raw []byte, doc map[string]any) {
	st.raw, st.doc = raw, doc
	st.tops = st.tops[:0]
	st.vals = st.vals[:0]
	st.buf = st.buf[:0]
	st.hits = st.hits[:0]
	st.gen++
	if st.gen == 0 { // wrapped: forget every cached slot
		clear(st.slots)
		st.leaves.gen = 0
		st.gen = 1
	}
}

// scanTop records the members of the record's top-level object.
func (st *state) scanTop() bool {
	b := st.raw
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i++
	for {
		m, next, done, ok := nextMember(b, i)
		if !ok {
			return false
		}
		if done {
			return skipSpace(b, next) == len(b)
		}
		st.tops = append(st.tops, m)
		i = next
	}
}

// keyText returns the decoded key of a member.
func (st *state) keyText(m member) []byte {
	k := st.raw[m.kStart:m.kEnd]
	if !m.kEsc {
		return k[1 : len(k)-1]
	}
	st.keyBuf = decodeString(st.keyBuf[:0], k)
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

// maxSegs bounds how many path segments one literal dotted key may span.
const maxSegs = 8

// matchKey reports how many segments of fp, starting at segment j, the key
// covers: the key may be one segment or several joined by dots.
func matchKey(fp *fieldPath, j int, key []byte) int {
	rest := fp.path[fp.offs[j]:]
	if len(key) > len(rest) || string(key) != rest[:len(key)] {
		return 0
	}
	if len(key) == len(rest) {
		return len(fp.segs) - j
	}
	if rest[len(key)] != '.' {
		return 0
	}
	end := fp.offs[j] + len(key) + 1
	for k := j + 1; k < len(fp.segs); k++ {
		if fp.offs[k] == end {
			return k - j
		}
	}
	return 0
}

func (st *state) resolveTop(fp *fieldPath) bool {
	var last [maxSegs]int
	for i := range last {
		last[i] = -1
	}
	for i, m := range st.tops {
		if n := matchKey(fp, 0, st.keyText(m)); n > 0 && n <= maxSegs {
			last[n-1] = i
		}
	}
	pres := false
	for n, i := range last {
		if i >= 0 {
			m := st.tops[i]
			pres = st.resolveRaw(m.vStart, m.vEnd, fp, n+1, 0) || pres
		}
	}
	return pres
}

// resolveRaw follows fp from segment j into the raw value b[start:end].
// Duplicate keys: the last one wins, as in encoding/json.
func (st *state) resolveRaw(start, end int, fp *fieldPath, j, depth int) bool {
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
		var last [maxSegs]member
		var has [maxSegs]bool
		for i := start + 1; ; {
			m, next, done, ok := nextMember(b, i)
			if !ok || done {
				break
			}
			if n := matchKey(fp, j, st.keyText(m)); n > 0 && n <= maxSegs {
				last[n-1], has[n-1] = m, true
			}
			i = next
		}
		pres := false
		for n := range last {
			if has[n] {
				pres = st.resolveRaw(last[n].vStart, last[n].vEnd, fp, j+n+1, depth+1) || pres
			}
		}
		return pres
	case '[':
		pres := false
		for i := start + 1; ; {
			s, e, next, done, ok := nextElem(b, i)
			if !ok || done {
				break
			}
			pres = st.resolveRaw(s, e, fp, j, depth+1) || pres
			i = next
		}
		return pres
	}
	return false
}

// addRaw appends the value b[start:end], flattening arrays.
func (st *state) addRaw(start, end, depth int) {
	b := st.raw
	switch c := b[start]; {
	case c == '"':
		s := b[start:end]
		if bytes.IndexByte(s, '\\') < 0 {
			st.vals = append(st.vals, value{kind: vString, text: s[1 : len(s)-1]})
			return
		}
		from := len(st.buf)
		st.buf = decodeString(st.buf, s)
		st.vals = append(st.vals, value{kind: vString, text: st.buf[from:len(st.buf):len(st.buf)]})
	case c == '{':
		st.vals = append(st.vals, value{kind: vObject, start: start, end: end})
	case c == '[':
		if depth > maxDepth {
			return
		}
		for i := start + 1; ; {
			s, e, next, done, ok := nextElem(b, i)
			if !ok || done {
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
	pres := false
	for k := j + 1; k <= len(fp.segs) && k-j <= maxSegs; k++ {
		end := len(fp.path)
		if k < len(fp.segs) {
			end = fp.offs[k] - 1
		}
		if v, ok := obj[fp.path[fp.offs[j]:end]]; ok {
			pres = st.resolveAny(v, fp, k, depth+1) || pres
		}
	}
	return pres
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
	switch t := v.(type) {
	case string:
		st.vals = append(st.vals, value{kind: vString, text: st.store([]byte(t))})
	case json.Number:
		st.vals = append(st.vals, value{kind: vNumber, text: st.store([]byte(t))})
	case float64:
		st.vals = append(st.vals, value{kind: vNumber, text: strconv.AppendFloat(nil, t, 'g', -1, 64)})
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
			st.addAny(e, depth+1)
		}
	}
}

// leavesOf appends every scalar inside the value at index i (an object),
// except nulls, and returns their range.
func (st *state) leavesOf(i int) (lo, hi int) {
	lo = len(st.vals)
	v := st.vals[i]
	if v.obj != nil {
		st.addLeavesAny(v.obj, 0)
	} else {
		st.addLeavesRaw(v.start, v.end, 0)
	}
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
			for _, m := range st.tops {
				st.addLeavesRaw(m.vStart, m.vEnd, 0)
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
			m, next, done, ok := nextMember(b, i)
			if !ok || done {
				return
			}
			st.addLeavesRaw(m.vStart, m.vEnd, depth+1)
			i = next
		}
	case '[':
		for i := start + 1; ; {
			s, e, next, done, ok := nextElem(b, i)
			if !ok || done {
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
			st.addLeavesAny(e, depth+1)
		}
	case []any:
		for _, e := range t {
			st.addLeavesAny(e, depth+1)
		}
	case nil:
	default:
		st.addAny(t, depth)
	}
}
