package detect

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Match is one rule that matched a record.
type Match struct {
	Rule   *Rule
	Fields []FieldMatch // evidence: values that made the rule's positive parts hold
}

// FieldMatch is one field value that took part in a match. Field is empty
// for a keyword hit.
type FieldMatch struct {
	Field string
	Value string
}

// Match returns the rules that match record, a raw CloudTrail record (one
// JSON object). It returns an error wrapping ErrMalformed, and no matches,
// when the parts of the record it reads are not well formed; it does not
// check the parts no candidate rule needs (see the package doc). It
// refuses a record whose fields hold more values than MaxValues with an
// error wrapping ErrTooManyValues.
func (m *Matcher) Match(record []byte) ([]Match, error) {
	return m.AppendMatches(nil, record)
}

// AppendMatches is Match appending to dst, for callers that reuse a slice.
func (m *Matcher) AppendMatches(dst []Match, record []byte) ([]Match, error) {
	return m.match(dst, record, nil, nil)
}

// AppendMatchesKnown is AppendMatches for a record whose top-level members
// the caller has listed already, in order (the cloudtrail reader does while
// it checks a record): the matcher reads them from top instead of scanning
// the record's top level again. idx, when not nil, lists the objects nested
// in the record, which top's Obj numbers refer to, and the matcher looks
// nested keys up there. top and idx must describe record exactly.
func (m *Matcher) AppendMatchesKnown(dst []Match, record []byte, top []jsonscan.Member, idx *jsonscan.Index) ([]Match, error) {
	return m.match(dst, record, top, idx)
}

func (m *Matcher) match(dst []Match, record []byte, known []jsonscan.Member, idx *jsonscan.Index) ([]Match, error) {
	st := m.pool.Get().(*state)
	defer m.put(st)
	st.reset(record, nil)
	st.known, st.idx = known, idx
	defer func() { st.known, st.idx, st.tops = nil, nil, nil }() // the caller's lists are not kept in the pool
	if !st.begin() {
		return dst, fmt.Errorf("match record: %w", ErrMalformed)
	}
	if known != nil {
		st.tops, st.topPos = known, 0 // noted one by one as topNext reaches them
	}
	for _, x := range m.indexes {
		if key, ok := st.indexKey(x.fid); ok {
			st.evalList(x.rules[string(key)])
		} else {
			st.evalList(x.all)
		}
	}
	st.evalList(m.catchAll)
	if st.bad {
		return dst, fmt.Errorf("match record: %w", ErrMalformed)
	}
	// Checked after the evidence is gathered as well: evidence looks at
	// the values again (held once a record, so it should add none).
	out := st.appendHits(dst)
	if st.refused != nil {
		return dst, fmt.Errorf("match record: %w", st.refused)
	}
	return out, nil
}

// MatchDecoded evaluates every rule, without the index, against a record
// already decoded by encoding/json (numbers as float64 or json.Number).
// It is the slow path kept for comparison and for callers that only hold a
// decoded record. A float64 is compared as one: a rule's number of more
// than 15 digits matches every number that rounds to the same float64.
// json.Number keeps the record's text, and is compared exactly, as Match
// does. A record whose fields hold more than MaxValues values, which
// Match refuses, matches no rule.
func (m *Matcher) MatchDecoded(doc map[string]any) []Match {
	st := m.pool.Get().(*state)
	defer m.put(st)
	st.reset(nil, doc)
	st.evalAll()
	out := st.appendHits(nil)
	if st.refused != nil {
		return nil
	}
	return out
}

// Room a pooled state keeps from one record to the next; a record that
// needed more lets it go.
const (
	keptValues   = 1 << 12
	keptTextSize = 1 << 20
)

// put returns st to the pool, without the room a huge record made it take.
func (m *Matcher) put(st *state) {
	if len(st.refSet) > keptValues {
		st.refSet = nil
	}
	if len(st.reSeen) > keptValues {
		st.reSeen = nil
	}
	if len(st.leafRanges) > keptValues {
		st.leafRanges = nil
	}
	if cap(st.vals) > keptValues {
		st.vals = nil
	}
	if cap(st.buf) > keptTextSize {
		st.buf = nil
	}
	m.pool.Put(st)
}

// indexKey returns the lower-cased value of an index field ("" when it is
// missing or null); ok is false when the value is an object or array, for
// which the index cannot be trusted.
func (st *state) indexKey(fid int) ([]byte, bool) {
	lo, hi, _ := st.field(fid)
	switch {
	case hi == lo:
		return nil, true
	case hi-lo > 1:
		return nil, false
	}
	switch st.vals[lo].kind {
	case vObject:
		return nil, false
	case vNull:
		return nil, true
	}
	return st.lowerOf(lo), true
}

func (st *state) evalList(list []int32) {
	for _, i := range list {
		if st.evalRule(st.m.rules[i]) {
			st.hits = append(st.hits, i)
		}
	}
}

func (st *state) evalAll() {
	for i, cr := range st.m.rules {
		if st.evalRule(cr) {
			st.hits = append(st.hits, int32(i))
		}
	}
}

// appendHits turns the matched rule indexes into Matches, in rule order.
func (st *state) appendHits(dst []Match) []Match {
	if len(st.hits) == 0 {
		return dst
	}
	slices.Sort(st.hits)
	for _, i := range st.hits {
		cr := st.m.rules[i]
		mt := Match{Rule: cr.rule}
		for _, c := range cr.conds {
			if st.evalNode(cr, c) {
				// Gathered in scratch space, then copied once at its size.
				st.ev = st.evidence(cr, c, st.ev[:0])
				if len(st.ev) > 0 {
					mt.Fields = slices.Clone(st.ev)
				}
				break
			}
		}
		dst = append(dst, mt)
	}
	return dst
}

// evidence lists the field values behind the positive (not negated) parts
// of a condition that hold.
func (st *state) evidence(cr *crule, n *cnode, out []FieldMatch) []FieldMatch {
	switch n.op {
	case opNot:
		return out
	case opAnd, opOr:
		for _, k := range n.kids {
			if st.evalNode(cr, k) {
				out = st.evidence(cr, k, out)
			}
		}
		return out
	}
	for _, alt := range cr.searches[n.idx].alts {
		if !st.evalAlt(alt) {
			continue
		}
		for _, it := range alt {
			if _, w := st.evalItem(it); w >= 0 {
				out = appendEvidence(out, FieldMatch{Field: it.path, Value: st.valueText(w)})
			}
		}
		break
	}
	return out
}

func appendEvidence(out []FieldMatch, fm FieldMatch) []FieldMatch {
	if slices.Contains(out, fm) {
		return out
	}
	return append(out, fm)
}

// valueText renders a value for evidence: scalars as text, objects as JSON.
func (st *state) valueText(i int) string {
	v := st.vals[i]
	switch v.kind {
	case vObject:
		if v.obj != nil {
			b, _ := json.Marshal(v.obj)
			return string(b)
		}
		return string(st.raw[v.start:v.end])
	case vNull:
		return "null"
	}
	return st.intern(v.text)
}

// Bounds of a state's evidence strings: values longer than maxInterned are
// rarely seen twice, and the table is emptied when it holds maxStrings.
const (
	maxInterned = 64
	maxStrings  = 1024
)

// intern returns b as a string, reusing the string made the last time the
// same bytes were evidence: most evidence values (an identity type, an
// event name) recur from record to record, and this saves an allocation
// for each.
func (st *state) intern(b []byte) string {
	if len(b) > maxInterned {
		return string(b)
	}
	if s, ok := st.strs[string(b)]; ok {
		return s
	}
	if st.strs == nil || len(st.strs) >= maxStrings {
		st.strs = make(map[string]string)
	}
	s := string(b)
	st.strs[s] = s
	return s
}
