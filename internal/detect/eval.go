package detect

import (
	"bytes"
	"net/netip"
	"slices"
	"time"
)

func (st *state) evalNode(cr *crule, n *cnode) bool {
	switch n.op {
	case opSearch:
		return st.evalSearch(cr.searches[n.idx])
	case opAnd:
		for _, k := range n.kids {
			if !st.evalNode(cr, k) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range n.kids {
			if st.evalNode(cr, k) {
				return true
			}
		}
		return false
	}
	return !st.evalNode(cr, n.kids[0])
}

func (st *state) evalRule(cr *crule) bool {
	for _, c := range cr.conds {
		if st.evalNode(cr, c) {
			return true
		}
	}
	return false
}

func (st *state) evalSearch(s *search) bool {
	for _, alt := range s.alts {
		if st.evalAlt(alt) {
			return true
		}
	}
	return false
}

func (st *state) evalAlt(alt []*item) bool {
	for _, it := range alt {
		if ok, _ := st.evalItem(it); !ok {
			return false
		}
	}
	return true
}

// evalItem evaluates an item and returns, when it holds, the index of a
// value that made it hold (-1 when there is none to show, e.g. null).
func (st *state) evalItem(it *item) (bool, int) {
	var lo, hi int
	var present bool
	if it.kind == iKeyword {
		lo, hi = st.keywordLeaves()
		present = true
	} else {
		lo, hi, present = st.field(it.field)
	}
	switch it.kind {
	case iExists:
		return present == it.exists, -1
	case iRef:
		return st.evalRef(it, lo, hi)
	}
	if it.neq {
		if !hasNonNull(st.vals[lo:hi]) {
			return false, -1
		}
		ok, _ := st.anyTest(it, lo, hi)
		return !ok, firstNonNull(st.vals[lo:hi], lo)
	}
	if it.all {
		return st.allTests(it, lo, hi)
	}
	return st.anyTest(it, lo, hi)
}

func hasNonNull(vals []value) bool {
	return firstNonNull(vals, 0) >= 0
}

func firstNonNull(vals []value, base int) int {
	for i := range vals {
		if vals[i].kind != vNull {
			return base + i
		}
	}
	return -1
}

// ntests is the number of values an item compares with, null aside.
func (it *item) ntests() int {
	return len(it.pats) + len(it.res) + len(it.nets) + len(it.nums)
}

// anyTest reports whether one of the item's values matches one field value.
func (st *state) anyTest(it *item, lo, hi int) (bool, int) {
	if it.null && !hasNonNull(st.vals[lo:hi]) {
		return true, -1
	}
	t := 0
	if it.exact != nil {
		if w, _ := st.exactValues(it, lo, hi, -1, len(it.pats)); w >= 0 {
			return true, w
		}
		t = len(it.pats)
	}
	for ; t < it.ntests(); t++ {
		if w := st.testValues(it, t, lo, hi); w >= 0 {
			return true, w
		}
	}
	return false, -1
}

// exactValues is the pattern part of anyTest for an item with an exact
// table: it looks each value lo..hi up, in the order testValues visits
// them, and returns the same value testValues would for the earliest
// listed literal that matches (w, its pattern p), or w unchanged when none
// before pattern p does.
func (st *state) exactValues(it *item, lo, hi, w, p int) (int, int) {
	for i := lo; i < hi; i++ {
		switch st.vals[i].kind {
		case vNull:
			continue
		case vObject:
			if !st.m.opts.StrictObjects {
				llo, lhi := st.leavesOf(i)
				w, p = st.exactValues(it, llo, lhi, w, p)
			}
			continue
		}
		text := st.vals[i].text
		if !it.pats[0].cased {
			text = st.lowerOf(i)
		}
		if q, ok := it.exact[string(text)]; ok && int(q) < p {
			w, p = i, int(q)
		}
		if v := &st.vals[i]; it.exactNum != nil && v.kind == vNumber {
			if f, ok := parseNumber(v.text); ok {
				for _, q := range it.exactNum[f] { // patterns of that float64 value, in order
					if int(q) >= p {
						break
					}
					if it.pats[q].num.cmpValue(v, f) == 0 {
						w, p = i, int(q)
						break
					}
				}
			}
		}
	}
	return w, p
}

// allTests reports whether every one of the item's values matches some
// field value (the all modifier).
func (st *state) allTests(it *item, lo, hi int) (bool, int) {
	w := -1
	if it.null && hasNonNull(st.vals[lo:hi]) {
		return false, -1
	}
	for t := 0; t < it.ntests(); t++ {
		i := st.testValues(it, t, lo, hi)
		if i < 0 {
			return false, -1
		}
		w = i
	}
	return true, w
}

// testValues runs test t of the item against the values lo..hi and
// returns the index of the first value that passes, or -1.
func (st *state) testValues(it *item, t, lo, hi int) int {
	for i := lo; i < hi; i++ {
		switch st.vals[i].kind {
		case vNull:
			continue
		case vObject:
			if it.kind == iStr && it.pats[t].kind == pAny {
				return i
			}
			if st.m.opts.StrictObjects || it.kind == iNum || it.kind == iTime || it.kind == iCIDR {
				continue
			}
			llo, lhi := st.leavesOf(i)
			if w := st.testValues(it, t, llo, lhi); w >= 0 {
				return w
			}
			continue
		}
		if st.testOne(it, t, i) {
			return i
		}
	}
	return -1
}

// testOne runs test t against the scalar at index i.
func (st *state) testOne(it *item, t, i int) bool {
	v := &st.vals[i]
	switch it.kind {
	case iStr, iKeyword:
		if t < len(it.pats) {
			p := it.pats[t]
			if p.isNum && v.kind == vNumber {
				if f, ok := parseNumber(v.text); ok && p.num.cmpValue(v, f) == 0 {
					return true
				}
			}
			if p.cased {
				return p.match(v.text)
			}
			return p.match(st.lowerOf(i))
		}
		t -= len(it.pats)
		return st.reMatch(it, t, i, v.text)
	case iRe:
		return st.reMatch(it, t, i, v.text)
	case iCIDR:
		a, err := netip.ParseAddr(string(v.text))
		return err == nil && it.nets[t].Contains(a.Unmap())
	case iNum, iTime:
		f, ok := numberOf(v, it.timePart)
		if !ok {
			return false
		}
		n := &it.nums[t]
		if it.timePart != "" {
			return holds(cmpFloat(f, n.f), it.cmp) // a part of a time, not the value's text
		}
		return holds(n.cmpValue(v, f), it.cmp) // exact: float64 may round two numbers to one
	}
	return false
}

// numberOf reads a JSON number or numeric string, or with a time part, the
// part of a date.
func numberOf(v *value, part string) (float64, bool) {
	if part != "" {
		return timePart(v.text, part)
	}
	return parseNumber(bytes.TrimSpace(v.text))
}

// cmpFloat compares two float64s: -1, 0 or +1.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// holds reports whether a comparison's result c (-1, 0, +1: the record's
// number against the rule's) passes the modifier cmp.
func holds(c int, cmp string) bool {
	switch cmp {
	case "lt":
		return c < 0
	case "lte":
		return c <= 0
	case "gt":
		return c > 0
	case "gte":
		return c >= 0
	}
	return c == 0
}

// timeLayouts are the date forms the time modifiers read: CloudTrail's
// eventTime and its common variants.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02",
}

// timePart extracts a part of a date as written, without converting time
// zones (the specification leaves zones out of scope).
func timePart(b []byte, part string) (float64, bool) {
	s := string(b)
	for _, layout := range timeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		switch part {
		case "minute":
			return float64(t.Minute()), true
		case "hour":
			return float64(t.Hour()), true
		case "day":
			return float64(t.Day()), true
		case "week":
			_, w := t.ISOWeek()
			return float64(w), true
		case "month":
			return float64(t.Month()), true
		case "year":
			return float64(t.Year()), true
		}
	}
	return 0, false
}

// evalRef compares a field with other fields of the same record.
func (st *state) evalRef(it *item, lo, hi int) (bool, int) {
	if it.neq && !hasNonNull(st.vals[lo:hi]) {
		return false, -1
	}
	hits := 0
	w := -1
	for _, ref := range it.refs {
		rlo, rhi, _ := st.field(ref)
		if i := st.refMatch(it, lo, hi, rlo, rhi); i >= 0 {
			hits++
			w = i
		}
	}
	var ok bool
	switch {
	case it.neq:
		ok = hits == 0
	case it.all:
		ok = hits == len(it.refs)
	default:
		ok = hits > 0
	}
	if !ok {
		return false, -1
	}
	return true, w
}

// refMatch returns the first of the values lo..hi that the fieldref item
// pairs with one of the referenced values rlo..rhi, or -1. Few pairs are
// compared one by one; many, for equality, startswith and endswith,
// through a set of the referenced values, so that two fields of 65,000
// values each cost 130,000 lookups, not four billion comparisons. The
// bytes compared or hashed count against the record's budget
// (maxRefWork); past it the record is refused (ErrTooManyPairs).
func (st *state) refMatch(it *item, lo, hi, rlo, rhi int) int {
	if (hi-lo)*(rhi-rlo) > refPairsDirect && it.refMode != pContains {
		return st.refMatchSet(it, lo, hi, rlo, rhi)
	}
	for i := lo; i < hi; i++ {
		if !isScalar(st.vals[i].kind) {
			continue
		}
		a := st.refText(it, i)
		for j := rlo; j < rhi; j++ {
			if !isScalar(st.vals[j].kind) {
				continue
			}
			b := st.refText(it, j)
			if st.refSpend(refCost(it.refMode, a, b)) {
				return -1
			}
			var ok bool
			switch it.refMode {
			case pPrefix:
				ok = bytes.HasPrefix(a, b)
			case pSuffix:
				ok = bytes.HasSuffix(a, b)
			case pContains:
				ok = bytes.Contains(a, b)
			default:
				ok = bytes.Equal(a, b)
			}
			if ok {
				return i
			}
		}
	}
	return -1
}

// Bounds of refMatch: the pairs it compares one by one rather than
// through a set, and the bytes one record may make it compare or hash
// (a quarter of a second, or so, of work).
const (
	refPairsDirect = 1 << 12
	maxRefWork     = 1 << 28
)

// reMatch runs the item's regular expression t on text, value i of the
// record, when the text holds the literals it needs. A run's result is
// kept for the record: evidence looks at a matched rule's items again,
// and runs no expression twice. The work counts against the record's
// budget (maxReWork), past which the record is refused (ErrRegexpTooCostly)
// rather than held for minutes: the literal check reads the text once a
// literal (a step a literal even on an empty text), and Go's engine takes
// up to the text's length times the expression's instructions in steps,
// and sets up a machine of the expression's size for each call.
func (st *state) reMatch(it *item, t, i int, text []byte) bool {
	if st.reSpend((len(text) + 1) * it.reLits[t].size()) {
		return false
	}
	if !it.reLits[t].pass(text) {
		return false
	}
	k := reKey{it, int32(t), int32(i)}
	if r, ok := st.reSeen[k]; ok {
		return r
	}
	if st.reSpend((len(text) + 2) * it.reInsts[t]) {
		return false
	}
	r := it.res[t].Match(text)
	if st.reSeen == nil {
		st.reSeen = map[reKey]bool{}
	}
	st.reSeen[k] = r
	return r
}

// reKey names one run of reMatch in a record.
type reKey struct {
	it   *item
	t, i int32
}

// reSpend counts n steps of regular expression work for the record and
// reports whether the record is refused.
func (st *state) reSpend(n int) bool {
	return st.spend(&st.reWork, n, maxReWork, ErrRegexpTooCostly)
}

// maxReWork bounds the regular expression work of one record, in steps
// as reMatch counts them: about three seconds at the engine's slowest
// (some 24 ns a step, for a case-folded letter of a large folding orbit).
// The catalog's largest expressions, which pair keys inside one statement
// of an IAM policy document, compile to about 200 instructions and may read
// some 650 KiB of a record's values (IAM policies hold at most 10 KiB);
// SigmaHQ's CloudTrail rules compile to 32 at most.
const maxReWork = 1 << 27

// refCost is about how many bytes comparing a with b reads: equality and
// the ends compare lengths first, then at most the shorter; contains
// searches all of a.
func refCost(mode patKind, a, b []byte) int {
	switch mode {
	case pContains:
		return len(a) + 1
	case pPrefix, pSuffix:
		return min(len(a), len(b)) + 1
	}
	if len(a) != len(b) {
		return 1
	}
	return len(a) + 1
}

// refSpend counts n bytes of fieldref work for the record and reports
// whether the record is refused.
func (st *state) refSpend(n int) bool {
	return st.spend(&st.refWork, n, maxRefWork, ErrTooManyPairs)
}

// refText is value i as a fieldref item compares it.
func (st *state) refText(it *item, i int) []byte {
	if it.cased {
		return st.vals[i].text
	}
	return st.lowerOf(i)
}

// refMatchSet is refMatch through a set of the referenced values: a value
// equals one of them, or has one of them as its prefix or suffix of that
// length, for each length they have.
func (st *state) refMatchSet(it *item, lo, hi, rlo, rhi int) int {
	if st.refSet == nil {
		st.refSet = map[string]struct{}{}
	}
	set := st.refSet
	clear(set)
	lens := st.refLens[:0]
	for j := rlo; j < rhi; j++ {
		if !isScalar(st.vals[j].kind) {
			continue
		}
		b := st.refText(it, j)
		if st.refSpend(len(b) + 1) {
			return -1
		}
		set[string(b)] = struct{}{}
		lens = append(lens, len(b))
	}
	slices.Sort(lens) // shortest first: the cheapest lookups
	lens = slices.Compact(lens)
	st.refLens = lens
	for i := lo; i < hi; i++ {
		if !isScalar(st.vals[i].kind) {
			continue
		}
		a := st.refText(it, i)
		if it.refMode != pPrefix && it.refMode != pSuffix {
			if st.refSpend(len(a) + 1) {
				return -1
			}
			if _, ok := set[string(a)]; ok {
				return i
			}
			continue
		}
		for _, n := range lens {
			if n > len(a) {
				break
			}
			if st.refSpend(n + 1) {
				return -1
			}
			part := a[:n]
			if it.refMode == pSuffix {
				part = a[len(a)-n:]
			}
			if _, ok := set[string(part)]; ok {
				return i
			}
		}
	}
	return -1
}

func isScalar(k vkind) bool { return k == vString || k == vNumber || k == vBool }
